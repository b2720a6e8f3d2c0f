import { sessionUser } from "@/lib/session";
import { client } from "@/lib/troupe";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * The signed-in user's own notebook (a guestbook actor keyed by the user id from the verified
 * session). The key never comes from the request, so no one reaches another user's actor by
 * guessing or replaying anything; the public gateway refuses `["user", ...]` keys (lib/troupe.ts).
 */
async function forward(request: Request): Promise<Response> {
  const user = sessionUser(request);
  if (!user) {
    return Response.json({ error: { code: "unauthorized", message: "Sign in first (POST /api/session)" } }, { status: 401 });
  }
  const { pathname, search } = new URL(request.url);
  return client.guestbook.getOrCreate(["user", user]).fetch(pathname.replace(/^\/api\/me/, "") + search, request);
}

export { forward as GET, forward as POST, forward as PUT, forward as PATCH, forward as DELETE };
