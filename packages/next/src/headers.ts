/**
 * `response` with its headers edited in place, or a copy with edited headers when they are
 * immutable (a `Response` from `fetch()`, relayed by an actor). The body is handed on, not read.
 */
export function editHeaders(response: Response, edit: (headers: Headers) => void): Response {
  try {
    edit(response.headers);
    return response;
  } catch {
    const headers = new Headers(response.headers);
    edit(headers);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}

/**
 * Next reads `x-middleware-*` headers on a proxy's answer as routing orders (rewrite to any URL,
 * override request headers, pass on), and answers 500 when a route handler's answer carries
 * them. An actor's answer, perhaps relayed from elsewhere, must do neither: they are removed.
 */
export function withoutRouterHeaders(response: Response): Response {
  let found: string[] | undefined;
  for (const name of response.headers.keys()) {
    if (name.startsWith("x-middleware-")) (found ??= []).push(name);
  }
  if (found === undefined) return response;
  const names = found;
  return editHeaders(response, (headers) => {
    for (const name of names) headers.delete(name);
  });
}
