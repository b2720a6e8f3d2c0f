import { ErrorCode, TroupeError } from "../errors.js";

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

export function json(body: unknown, status = 200, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS });
}

/**
 * Turns anything thrown into the JSON error shape. Unknown errors become 500 `internal_error`
 * whose message is masked unless `dev` is set.
 */
export function errorResponse(err: unknown, dev: boolean, log?: (msg: string, data: Record<string, unknown>) => void): Response {
  if (err instanceof TroupeError) {
    if (err.status >= 500) log?.(`${err.code}: ${err.message}`, { cause: String(err.cause ?? "") });
    const message = err.expose || dev ? err.message : "Internal error";
    const body: Record<string, unknown> = { code: err.code, message };
    if (err.details !== undefined) body.details = err.details;
    if (dev && err.status >= 500 && err.stack) body.stack = err.stack;
    return json({ error: body }, err.status, err.headers);
  }
  log?.("unhandled error", { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  const body: Record<string, unknown> = { code: ErrorCode.InternalError, message: "Internal error" };
  if (dev) {
    body.message = err instanceof Error ? err.message : String(err);
    if (err instanceof Error && err.stack) body.stack = err.stack;
  }
  return json({ error: body }, 500);
}

export const methodNotAllowed = (allowed: string[]) =>
  new TroupeError(ErrorCode.MethodNotAllowed, `Method not allowed; use ${allowed.join(", ")}`, {
    status: 405,
    headers: { allow: allowed.join(", ") },
  });

export const routeNotFound = (path: string) =>
  new TroupeError(ErrorCode.RouteNotFound, `No route for ${path}`, { status: 404 });
