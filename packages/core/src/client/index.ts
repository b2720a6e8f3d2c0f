/**
 * The Troupe client. Browser-safe: only `fetch`, `Request`, `Response` and `Headers`.
 * Works over HTTP (`createClient<typeof registry>("https://host/api/actors")`) or in-process
 * (`createClient(registry)`), with the same handle API.
 */
import type { AnyActorDefinition, ClientActionsOf, InputOf, ParamsOf } from "../actor/definition.js";
import type { Registry } from "../registry.js";

export interface ClientOptions {
  /** Headers sent with every request, e.g. `Authorization`. May be a (async) function for fresh tokens. */
  headers?: HeadersInit | (() => HeadersInit | Promise<HeadersInit>);
  /** The fetch to use over HTTP. Default: `globalThis.fetch`. */
  fetch?: (request: Request) => Promise<Response>;
}

/** Something the client can talk to in-process: a registry, or anything with a WinterTC handler. */
export interface InProcessTarget {
  handler(options: { basePath: string; auth: false }): (request: Request) => Promise<Response>;
}

/** Thrown by manager calls and actions when the gateway answers with an error. */
export class ActorClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ActorClientError";
  }
}

type ActorsOf<R> = R extends Registry<infer A> ? A : Record<string, AnyActorDefinition>;
type KeyArg = string | readonly string[];

export interface HandleMethods {
  /** The actor id (resolved once, then cached). */
  resolve(): Promise<string>;
  /**
   * Sends a request to the actor's `onRequest`. `input` is a path relative to the actor
   * (`"/messages?limit=10"`), a URL, or a `Request`; passing an incoming `Request` as `init`
   * forwards its method, headers and (streamed) body.
   */
  fetch(input: string | URL | Request, init?: RequestInit | Request): Promise<Response>;
  /** Calls an action by name (for names chosen at run time). */
  action(name: string, ...args: unknown[]): Promise<unknown>;
}

export type ActorHandle<D> = HandleMethods & ClientActionsOf<D>;

export interface HandleOptions<D> {
  /** Connection params, sent as JSON in the `x-troupe-conn-params` header; seen by `onBeforeConnect`. */
  params?: ParamsOf<D>;
}

export interface ActorAccessor<D> {
  /** A handle to the actor with this key, created (with `input`) on first use if missing. */
  getOrCreate(key?: KeyArg, options?: HandleOptions<D> & { input?: InputOf<D> }): ActorHandle<D>;
  /** A handle to an existing actor; calls fail with `actor_not_found` if there is none. */
  get(key?: KeyArg, options?: HandleOptions<D>): ActorHandle<D>;
  /** A handle to an actor by id. */
  getForId(actorId: string, options?: HandleOptions<D>): ActorHandle<D>;
  /** Creates a new actor; rejects with `actor_already_exists` if the key is taken. */
  create(key?: KeyArg, options?: HandleOptions<D> & { input?: InputOf<D> }): Promise<ActorHandle<D>>;
}

export type Client<R> = { [K in keyof ActorsOf<R> & string]: ActorAccessor<ActorsOf<R>[K]> };

const INTERNAL_BASE = "http://troupe.internal";
const HOP_BY_HOP = ["connection", "keep-alive", "transfer-encoding", "upgrade", "host", "proxy-connection", "te", "trailer"];
const HANDLE_METHODS = new Set(["resolve", "fetch", "action", "then", "constructor"]);

/** Creates a typed client: `createClient<typeof registry>(url)` or `createClient(registry)`. */
export function createClient<R = Registry<Record<string, AnyActorDefinition>>>(
  target: string | URL | InProcessTarget,
  options: ClientOptions = {},
): Client<R> {
  const transport = makeTransport(target, options);
  return new Proxy({} as Client<R>, {
    get(_, name) {
      if (typeof name !== "string" || name === "then") return undefined;
      return accessor(transport, name);
    },
  });
}

interface Transport {
  base: string;
  send(path: string, init: RequestInit): Promise<Response>;
}

function makeTransport(target: string | URL | InProcessTarget, options: ClientOptions): Transport {
  let base: string;
  let doFetch: (r: Request) => Promise<Response>;
  if (typeof target === "string" || target instanceof URL) {
    base = String(target).replace(/\/+$/, "");
    doFetch = options.fetch ?? ((r) => globalThis.fetch(r));
  } else {
    base = INTERNAL_BASE;
    // In-process callers are the server's own code: the registry's `auth` hook guards the
    // network surface, not them (authenticate your users before calling actors this way).
    doFetch = target.handler({ basePath: "", auth: false });
  }
  return {
    base,
    async send(path, init) {
      const extra = typeof options.headers === "function" ? await options.headers() : options.headers;
      if (extra) {
        const headers = new Headers(extra);
        new Headers(init.headers).forEach((v, k) => headers.set(k, v));
        init = { ...init, headers };
      }
      return doFetch(new Request(base + path, init));
    },
  };
}

function normalizeKey(key: KeyArg | undefined): string[] {
  if (key === undefined) return [];
  return typeof key === "string" ? [key] : [...key];
}

async function expectJson(res: Response): Promise<any> {
  const text = await res.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const e = body?.error;
    throw new ActorClientError(res.status, e?.code ?? "http_error", e?.message ?? `HTTP ${res.status}: ${text.slice(0, 200)}`, e?.details);
  }
  return body;
}

function accessor(transport: Transport, name: string): ActorAccessor<any> {
  const jsonInit = (method: string, body: unknown): RequestInit => ({
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return {
    getOrCreate(key, opts = {}) {
      const k = normalizeKey(key);
      return makeHandle(transport, opts.params, async () => {
        const out = await expectJson(await transport.send("/actors", jsonInit("PUT", { name, key: k, input: opts.input })));
        return out.actorId as string;
      });
    },
    get(key, opts = {}) {
      const k = normalizeKey(key);
      return makeHandle(transport, opts.params, async () => {
        const q = new URLSearchParams({ name });
        for (const part of k) q.append("key", part);
        const out = await expectJson(await transport.send(`/actors?${q}`, { method: "GET" }));
        return out.actorId as string;
      });
    },
    getForId(actorId, opts = {}) {
      return makeHandle(transport, opts.params, async () => actorId);
    },
    async create(key, opts = {}) {
      const out = await expectJson(
        await transport.send("/actors", jsonInit("POST", { name, key: normalizeKey(key), input: opts.input })),
      );
      const actorId = out.actorId as string;
      return makeHandle(transport, opts.params, async () => actorId);
    },
  };
}

function makeHandle(transport: Transport, params: unknown, lookup: () => Promise<string>): ActorHandle<any> {
  let resolved: Promise<string> | undefined;
  const paramsHeader = params === undefined ? undefined : JSON.stringify(params);
  const resolve = () => {
    resolved ??= lookup().catch((err) => {
      resolved = undefined; // a failed lookup may succeed later
      throw err;
    });
    return resolved;
  };

  const methods: HandleMethods = {
    resolve,
    async fetch(input, init) {
      const id = await resolve();
      const { path, requestInit } = toActorRequest(input, init);
      const headers = new Headers(requestInit.headers);
      if (paramsHeader !== undefined) headers.set("x-troupe-conn-params", paramsHeader);
      return transport.send(`/gateway/${encodeURIComponent(id)}/request/${path}`, { ...requestInit, headers });
    },
    async action(actionName, ...args) {
      const id = await resolve();
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (paramsHeader !== undefined) headers["x-troupe-conn-params"] = paramsHeader;
      const res = await transport.send(`/gateway/${encodeURIComponent(id)}/action/${encodeURIComponent(actionName)}`, {
        method: "POST",
        headers,
        body: JSON.stringify({ args }),
      });
      return (await expectJson(res)).output;
    },
  };

  return new Proxy(methods, {
    get(target, prop) {
      if (typeof prop !== "string") return undefined;
      if (HANDLE_METHODS.has(prop)) return prop === "then" || prop === "constructor" ? undefined : (target as any)[prop];
      return (...args: unknown[]) => target.action(prop, ...args);
    },
  }) as ActorHandle<any>;
}

/** Turns the `fetch(input, init)` arguments into an actor-relative path and a RequestInit. */
function toActorRequest(input: string | URL | Request, init: RequestInit | Request | undefined) {
  let path: string;
  let base: RequestInit = {};
  if (typeof input === "string") {
    path = input;
  } else if (input instanceof URL) {
    path = input.pathname + input.search;
  } else {
    const u = new URL(input.url);
    path = u.pathname + u.search;
    base = fromRequest(input);
  }
  if (path.startsWith("/")) path = path.slice(1);
  const extra = init === undefined ? {} : isRequest(init) ? fromRequest(init) : init;
  const merged: RequestInit & { duplex?: "half" } = { ...base, ...extra };
  if (merged.body instanceof ReadableStream) merged.duplex = "half";
  return { path, requestInit: merged };
}

function isRequest(x: unknown): x is Request {
  return typeof Request !== "undefined" && x instanceof Request;
}

/** Forwards an incoming Request: method, end-to-end headers, streamed body, abort signal. */
function fromRequest(req: Request): RequestInit {
  const headers = new Headers(req.headers);
  for (const h of HOP_BY_HOP) headers.delete(h);
  const hasBody = req.method !== "GET" && req.method !== "HEAD" && req.body !== null;
  return { method: req.method, headers, body: hasBody ? req.body : null, signal: req.signal };
}
