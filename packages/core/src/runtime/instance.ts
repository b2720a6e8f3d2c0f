import { BoundContext, createLogger } from "../actor/context.js";
import type { Conn, ContextHost, Logger, Schedule } from "../actor/context.js";
import type { AnyActorDefinition } from "../actor/definition.js";
import { ErrorCode, TroupeError } from "../errors.js";
import type { ActorRecord, ActorStore } from "../storage/types.js";
import { onBodyFinished, type OnResponseDone } from "./body.js";
import { nextConnId } from "./ids.js";

/** What an instance needs from the manager that owns it. */
export interface InstanceOwner {
  readonly store: ActorStore;
  readonly logger: Partial<Logger> | undefined;
  /** Registry-wide defaults for per-actor limits. */
  readonly limits?: Partial<Record<LimitName, number>>;
  /** Called whenever the instance has no in-flight work left. */
  idle(instance: ActorInstance): void;
  destroy(actorId: string): Promise<void>;
  sleepNow(instance: ActorInstance): void;
  /** Drops an instance whose memory can no longer be trusted; the next request reloads it from storage. */
  discard(instance: ActorInstance): void;
  scheduleEvent(actorId: string, at: number, action: string, args: unknown[]): Promise<string>;
  cancelEvent(eventId: string): Promise<void>;
}

export const DEFAULTS = {
  sleepTimeout: 30_000,
  saveInterval: 1_000,
  maxRequestBodySize: 10 * 1024 * 1024,
  requestTimeout: 30_000,
  maxInFlight: 1024,
} as const;

/** Limits an actor may set in `options` and a registry in `limits`. */
export type LimitName = "maxRequestBodySize" | "requestTimeout" | "maxInFlight";

const serialize = (state: unknown) => JSON.stringify(state) ?? "null";

/** A connection opened by `open`: its context, and how it ends (`close`, idempotent). */
class Session {
  readonly ctx: BoundContext;
  /** In `c.conns` (set once the connect hooks let it in). */
  listed = false;
  closed = false;
  /** The request's signal, watched when the host gives no response-done hook. */
  signal: AbortSignal | undefined;

  constructor(
    private readonly instance: ActorInstance,
    readonly conn: Conn<any>,
  ) {
    this.ctx = new BoundContext(instance, conn);
  }

  /** Ends the connection once: `onDisconnect`, activity released. A plain function: hosts call it back. */
  readonly close = (): void => {
    if (this.closed) return;
    this.closed = true;
    this.instance.disconnected(this);
  };

  /** Ends the connection and rethrows `err`. */
  fail(err: unknown): never {
    this.close();
    throw err;
  }
}

/** One live, in-memory incarnation of an actor. At most one per actor id per process. */
export class ActorInstance implements ContextHost {
  state: any;
  vars: any;
  readonly conns = new Map<string, Conn<any>>();
  readonly log: Logger;
  readonly schedule: Schedule;
  status: "starting" | "live" | "stopping" | "stopped" = "starting";
  /** Connections plus scheduled runs in progress; the actor may sleep only at 0. */
  activity = 0;
  /** When activity last dropped to 0 (epoch ms). */
  idleSince = Date.now();
  /** Set by the manager while a sleep timer is armed. */
  sleepTimer: ReturnType<typeof setTimeout> | undefined;
  /** Resolves when a stop (sleep or destroy) finishes. */
  stopped: Promise<void> | undefined;
  wantsSleep = false;
  wantsDestroy = false;

  private saved: string | undefined;
  /**
   * Set once a write failed: memory may now hold effects that were never committed, so nothing
   * more is written from this instance (the failed requests must have no effect); it is
   * discarded and the next request reloads the last committed state.
   */
  private poisoned: TroupeError | undefined;
  private pendingWrite: Promise<void> | undefined;
  private relaxedTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly relaxed: boolean;

  constructor(
    readonly def: AnyActorDefinition,
    readonly record: ActorRecord,
    private readonly owner: InstanceOwner,
  ) {
    this.log = createLogger(`${record.name}/${record.actorId.slice(0, 8)}`, owner.logger);
    this.relaxed = def.options?.durability === "relaxed";
    const id = record.actorId;
    this.schedule = {
      after: (ms, action, ...args) => owner.scheduleEvent(id, Date.now() + ms, action, args),
      at: (when, action, ...args) => owner.scheduleEvent(id, +when, action, args),
      cancel: (eventId) => owner.cancelEvent(eventId),
    };
  }

  get actorId() {
    return this.record.actorId;
  }
  get name() {
    return this.record.name;
  }
  get key() {
    return this.record.key;
  }
  /**
   * A per-actor limit: the actor's own `options` win, then `registryValue` (by default the
   * registry's `limits`), then the documented default.
   */
  limit(name: LimitName, registryValue = this.owner.limits?.[name]): number {
    return this.def.options?.[name] ?? registryValue ?? DEFAULTS[name];
  }

  get sleepTimeout(): number {
    return this.def.options?.sleepTimeout ?? DEFAULTS.sleepTimeout;
  }

  /** Loads state (initializing a new actor), builds vars, runs `onWake`. */
  async start(): Promise<void> {
    const stored = await this.owner.store.read(this.actorId);
    if (!stored) throw new TroupeError(ErrorCode.ActorNotFound, `Actor not found: ${this.actorId}`, { status: 404 });
    const ctx = new BoundContext(this, undefined);
    if (stored.state === undefined) {
      const input = stored.input === undefined ? undefined : JSON.parse(stored.input);
      this.state = this.def.createState ? await this.def.createState(ctx, input) : structuredClone(this.def.state);
      this.vars = await this.createVars(ctx);
      await this.def.onCreate?.(ctx, input);
      await this.flush(true);
    } else {
      this.state = JSON.parse(stored.state);
      this.saved = stored.state;
      this.vars = await this.createVars(ctx);
    }
    await this.def.onWake?.(ctx);
    await this.flush();
    this.status = "live";
  }

  private async createVars(ctx: BoundContext) {
    if (this.def.createVars) return this.def.createVars(ctx);
    return this.def.vars === undefined ? undefined : structuredClone(this.def.vars);
  }

  /** Runs `onSleep`, commits state, and marks the instance stopped. Called by the manager. */
  async stop(hook: "onSleep" | "onDestroy"): Promise<void> {
    this.status = "stopping";
    if (this.relaxedTimer) clearTimeout(this.relaxedTimer);
    try {
      await this.def[hook]?.(new BoundContext(this, undefined));
    } catch (err) {
      this.log.error(`${hook} threw`, { error: String(err) });
    }
    try {
      if (hook === "onSleep") await this.flush();
      else await this.pendingWrite?.catch(() => {});
    } finally {
      this.status = "stopped";
    }
  }

  // ---- durability ----

  /**
   * Commits state if it changed. Also waits for a write still in flight, so that a response
   * never reveals state that is not yet durable.
   */
  private flush(force = false): Promise<void> | undefined {
    if (this.poisoned) return Promise.reject(this.poisoned);
    const json = serialize(this.state);
    if (json === this.saved && !force) return this.pendingWrite;
    this.saved = json;
    let write: Promise<void>;
    try {
      write = Promise.resolve(this.owner.store.writeState(this.actorId, json));
    } catch (err) {
      write = Promise.reject(err);
    }
    const tracked: Promise<void> = write.then(
      () => {
        if (this.pendingWrite === tracked) this.pendingWrite = undefined;
      },
      (err) => {
        if (this.pendingWrite === tracked) this.pendingWrite = undefined;
        if (!this.poisoned) {
          this.poisoned = new TroupeError(ErrorCode.StorageError, "Could not save actor state", {
            status: 503,
            headers: { "retry-after": "1" },
            cause: err,
          });
          this.log.error("state write failed; reloading from storage on the next request", { error: String(err) });
          this.owner.discard(this);
        }
        throw this.poisoned;
      },
    );
    this.pendingWrite = tracked;
    return tracked;
  }

  /** After a handler: strict actors commit now; relaxed ones on their interval. */
  private persistAfterHandler(): Promise<void> | undefined {
    if (!this.relaxed) return this.flush();
    if (!this.relaxedTimer) {
      this.relaxedTimer = setTimeout(() => {
        this.relaxedTimer = undefined;
        this.flush()?.catch((err) => this.log.error("relaxed save failed", { error: String(err) }));
      }, this.def.options?.saveInterval ?? DEFAULTS.saveInterval);
    }
    return undefined;
  }

  saveState(): Promise<void> {
    return this.flush() ?? Promise.resolve();
  }

  requestSleep() {
    this.wantsSleep = true;
    if (this.activity === 0) this.owner.idle(this);
  }

  requestDestroy() {
    this.wantsDestroy = true;
    if (this.activity === 0) this.owner.idle(this);
  }

  // ---- connections ----

  private busy() {
    this.activity++;
  }

  private release() {
    if (--this.activity === 0) {
      this.idleSince = Date.now();
      this.owner.idle(this);
    }
  }

  /**
   * Serves one raw request: onBeforeConnect -> onConnect -> onRequest -> commit -> response.
   * `onDisconnect` runs once, when the body is finished, cancelled, or the request failed
   * (or, when the host passes `whenDone`, once it reports the response sent or abandoned).
   *
   * Written without `async`: for an awake actor with synchronous hooks and nothing to commit,
   * the whole path runs in one tick with a single promise at the end (each `await` here was
   * measurable per request on the standalone host).
   */
  fetch(request: Request, path: string, params: unknown, whenDone?: OnResponseDone): Response | Promise<Response> {
    const onRequest = this.def.onRequest;
    if (!onRequest) {
      throw new TroupeError(ErrorCode.RequestHandlerNotDefined, `Actor ${this.name} has no onRequest handler`, {
        status: 404,
      });
    }
    const session = this.open(request, path, params, whenDone);
    if (session instanceof Promise) return session.then((s) => this.respond(s, onRequest, request, whenDone));
    return this.respond(session, onRequest, request, whenDone);
  }

  /** Runs `onRequest` in an open session, commits, and hands the response on. */
  private respond(
    session: Session,
    onRequest: NonNullable<AnyActorDefinition["onRequest"]>,
    request: Request,
    whenDone: OnResponseDone | undefined,
  ): Response | Promise<Response> {
    try {
      const res = onRequest(session.ctx, request);
      const out = res instanceof Promise ? this.timed(res).then((r) => this.answered(r, session, whenDone)) : this.answered(res, session, whenDone);
      return out instanceof Promise ? out.catch((err) => session.fail(err)) : out;
    } catch (err) {
      return session.fail(err);
    }
  }

  /** Checks the handler's answer, commits state (strict actors), then hands the response on. */
  private answered(res: unknown, session: Session, whenDone: OnResponseDone | undefined): Response | Promise<Response> {
    if (!isResponse(res)) {
      throw new TroupeError(ErrorCode.InvalidResponse, "onRequest must return a Response", { status: 500 });
    }
    const committed = this.persistAfterHandler();
    // With `whenDone` the host ends the connection; otherwise the body's end does.
    if (committed === undefined) return whenDone ? res : onBodyFinished(res, session.close);
    return committed.then(() => (whenDone ? res : onBodyFinished(res, session.close)));
  }

  /** Calls an action through the same connection hooks as a raw request. */
  async action(request: Request, name: string, args: unknown[], params: unknown): Promise<unknown> {
    const fn = this.def.actions && Object.hasOwn(this.def.actions, name) ? this.def.actions[name] : undefined;
    if (typeof fn !== "function") {
      throw new TroupeError(ErrorCode.ActionNotFound, `Actor ${this.name} has no action ${JSON.stringify(name)}`, {
        status: 404,
      });
    }
    const session = await this.open(request, `action:${name}`, params);
    try {
      const result = fn(session.ctx, ...args);
      const output = result instanceof Promise ? await this.timed(result) : result;
      await this.persistAfterHandler();
      return output;
    } finally {
      session.close();
    }
  }

  /** Runs a scheduled action with no connection. */
  async runScheduled(name: string, args: unknown[]): Promise<void> {
    const fn = this.def.actions?.[name];
    if (typeof fn !== "function") throw new Error(`scheduled action ${name} does not exist`);
    this.busy();
    try {
      await fn(new BoundContext(this, undefined), ...args);
      await this.persistAfterHandler();
    } finally {
      this.release();
    }
  }

  /**
   * Lists a connection and runs the connect hooks. The connection ends (`onDisconnect`, activity
   * released) when `whenDone` reports the response finished, or, without it, when the request's
   * signal aborts or the caller calls `close`. Synchronous unless a connect hook returns a promise.
   */
  private open(request: Request, path: string, params: unknown, whenDone?: OnResponseDone): Session | Promise<Session> {
    const maxInFlight = this.limit("maxInFlight");
    if (this.conns.size >= maxInFlight) {
      throw new TroupeError("actor_overloaded", `Actor has ${maxInFlight} requests in flight; retry shortly`, {
        status: 503,
        headers: { "retry-after": "1" },
      });
    }
    this.busy();
    const conn: Conn<any> = { id: nextConnId(), params, method: request.method, path, startedAt: Date.now(), state: {} };
    const session = new Session(this, conn);
    try {
      const before = this.def.onBeforeConnect?.(session.ctx, { request, params });
      if (before instanceof Promise) {
        return before.then(() => this.connect(session, request, whenDone)).catch((err) => session.fail(err));
      }
      return this.connect(session, request, whenDone);
    } catch (err) {
      return session.fail(err);
    }
  }

  /** Lists the connection, arranges for it to end, and runs `onConnect`. */
  private connect(session: Session, request: Request, whenDone: OnResponseDone | undefined): Session | Promise<Session> {
    const conn = session.conn;
    this.conns.set(conn.id, conn);
    session.listed = true;
    if (whenDone) {
      whenDone(session.close); // calls back at once when the client is already gone
    } else {
      // Only read without a host hook: on some hosts the signal is built on first access.
      const signal = (session.signal = request.signal);
      if (!signal.aborted) signal.addEventListener("abort", session.close);
    }
    if (session.closed || session.signal?.aborted) {
      throw new TroupeError("client_closed", "Client closed the request", { status: 499 });
    }
    const connected = this.def.onConnect?.(session.ctx, conn);
    return connected instanceof Promise ? connected.then(() => session, (err) => session.fail(err)) : session;
  }

  /** Called once per connection by `Session.close`. */
  disconnected(session: Session): void {
    session.signal?.removeEventListener("abort", session.close);
    if (session.listed) {
      const conn = session.conn;
      this.conns.delete(conn.id);
      const onDisconnect = this.def.onDisconnect;
      if (onDisconnect) {
        try {
          const r = onDisconnect(session.ctx, conn);
          if (r instanceof Promise) r.catch((err) => this.log.error("onDisconnect threw", { error: String(err) }));
        } catch (err) {
          this.log.error("onDisconnect threw", { error: String(err) });
        }
      }
    }
    this.release();
  }

  /** Races a handler's promise against `requestTimeout`. */
  private timed<T>(result: Promise<T>): Promise<T> {
    const ms = this.limit("requestTimeout");
    if (!Number.isFinite(ms) || ms <= 0) return result;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new TroupeError(ErrorCode.RequestTimeout, `Handler did not answer within ${ms} ms`, { status: 504 })),
        ms,
      );
      result.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

}

/** `instanceof` alone fails when a framework ships its own Response class; accept the shape too. */
export function isResponse(value: unknown): value is Response {
  if (value instanceof Response) return true;
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Response).status === "number" &&
    (value as Response).headers instanceof Headers &&
    "body" in value
  );
}
