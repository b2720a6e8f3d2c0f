import { toNextProxy } from "@troupe/next";
import { ACTORS_BASE_PATH, registry } from "@/lib/troupe";

/**
 * Requests to the actors without a body are answered here, before Next looks up pages and
 * dynamic routes (cheaper per request); requests with a body skip the proxy (see `missing`) and
 * stream through `app/api/actors/[...path]/route.ts`.
 */
export const proxy = toNextProxy(registry, { basePath: ACTORS_BASE_PATH });

export const config = {
  matcher: [
    {
      source: "/api/actors/:path+",
      // Next buffers the body of every request its proxy sees (and truncates it past 10 MB).
      missing: [
        { type: "header", key: "content-length" },
        { type: "header", key: "transfer-encoding" },
      ],
    },
  ],
};
