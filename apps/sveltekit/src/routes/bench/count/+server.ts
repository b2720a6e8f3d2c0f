// Used by `pnpm bench` (row 7): SvelteKit's own endpoint returning the same body as the counter
// actor's `GET /count`, to compare with the same request routed to the actor through @troupe/sveltekit.
import type { RequestHandler } from "./$types";

export const GET: RequestHandler = () => Response.json({ count: 0 });
