// Used by `pnpm bench` (row 7): Next's own route returning the same body as the counter
// actor's `GET /count`, to compare with the same request routed to the actor through @troupe/next.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ count: 0 });
}
