import type { Server } from "node:http";
import type { Duplex, Readable } from "node:stream";

/** Node's parser errors mapped to the status and stable code Troupe answers with. */
const PARSER_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, "request_header_fields_too_large", "Request headers are too large"],
  HPE_URI_TOO_LONG: [414, "uri_too_long", "The URL is too long"],
};

/**
 * Requests Node rejects before any handler runs (malformed HTTP, oversized headers) still get
 * the JSON error shape instead of Node's bare status line.
 */
export function answerClientErrorsWithJson(server: Server): void {
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Like Node's default handler: once a response has started on this socket, writing another
    // would corrupt the stream, so just drop the connection.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || inFlight?.headersSent || err.code === "ECONNRESET") {
      socket.destroy();
      return;
    }
    const [status, code, message] = PARSER_ERRORS[err.code ?? ""] ?? [400, "bad_request", "Malformed HTTP request"];
    // A HEAD request must get no body, or the client would read it as the next response.
    const isHead = String((err as { rawPacket?: unknown }).rawPacket ?? "").startsWith("HEAD ");
    const body = isHead ? "" : JSON.stringify({ error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? "Request Header Fields Too Large" : status === 414 ? "URI Too Long" : "Bad Request"}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
}

/** Unread request bodies up to this size are drained after an early answer. */
const DRAIN_LIMIT = 64 * 1024;

/** Reads and drops a small, untouched request body (bounded in size and time). */
export async function drainSmallBody(incoming: Readable & { headers: Record<string, unknown>; complete: boolean }): Promise<void> {
  const declared = Number(incoming.headers["content-length"]);
  if (!(declared <= DRAIN_LIMIT) || incoming.readableFlowing !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, 1000);
    function done() {
      clearTimeout(timer);
      incoming.off("end", done);
      incoming.off("close", done);
      resolve();
    }
    incoming.once("end", done);
    incoming.once("close", done);
    incoming.resume();
  });
}
