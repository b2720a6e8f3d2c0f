import { isAuthorized, unauthorized } from "@/lib/auth";
import { client } from "@/lib/troupe";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * A forwarding route: authenticate here, then hand the request (method, headers, streamed body,
 * abort signal) to the room's guestbook actor in-process. `/api/rooms/lobby/entries?x=1`
 * reaches the actor as `/entries?x=1`.
 */
async function forward(request: Request, { params }: RouteContext<"/api/rooms/[room]/[...path]">): Promise<Response> {
  if (!isAuthorized(request)) return unauthorized();
  const { room } = await params;
  return client.guestbook.getOrCreate([room]).fetch(pathAfterRoom(request.url), request);
}

/** The raw path (percent-encoding kept) and query after `/api/rooms/<room>`. */
function pathAfterRoom(url: string): string {
  const { pathname, search } = new URL(url);
  return pathname.replace(/^\/api\/rooms\/[^/]+/, "") + search;
}

export { forward as GET, forward as HEAD, forward as POST, forward as PUT, forward as PATCH, forward as DELETE, forward as OPTIONS };
