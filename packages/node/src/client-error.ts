import type { Server } from "node:http";
import type { Duplex } from "node:stream";

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
    if (!socket.writable || (err.code === "ECONNRESET" && !socket.readable)) {
      socket.destroy();
      return;
    }
    const [status, code, message] = PARSER_ERRORS[err.code ?? ""] ?? [400, "bad_request", "Malformed HTTP request"];
    const body = JSON.stringify({ error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? "Request Header Fields Too Large" : status === 414 ? "URI Too Long" : "Bad Request"}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
}
