/**
 * `request` with another body: the same method, headers and signal, the body streamed from
 * `body` as it is read (not buffered), and `url` (default: the request's own). Adapters use it to
 * hand the gateway a request whose body they watch or whose URL they restored.
 */
export function withBody(request: Request, body: ReadableStream<Uint8Array> | null, url: string = request.url): Request {
  return new Request(url, {
    method: request.method,
    headers: request.headers,
    body,
    signal: request.signal,
    // Node's fetch requires `duplex` for a stream body.
    duplex: "half",
  } as RequestInit);
}
