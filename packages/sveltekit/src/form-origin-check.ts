import { isUnderMount, normalizeMountPath } from "@troupe/core";
import type { Handle } from "@sveltejs/kit/hooks";

export interface FormOriginCheckOptions {
  /** Path prefixes left unchecked: where Troupe is mounted, e.g. `["/api/actors"]`. */
  except: string[];
  /** Other origins allowed to submit forms to the rest of the app (full origins; no `"*"`). */
  trustedOrigins?: string[];
}

const MUTATING_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const FORM_CONTENT_TYPES = new Set([
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "text/plain",
  "application/x-sveltekit-formdata",
]);

/**
 * SvelteKit's cross-site form check, re-applied everywhere except under the Troupe mount paths.
 *
 * SvelteKit runs its CSRF check before any hook and can only switch it off globally
 * (`csrf: { trustedOrigins: ["*"] }`), which would also turn it off for your own form actions.
 * Switch it off there, put this hook in `sequence` before your own hooks (after `createHandle`,
 * which answers only under its prefix), and your pages keep the same
 * protection while Troupe's HTTP API (which has its own CORS rules) accepts `text/plain` or
 * body-only POSTs from servers and scripts that send no `Origin`.
 *
 * Like SvelteKit's check it answers 403 to a POST/PUT/PATCH/DELETE with a form content type (or
 * none) whose `Origin` is neither the app's origin (`event.url.origin`) nor trusted.
 */
export function formOriginCheck(options: FormOriginCheckOptions): Handle {
  const exempt = options.except.map(normalizeMountPath);
  const trusted = new Set(options.trustedOrigins ?? []);
  return ({ event, resolve }) => {
    const { request, url } = event;
    if (!MUTATING_METHODS.has(request.method) || event.isRemoteRequest) return resolve(event);
    if (exempt.some((path) => isUnderMount(url.pathname, path))) return resolve(event);
    const contentType = request.headers.get("content-type");
    const formLike = !contentType || FORM_CONTENT_TYPES.has(contentType.split(";", 1)[0]!.trim().toLowerCase());
    const origin = request.headers.get("origin");
    if (!formLike || origin === url.origin || (origin !== null && trusted.has(origin))) return resolve(event);
    const message = `Cross-site ${request.method} form submissions are forbidden`;
    if (request.headers.get("accept") === "application/json") return Response.json({ message }, { status: 403 });
    return new Response(message, { status: 403, headers: { "content-type": "text/plain; charset=utf-8" } });
  };
}
