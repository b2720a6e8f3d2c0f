// The same registry through the route-handler form alone (no proxy.ts in front), for comparison:
// `pnpm bench` measures it as a reference row, and the tests keep it working.
import { toNextHandler } from "@troupe/next";
import { registry } from "@/lib/troupe";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = toNextHandler(registry, { basePath: "/api/actors-route" });
