import { TroupeError } from "../errors.js";

/**
 * Registry-wide limits. Actor `options` override the per-actor ones. Every breach answers JSON
 * with a stable code; see SECURITY.md for the defaults and why.
 */
export interface Limits {
  /** Longest request URL, in characters -> 414 `uri_too_long`. Default 8192. */
  maxUrlLength?: number;
  /**
   * Largest total size of request headers (names + values), in bytes -> 431
   * `request_header_fields_too_large`. Default: left to the host (Node answers 431 above 16 KiB).
   */
  maxHeaderSize?: number;
  /** Default `maxRequestBodySize` of actors (bytes) -> 413 `payload_too_large`. Default 10 MiB. */
  maxRequestBodySize?: number;
  /** Default `requestTimeout` of actors (ms) -> 504 `request_timeout`. Default 30000. */
  requestTimeout?: number;
  /** Default `maxInFlight` of actors: concurrent requests per actor -> 503 `actor_overloaded`. Default 1024. */
  maxInFlight?: number;
}

export const DEFAULT_MAX_URL_LENGTH = 8192;

export function checkRequestSize(request: Request, limits: Limits | undefined): void {
  const maxUrl = limits?.maxUrlLength ?? DEFAULT_MAX_URL_LENGTH;
  if (request.url.length > maxUrl) {
    throw new TroupeError("uri_too_long", `The URL is longer than ${maxUrl} characters`, { status: 414 });
  }
  const maxHeaders = limits?.maxHeaderSize;
  if (maxHeaders !== undefined) {
    let size = 0;
    request.headers.forEach((value, name) => (size += name.length + value.length + 4));
    if (size > maxHeaders) {
      throw new TroupeError("request_header_fields_too_large", `Request headers are larger than ${maxHeaders} bytes`, {
        status: 431,
      });
    }
  }
}
