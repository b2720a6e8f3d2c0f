import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Demo credentials for the rooms proxy: `Authorization: Bearer <ROOMS_TOKEN>`.
 * Set `ROOMS_TOKEN` in production; the fallback exists only so the sample runs out of the box.
 */
const expected = digest(process.env.ROOMS_TOKEN ?? "demo-token");

function digest(value: string) {
  return createHash("sha256").update(value).digest();
}

/** True when the request carries the expected bearer token (compared in constant time). */
export function isAuthorized(request: Request): boolean {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match !== null && timingSafeEqual(digest(match[1]!.trim()), expected);
}

/** The 401 answer, in Troupe's JSON error shape. */
export function unauthorized(): Response {
  return Response.json(
    { error: { code: "unauthorized", message: "Send Authorization: Bearer <token>" } },
    { status: 401, headers: { "www-authenticate": 'Bearer realm="rooms"' } },
  );
}
