/** Server-Sent Events from an actor's `onRequest`: `return sse(request, async (stream) => { ... })`. */

export interface SseMessage {
  /** Event name (`event:` field); omitted means "message". */
  event?: string;
  /** Payload; non-strings are JSON-encoded. Multi-line strings become several `data:` lines. */
  data: unknown;
  /** Event id (`id:` field); browsers send the last one back as `Last-Event-ID` on reconnect. */
  id?: string | number;
  /** Reconnect delay hint for the browser, in ms. */
  retry?: number;
}

export interface SseOptions {
  /** Interval of `: ping` comments that keep proxies from closing an idle stream, ms. Default 15000; 0 disables. */
  heartbeat?: number;
  /** Extra response headers. */
  headers?: HeadersInit;
}

export interface EventStream {
  /** Writes one event. Returns false once the stream is closed. */
  send(message: SseMessage): boolean;
  /** Writes a comment line (ignored by browsers). */
  comment(text: string): boolean;
  /** Ends the stream cleanly. */
  close(): void;
  /** True once closed by either side. */
  readonly closed: boolean;
  /** Aborts when the client goes away or the stream is closed. */
  readonly signal: AbortSignal;
  /** The `Last-Event-ID` the client sent when reconnecting, if any. */
  readonly lastEventId: string | null;
}

const encoder = new TextEncoder();

/** Formats one SSE frame. Exported for tests and custom streams. */
export function formatSse(message: SseMessage): string {
  let out = "";
  if (message.event !== undefined) out += `event: ${oneLine(message.event)}\n`;
  if (message.id !== undefined) out += `id: ${oneLine(String(message.id))}\n`;
  if (message.retry !== undefined) out += `retry: ${Math.max(0, Math.floor(message.retry))}\n`;
  const text = typeof message.data === "string" ? message.data : JSON.stringify(message.data);
  for (const line of text.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return out + "\n";
}

const oneLine = (s: string) => s.replace(/[\r\n]/g, " ");

/**
 * Opens an SSE response. `run` gets the stream; it may return at once (keep the stream in
 * `c.vars` to write later) or keep writing until `stream.signal` aborts. The stream stays
 * open until `stream.close()` or the client leaves; while it is open the actor stays awake.
 */
export function sse(request: Request, run: (stream: EventStream) => void | Promise<void>, options: SseOptions = {}): Response {
  const abort = new AbortController();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let heartbeat: ReturnType<typeof setInterval> | undefined;

  const shutdown = () => {
    if (abort.signal.aborted) return;
    if (heartbeat !== undefined) clearInterval(heartbeat);
    request.signal.removeEventListener("abort", shutdown);
    abort.abort();
  };
  const write = (chunk: string) => {
    if (abort.signal.aborted) return false;
    try {
      controller.enqueue(encoder.encode(chunk));
      return true;
    } catch {
      shutdown();
      return false;
    }
  };

  const stream: EventStream = {
    send: (m) => write(formatSse(m)),
    comment: (text) => write(`: ${oneLine(text)}\n\n`),
    close() {
      if (abort.signal.aborted) return;
      shutdown();
      try {
        controller.close();
      } catch {
        /* already errored or closed */
      }
    },
    get closed() {
      return abort.signal.aborted;
    },
    signal: abort.signal,
    lastEventId: request.headers.get("last-event-id"),
  };

  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      // An initial comment flushes headers at once, so the client sees the stream open.
      c.enqueue(encoder.encode(": open\n\n"));
    },
    cancel() {
      shutdown();
    },
  });

  if (request.signal.aborted) shutdown();
  else request.signal.addEventListener("abort", shutdown);
  const interval = options.heartbeat ?? 15_000;
  if (interval > 0) {
    heartbeat = setInterval(() => stream.comment("ping"), interval);
    (heartbeat as { unref?: () => void }).unref?.();
  }

  queueMicrotask(() => {
    Promise.resolve()
      .then(() => run(stream))
      .catch((err) => {
        write(formatSse({ event: "error", data: { code: "internal_error", message: "stream failed" } }));
        stream.close();
        console.error("[troupe] sse handler threw", err);
      });
  });

  const headers = new Headers(options.headers);
  headers.set("content-type", "text/event-stream; charset=utf-8");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-cache, no-transform");
  headers.set("x-accel-buffering", "no");
  return new Response(body, { status: 200, headers });
}
