// Used by `pnpm bench` (row 7a3, a reference): Next's own catch-all route returning the same
// body as `/bench/count`. The Troupe adapter lives in a catch-all route too
// (`app/api/actors/[...path]`), and Next resolves dynamic routes at a cost per request that a
// static route does not pay; this row shows that cost apart from Troupe's.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ count: 0 });
}
