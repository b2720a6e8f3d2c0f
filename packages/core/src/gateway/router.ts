import { ErrorCode, invalidRequest, malformedBody, TroupeError } from "../errors.js";
import type { ActorInstance } from "../runtime/instance.js";
import type { ActorManager } from "../runtime/manager.js";
import { BODY_FRAMED_BY_HEADERS, ON_RESPONSE_DONE, type OnResponseDone } from "../runtime/body.js";
import type { ActorRecord } from "../storage/types.js";
import { ActorRequest } from "./actor-request.js";
import { type AuthHook, authorize } from "./auth.js";
import { type CorsOptions, preflight, withCors } from "./cors.js";
import { checkRequestSize, type Limits } from "./limits.js";
import { errorResponse, json, methodNotAllowed, routeNotFound } from "./respond.js";
import { normalizeMountPath } from "./mount.js";

export interface GatewayOptions {
  /** Mount prefix to strip, e.g. `/api/actors`. Default: none. */
  basePath?: string;
  cors?: CorsOptions;
  /** Show internal error messages and stacks. Default: `NODE_ENV === "development"`. */
  dev?: boolean;
  /** Largest JSON body accepted by the manager and action routes, in bytes. Default 1 MiB. */
  maxJsonBodySize?: number;
  /** Registry-level guard for manager and gateway routes; `false` turns it off (trusted in-process callers). */
  auth?: AuthHook | false;
  limits?: Limits;
}

/** Header carrying connection params as JSON. */
export const CONN_PARAMS_HEADER = "x-troupe-conn-params";

/** Oversized bodies up to this many extra bytes are drained before the 413 is sent. */
const DRAIN_BEFORE_413 = 1024 * 1024;

const MANAGER_METHODS = ["GET", "PUT", "POST"];
const ACTOR_METHODS = ["GET", "DELETE"];

/**
 * The gateway as hosts may call it: answers synchronously when it can (an awake actor whose
 * `onRequest` returned a `Response` without awaiting), else with a promise.
 */
export type Dispatch = (request: Request) => Response | Promise<Response>;

/** Builds the gateway; `Registry.handler` wraps it into the WinterTC `(request) => Promise<Response>`. */
export function createGateway(manager: () => ActorManager | Promise<ActorManager>, options: GatewayOptions = {}) {
  const basePath = normalizeMountPath(options.basePath);
  const dev = options.dev ?? isDevelopment();
  const maxJson = options.maxJsonBodySize ?? 1024 * 1024;

  // The gateway and the actor route avoid `async`/`await` where a value is already at hand: on
  // the standalone host each extra promise hop showed up per request (see bench/PERFORMANCE.md).
  return function gateway(request: Request): Response | Promise<Response> {
    let res: Response | Promise<Response>;
    try {
      res = route(request);
    } catch (err) {
      return failed(request, err);
    }
    if (res instanceof Promise) return res.then((r) => finish(request, r), (err) => failed(request, err));
    return finish(request, res);
  } satisfies Dispatch;

  function finish(request: Request, res: Response): Response {
    return request.headers.has("origin") ? withCors(request, res, options.cors) : res;
  }

  async function failed(request: Request, err: unknown): Promise<Response> {
    const m = await Promise.resolve(manager()).catch(() => undefined);
    // A failure caused by the client leaving is expected, not a server error worth logging.
    const log = m && !request.signal.aborted ? (msg: string, data: Record<string, unknown>) => m.log.error(msg, data) : undefined;
    return finish(request, errorResponse(err, dev, log));
  }

  function route(request: Request): Response | Promise<Response> {
    const url = request.url;
    const { origin, path: fullPath, search } = splitUrl(url);
    const path = stripBase(fullPath, basePath);
    if (path === undefined) throw routeNotFound(fullPath);
    checkRequestSize(request, options.limits);
    const method = request.method;
    // The Fetch standard cannot carry these (TRACE would also echo credentials back).
    if (method === "TRACE" || method === "TRACK" || method === "CONNECT") {
      throw methodNotAllowed(["GET", "HEAD", "PUT", "POST", "PATCH", "DELETE", "OPTIONS"]);
    }

    if (path.startsWith("/gateway/")) {
      const rest = path.slice(9);
      const slash = rest.indexOf("/");
      if (slash <= 0) throw routeNotFound(fullPath);
      const actorId = decodeSegment(rest.slice(0, slash));
      const sub = rest.slice(slash);
      if (sub === "/request" || sub.startsWith("/request/")) {
        return forwardRequest(request, actorId, "/" + sub.slice(9), origin, search);
      }
      if (sub.startsWith("/action/") && sub.length > 8) {
        if (method === "OPTIONS") return preflight(request, options.cors);
        if (method !== "POST") throw methodNotAllowed(["POST"]);
        return callAction(request, actorId, decodeSegment(sub.slice(8)));
      }
      throw routeNotFound(fullPath);
    }

    return manage(request, path, fullPath, method, search);
  }

  /** The manager routes: `/actors` (create, get-or-create, lookup) and `/actors/{id}`. */
  async function manage(request: Request, path: string, fullPath: string, method: string, search: string): Promise<Response> {
    if (path === "/actors" || path === "/actors/") {
      if (method === "OPTIONS") return preflight(request, options.cors);
      const m = await manager();
      if (method === "GET") {
        const params = new URLSearchParams(search);
        const name = params.get("name");
        if (!name) throw invalidRequest("Query parameter `name` is required");
        const key = params.getAll("key");
        await authorize(options.auth, request, { action: "lookup", name, key });
        return json(describe(await m.findByKey(name, key)));
      }
      if (method === "PUT" || method === "POST") {
        const body = await readJson(request, maxJson);
        const { name, key, input } = parseActorQuery(body);
        await authorize(options.auth, request, { action: method === "PUT" ? "getOrCreate" : "create", name, key });
        if (method === "PUT") {
          const { record, created } = await m.getOrCreate(name, key, input);
          return json({ ...describe(record), created });
        }
        return json({ ...describe(await m.create(name, key, input)), created: true }, 201);
      }
      throw methodNotAllowed(MANAGER_METHODS);
    }

    if (path.startsWith("/actors/")) {
      const actorId = decodeSegment(path.slice(8));
      if (actorId.includes("/")) throw routeNotFound(fullPath);
      if (method === "OPTIONS") return preflight(request, options.cors);
      const m = await manager();
      if (method !== "GET" && method !== "DELETE") throw methodNotAllowed(ACTOR_METHODS);
      const record = await m.findById(actorId);
      const ctx = { actorId, name: record.name, key: record.key };
      if (method === "GET") {
        await authorize(options.auth, request, { action: "describe", ...ctx });
        return json(describe(record));
      }
      if (method === "DELETE") {
        await authorize(options.auth, request, { action: "destroy", ...ctx });
        await m.destroy(actorId);
        return json({ actorId, destroyed: true });
      }
      throw methodNotAllowed(ACTOR_METHODS);
    }

    throw routeNotFound(fullPath);
  }

  function forwardRequest(request: Request, actorId: string, innerPath: string, origin: string, search: string) {
    const m = manager();
    const inst = m instanceof Promise ? m.then((m) => m.acquire(actorId)) : m.acquire(actorId);
    if (inst instanceof Promise) return inst.then((actor) => guardedForward(actor, request, innerPath, origin, search));
    return guardedForward(inst, request, innerPath, origin, search);
  }

  /** Preflight, or the auth hook (awaited only when it returns a promise), then the actor. */
  function guardedForward(inst: ActorInstance, request: Request, innerPath: string, origin: string, search: string) {
    if (request.method === "OPTIONS" && !inst.def.options?.handleOptions) return preflight(request, options.cors);
    const guarded = guardActor(request, inst, "request");
    if (guarded instanceof Promise) return guarded.then(() => forwardTo(inst, request, innerPath, origin, search));
    return forwardTo(inst, request, innerPath, origin, search);
  }

  /** Hands the request to an awake, authorized actor: limits, the actor's `Request`, the call. */
  function forwardTo(inst: ActorInstance, request: Request, innerPath: string, origin: string, search: string) {
    const limit = inst.limit("maxRequestBodySize", options.limits?.maxRequestBodySize);
    const length = request.headers.get("content-length");
    if (length !== null && Number(length) > limit) return refuseOversized(request, Number(length), limit);
    const params = connParams(request);
    const withBody = hasBody(request, length);
    // Bodies without a declared length are counted as they stream in.
    const limiter = withBody && length === null ? new BodyLimit(limit) : undefined;
    const body = withBody ? (limiter ? limiter.wrap(request.body!) : request.body) : null;
    const inner = new ActorRequest(origin + innerPath + search, request, body);
    const whenDone = (request as { [ON_RESPONSE_DONE]?: OnResponseDone })[ON_RESPONSE_DONE];
    if (!limiter) return inst.fetch(inner, innerPath, params, whenDone);
    let res: Response | Promise<Response>;
    try {
      res = inst.fetch(inner, innerPath, params, whenDone);
    } catch (err) {
      res = Promise.reject(err);
    }
    return Promise.resolve(res).catch(async (err) => {
      // The handler failed because reading the body hit the limit: that is the caller's fault.
      if (!limiter.exceeded) throw err;
      await limiter.drained;
      throw payloadTooLarge(limit);
    });
  }

  /**
   * A modest excess is read and dropped first, so the client is not cut off mid-upload (many
   * HTTP clients then report a reset instead of our 413); a large one is refused at once.
   */
  async function refuseOversized(request: Request, length: number, limit: number): Promise<never> {
    if (length <= limit + DRAIN_BEFORE_413) await request.arrayBuffer().catch(() => {});
    throw payloadTooLarge(limit);
  }

  /** Runs the auth hook for a gateway route, with the addressed actor's name and key. */
  function guardActor(request: Request, inst: ActorInstance, action: "request" | "action", actionName?: string) {
    if (!options.auth) return;
    const { actorId, name, key } = inst.record;
    return authorize(options.auth, request, { action, actorId, name, key, actionName });
  }

  async function callAction(request: Request, actorId: string, name: string) {
    const body = await readJson(request, maxJson);
    let args: unknown[] = [];
    if (body !== null && typeof body === "object" && "args" in body) {
      const a = (body as { args: unknown }).args;
      if (!Array.isArray(a)) throw malformedBody("`args` must be an array");
      args = a;
    } else if (body !== undefined && (body === null || typeof body !== "object" || Array.isArray(body))) {
      throw malformedBody('Action body must be a JSON object like {"args": [...]}');
    }
    const params = connParams(request);
    const m = await manager();
    const inst = await m.acquire(actorId);
    await guardActor(request, inst, "action", name);
    const output = await inst.action(request, name, args, params);
    return json({ output: output === undefined ? null : output });
  }
}

/**
 * Counts streamed request bytes and errors the actor's stream once `limit` is passed. The rest
 * of the upload is then read and dropped (up to `DRAIN_BEFORE_413` bytes), so the client gets our
 * 413 instead of a connection reset in the middle of its upload.
 */
class BodyLimit {
  exceeded = false;
  /** Settles once the excess has been drained or given up on. */
  drained: Promise<void> = Promise.resolve();
  constructor(private readonly limit: number) {}
  wrap(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    const reader = source.getReader();
    let seen = 0;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          seen += value.byteLength;
          if (seen <= this.limit) return controller.enqueue(value);
          this.exceeded = true;
          controller.error(payloadTooLarge(this.limit));
          this.drained = drain(reader, DRAIN_BEFORE_413);
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
  }
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, max: number): Promise<void> {
  let dropped = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      dropped += value.byteLength;
      if (dropped > max) return void (await reader.cancel());
    }
  } catch {
    /* the client went away: nothing left to drain */
  }
}

export function payloadTooLarge(limit: number) {
  return new TroupeError(ErrorCode.PayloadTooLarge, `Request body is larger than ${limit} bytes`, { status: 413 });
}

function describe(r: ActorRecord) {
  return { actorId: r.actorId, name: r.name, key: r.key };
}

function parseActorQuery(body: unknown): { name: string; key: string[]; input: unknown } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw malformedBody('Body must be a JSON object like {"name": "counter", "key": ["a"]}');
  }
  const { name, key, input } = body as Record<string, unknown>;
  if (typeof name !== "string" || name === "") throw malformedBody("`name` must be a non-empty string");
  let parts: string[];
  if (key === undefined) parts = [];
  else if (typeof key === "string") parts = [key];
  else if (Array.isArray(key) && key.every((k) => typeof k === "string")) parts = key as string[];
  else throw malformedBody("`key` must be an array of strings");
  return { name, key: parts, input };
}

async function readJson(request: Request, max: number): Promise<unknown> {
  const length = request.headers.get("content-length");
  if (length !== null && Number(length) > max) throw payloadTooLarge(max);
  let text: string;
  try {
    text = await request.text();
  } catch (err) {
    throw invalidRequest(`Could not read the request body: ${String(err)}`);
  }
  if (text.length > max) throw payloadTooLarge(max);
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw malformedBody("Body is not valid JSON");
  }
}

function connParams(request: Request): unknown {
  const raw = request.headers.get(CONN_PARAMS_HEADER);
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw malformedBody(`Header ${CONN_PARAMS_HEADER} must be JSON`);
  }
}

/**
 * Whether the request carries a body. When the host says its headers frame the body (HTTP/1.x:
 * no `content-length` and no `transfer-encoding` means none), this is decided without touching
 * `request.body`, which some hosts (`@hono/node-server`) can only answer by building a stream.
 */
function hasBody(request: Request, contentLength: string | null): boolean {
  const method = request.method;
  if (method === "GET" || method === "HEAD") return false;
  if ((request as { [BODY_FRAMED_BY_HEADERS]?: boolean })[BODY_FRAMED_BY_HEADERS] === true) {
    if (request.headers.has("transfer-encoding")) return true;
    if (contentLength === null || Number(contentLength) === 0) return false;
  }
  return request.body !== null;
}

/** Splits a request URL without re-normalizing its path (percent-encoding stays as sent). */
export function splitUrl(url: string): { origin: string; path: string; search: string } {
  const schemeEnd = url.indexOf("://");
  const pathStart = url.indexOf("/", schemeEnd < 0 ? 0 : schemeEnd + 3);
  if (pathStart < 0) return { origin: url, path: "/", search: "" };
  const q = url.indexOf("?", pathStart);
  return {
    origin: url.slice(0, pathStart),
    path: q < 0 ? url.slice(pathStart) : url.slice(pathStart, q),
    search: q < 0 ? "" : url.slice(q),
  };
}

function stripBase(path: string, base: string): string | undefined {
  if (base === "") return path;
  if (!path.startsWith(base)) return undefined;
  const rest = path.slice(base.length);
  if (rest === "") return "/";
  return rest.startsWith("/") ? rest : undefined;
}

function decodeSegment(segment: string): string {
  if (!segment.includes("%")) return segment; // actor ids are plain hex: skip the decoder
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidRequest("Malformed percent-encoding in path");
  }
}

function isDevelopment(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.NODE_ENV === "development";
}
