// Used by `pnpm bench` (row 7): Astro's own endpoint returning the same body as the counter
// actor's `GET /count`, to compare with the same request routed to the actor through @troupe/astro.
import type { APIRoute } from "astro";

export const prerender = false;
export const GET: APIRoute = () => Response.json({ count: 0 });
