/**
 * Hosts that hold the request's header lines as received may put them under this key on the
 * incoming `Request`, as `[name, value, name, value, ...]` (Node's `IncomingMessage.rawHeaders`).
 * The gateway then copies the actor's headers from them instead of iterating `request.headers`
 * (which `@troupe/node`'s server library can only do by building a second `Headers`).
 * `@troupe/node`'s `serve()` sets it; other hosts need not.
 */
export const RAW_HEADERS = Symbol.for("troupe.rawHeaders");

const INTERNAL_HEADER_PREFIX = "x-troupe-";

/** Hop-by-hop headers (RFC 9110 section 7.6.1) describe one connection; they are not forwarded. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "te", "transfer-encoding", "upgrade", "trailer"]);

/**
 * Appends to `target` the headers an actor sees: all of the request's, except internal
 * `x-troupe-*` control headers, hop-by-hop headers, and the headers `connection` names.
 * One pass, no closure per header: this runs for every request an actor gets.
 */
export function copyActorHeaders(request: Request, target: Headers): void {
  const raw = (request as { [RAW_HEADERS]?: readonly string[] })[RAW_HEADERS];
  let connection: string | undefined;
  if (raw) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      if (name === "connection") connection = connection === undefined ? raw[i + 1]! : `${connection}, ${raw[i + 1]!}`;
      else if (forwarded(name)) target.append(name, raw[i + 1]!);
    }
  } else {
    request.headers.forEach((value, name) => {
      if (name === "connection") connection = value;
      else if (forwarded(name)) target.append(name, value);
    });
  }
  // Rare: `connection` names further headers of this hop; they were copied above, drop them now.
  if (connection !== undefined && !NAMES_NOTHING_ELSE.test(connection)) {
    for (const name of listedInConnection(connection)) if (TOKEN.test(name)) target.delete(name);
  }
}

/** Not internal, not hop-by-hop, not an HTTP/2 pseudo-header. */
function forwarded(name: string): boolean {
  return !name.startsWith(INTERNAL_HEADER_PREFIX) && !HOP_BY_HOP.has(name) && name.charCodeAt(0) !== 58; /* ":" */
}

/** A valid header name (lowercase); `connection` may list anything, `Headers.delete` throws on non-names. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/** `connection` values that name no header beyond the hop-by-hop ones (nearly every request). */
const NAMES_NOTHING_ELSE = /^\s*(?:keep-alive|close)\s*$/i;

function listedInConnection(value: string): Set<string> {
  const names = new Set<string>();
  for (const listed of value.split(",")) {
    const name = listed.trim().toLowerCase();
    if (name) names.add(name);
  }
  return names;
}
