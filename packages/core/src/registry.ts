import type { Logger } from "./actor/context.js";
import type { AnyActorDefinition } from "./actor/definition.js";
import { createGateway, type Dispatch, type GatewayOptions } from "./gateway/router.js";
import type { AuthHook } from "./gateway/auth.js";
import type { CorsOptions } from "./gateway/cors.js";
import type { Limits } from "./gateway/limits.js";
import { ActorManager } from "./runtime/manager.js";
import { MemoryStore } from "./storage/memory.js";
import type { ActorStore } from "./storage/types.js";

export interface RegistryConfig<TActors extends Record<string, AnyActorDefinition>> {
  /** The actors this registry serves, by name. */
  use: TActors;
  /** Mount prefix stripped by `registry.fetch`, e.g. `/api/actors`. Adapters may pass their own. */
  basePath?: string;
  /** Where actors are stored. Default: the host's choice (`@troupe/node` uses SQLite), else in memory. */
  store?: ActorStore;
  cors?: CorsOptions;
  /** Show internal error messages and stacks. Default: `NODE_ENV === "development"`. */
  dev?: boolean;
  /** Most actors per name; beyond it creation answers 429 `too_many_actors`. Default unlimited. */
  maxActorsPerName?: number;
  /**
   * Guards manager routes (create, get-or-create, lookup, describe, destroy) and gateway routes
   * (request, action): throw `Unauthorized`/`Forbidden` or return false. See `AuthContext.action`.
   */
  auth?: AuthHook;
  /** Registry-wide limits; actors' own `options` override the per-actor ones. */
  limits?: Limits;
  /** Log sink; default console (debug muted). */
  logger?: Partial<Logger>;
}

export type FetchHandler = (request: Request) => Promise<Response>;

/** A set of actors and the one WinterTC handler that serves them. */
export class Registry<TActors extends Record<string, AnyActorDefinition>> {
  /** Type-only marker so `createClient<typeof registry>` can read the actor definitions. */
  declare readonly actors: TActors;
  private store: ActorStore | undefined;
  /** Creates the store on start, when `useStore` was given a function. */
  private openStore: (() => ActorStore) | undefined;
  private started: Promise<ActorManager> | undefined;
  private current: ActorManager | undefined;

  /** The gateway: route a standard `Request` to the manager or an actor. Bound; pass it around freely. */
  readonly fetch: FetchHandler;

  constructor(readonly config: RegistryConfig<TActors>) {
    this.store = config.store;
    this.fetch = this.handler();
  }

  /** A gateway handler with its own options (adapters use this to set their mount prefix). */
  handler(options: Partial<GatewayOptions> = {}): FetchHandler {
    const dispatch = this.dispatcher(options);
    return (request) => {
      const res = dispatch(request);
      return res instanceof Promise ? res : Promise.resolve(res);
    };
  }

  /**
   * Like `handler`, for hosts that can send a `Response` they get synchronously without waiting
   * for a promise (`@troupe/node`'s server does): an awake actor whose `onRequest` answered
   * without awaiting is then served in one tick.
   */
  dispatcher(options: Partial<GatewayOptions> = {}): Dispatch {
    return createGateway(() => this.current ?? this.manager(), {
      basePath: this.config.basePath,
      cors: this.config.cors,
      dev: this.config.dev,
      auth: this.config.auth,
      limits: this.config.limits,
      ...options,
    });
  }

  /** True once storage is chosen (first request or `useStore`). */
  get hasStore() {
    return this.store !== undefined || this.openStore !== undefined;
  }

  /**
   * Sets the store before the first request; hosts call this to install their default. Given a
   * function, the store is created when the registry starts (its first request or `manager()`),
   * not now: frameworks evaluate server modules in processes that never serve (`next build`,
   * `next dev`'s helper workers), and opening a durable store there would take its lock.
   */
  useStore(store: ActorStore | (() => ActorStore)): this {
    if (this.started) throw new Error("The store must be set before the registry handles its first request");
    if (typeof store === "function") {
      this.store = undefined;
      this.openStore = store;
    } else {
      this.store = store;
      this.openStore = undefined;
    }
    return this;
  }

  /** The actor manager, started on first use. */
  manager(): Promise<ActorManager> {
    if (this.started) return this.started;
    const starting = this.start();
    this.started = starting;
    // A store that could not be created (say, its data directory is locked) is tried again on the next call.
    starting.catch(() => {
      if (this.started === starting && this.store === undefined) this.started = undefined;
    });
    return starting;
  }

  private async start(): Promise<ActorManager> {
    const m = new ActorManager(this.config.use, (this.store ??= this.openStore?.() ?? new MemoryStore()), {
      logger: this.config.logger,
      maxActorsPerName: this.config.maxActorsPerName,
      limits: this.config.limits,
    });
    await m.start();
    this.current = m;
    return m;
  }

  /** Commits and unloads every live actor, then closes the store. */
  async shutdown(graceMs?: number): Promise<void> {
    if (!this.started) {
      await this.store?.close();
      return;
    }
    const m = await this.started;
    await m.shutdown(graceMs);
  }
}

/** Declares the registry: `setup({ use: { counter, chat } })`. */
export function setup<TActors extends Record<string, AnyActorDefinition>>(config: RegistryConfig<TActors>): Registry<TActors> {
  return new Registry(config);
}

export type AnyRegistry = Registry<Record<string, AnyActorDefinition>>;
