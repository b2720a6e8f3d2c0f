import type { ActorContext, Conn } from "./context.js";

/** Per-actor behaviour switches. Every field has a documented default. */
export interface ActorOptions {
  /**
   * `strict` (default): state changed by a request or action is committed before the
   * response leaves. `relaxed`: saved every `saveInterval` ms; a crash may lose that window.
   */
  durability?: "strict" | "relaxed";
  /** Save interval for `relaxed` durability, in ms. Default 1000. */
  saveInterval?: number;
  /** Idle time (no in-flight request, no open connection) before the actor sleeps, in ms. Default 30000. */
  sleepTimeout?: number;
  /** Let `OPTIONS` requests reach `onRequest` instead of Troupe's CORS preflight answer. Default false. */
  handleOptions?: boolean;
  /** Largest accepted request body in bytes; larger gets 413 `payload_too_large`. Default 10 MiB. */
  maxRequestBodySize?: number;
  /** Time a handler may take to produce a response, in ms; then 504 `request_timeout`. Default 30000. */
  requestTimeout?: number;
  /** Concurrent requests (open connections) this actor accepts; more get 503 `actor_overloaded`. Default 1024. */
  maxInFlight?: number;
}

export interface BeforeConnectOptions<TParams> {
  request: Request;
  params: TParams;
}

// Handlers receive a context whose state/vars types come from the definition itself.
type Ctx<S, V, P> = ActorContext<S, V, P>;

/** An action: any function taking the context first; the rest of its arguments come from the caller. */
export type ActionFn<S, V, P> = (c: Ctx<S, V, P>, ...args: any[]) => unknown;

export interface ActorDefinition<
  TState,
  TVars,
  TInput,
  TParams,
  TActions extends Record<string, ActionFn<TState, TVars, TParams>>,
> {
  /** Initial state, deep-copied for every new actor. */
  state?: TState;
  /** Builds the initial state from the creation input; runs once in the actor's life. */
  createState?: (c: Ctx<undefined, undefined, unknown>, input: TInput) => TState | Promise<TState>;
  /** Initial ephemeral vars, deep-copied for every live instance (never persisted). */
  vars?: TVars;
  /** Builds ephemeral vars each time an instance is loaded. */
  createVars?: (c: Ctx<TState, undefined, TParams>) => TVars | Promise<TVars>;
  /** Runs once in the actor's life, after the state is created. */
  onCreate?: (c: Ctx<TState, TVars, TParams>, input: TInput) => void | Promise<void>;
  /** Runs each time an instance is loaded into memory (after `onCreate` for a new actor). */
  onWake?: (c: Ctx<TState, TVars, TParams>) => void | Promise<void>;
  /** Runs before the instance is unloaded from memory. */
  onSleep?: (c: Ctx<TState, TVars, TParams>) => void | Promise<void>;
  /** Runs when the actor is destroyed, before its storage is removed. */
  onDestroy?: (c: Ctx<TState, TVars, TParams>) => void | Promise<void>;
  /** Runs before a connection is accepted; throw `Unauthorized`/`Forbidden` to reject. */
  onBeforeConnect?: (c: Ctx<TState, TVars, TParams>, opts: BeforeConnectOptions<TParams>) => void | Promise<void>;
  onConnect?: (c: Ctx<TState, TVars, TParams>, conn: Conn<TParams>) => void | Promise<void>;
  /** Runs exactly once per connection, when its response is finished or the request failed. */
  onDisconnect?: (c: Ctx<TState, TVars, TParams>, conn: Conn<TParams>) => void | Promise<void>;
  /** The low-level HTTP handler: a standard `Request` in, a standard `Response` out. */
  onRequest?: (c: Ctx<TState, TVars, TParams>, request: Request) => Response | Promise<Response>;
  actions?: TActions;
  options?: ActorOptions;
}

export type AnyActorDefinition = ActorDefinition<any, any, any, any, Record<string, ActionFn<any, any, any>>>;

/**
 * Defines an actor. Only a typed identity function: the types of `state`, `vars`, `input`
 * and every action flow from here to the client.
 */
export function actor<
  TState,
  TVars,
  TInput,
  TParams,
  TActions extends Record<string, ActionFn<TState, TVars, TParams>>,
>(definition: ActorDefinition<TState, TVars, TInput, TParams, TActions>): ActorDefinition<TState, TVars, TInput, TParams, TActions> {
  return definition;
}

/** The actions of a definition, as the client sees them: context dropped, result promised. */
export type ClientActionsOf<D> = D extends ActorDefinition<any, any, any, any, infer A>
  ? { [K in keyof A]: A[K] extends (c: any, ...args: infer P) => infer R ? (...args: P) => Promise<Awaited<R>> : never }
  : never;

export type InputOf<D> = D extends ActorDefinition<any, any, infer I, any, any> ? I : never;
export type ParamsOf<D> = D extends ActorDefinition<any, any, any, infer P, any> ? P : never;
