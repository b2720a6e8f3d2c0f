import { toNextHandler } from "@troupe/next";
import { ACTORS_BASE_PATH, registry } from "@/lib/troupe";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = toNextHandler(registry, { basePath: ACTORS_BASE_PATH });
