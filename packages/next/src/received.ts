import { currentNodeResponse, isRequestAsReceived, reportResponseDone } from "@troupe/core";
import { recordedRequestOf, type ResponseLike } from "./raw-url.js";

/**
 * The URL as the client sent it (restored by `keepRawUrls`, else Next's) and the Node response
 * the answer goes out on, when known.
 */
export function asReceived(request: Request): { url: string; response: ResponseLike | undefined } {
  const recorded = recordedRequestOf(request);
  return { url: recorded?.url ?? request.url, response: recorded?.response ?? nodeResponseFor(request) };
}

/**
 * With the Node response this request is answered on (from `keepRawUrls`' custom server, or under
 * `next start` from Node's diagnostics channel, see `watchNodeResponses` in @troupe/core), the
 * gateway is told when it has been sent or abandoned: it hands the actor's answer to Next as is
 * instead of reading it back to learn when it ends, and the actor's connection ends when that
 * response closes (also when the client leaves).
 */
export function reportingDone(request: Request, response: ResponseLike | undefined): Request {
  return response === undefined ? request : reportResponseDone(request, response);
}

/** Under plain `next start`: the Node response of this request, unless Next rewrote or re-serialized it. */
function nodeResponseFor(request: Request): ResponseLike | undefined {
  const current = currentNodeResponse();
  return current && isRequestAsReceived(request, current) ? current : undefined;
}
