/** A live connection: one raw HTTP request or action call, listed in `c.conns` while in flight. */
export interface Conn<TParams = unknown> {
  readonly id: string;
  /** Connection params from the `x-troupe-conn-params` header (JSON), or undefined. */
  readonly params: TParams;
  readonly method: string;
  /** Path as the actor sees it (`/` + the part after `/request/`), or `action:<name>`. */
  readonly path: string;
  /** Epoch ms when the connection started. */
  readonly startedAt: number;
  /** Free slot for per-connection data. */
  state: Record<string, unknown>;
}

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

export interface Schedule {
  /** Calls `action(...args)` on this actor after `ms`; persisted, survives restarts and sleep. Returns the event id. */
  after(ms: number, action: string, ...args: unknown[]): Promise<string>;
  /** Calls `action(...args)` on this actor at `when`. Returns the event id. */
  at(when: Date | number, action: string, ...args: unknown[]): Promise<string>;
  /** Cancels a scheduled event. */
  cancel(eventId: string): Promise<void>;
}

/** What every hook, action and request handler receives as `c`. */
export interface ActorContext<TState, TVars, TParams = unknown> {
  state: TState;
  vars: TVars;
  readonly actorId: string;
  readonly name: string;
  readonly key: readonly string[];
  /** Live connections by id. */
  readonly conns: ReadonlyMap<string, Conn<TParams>>;
  /** The connection being served (inside `onRequest`, actions, and connect hooks). */
  readonly conn: Conn<TParams> | undefined;
  readonly log: Logger;
  readonly schedule: Schedule;
  /** Commits the state now (it is also committed automatically after each request and action). */
  saveState(): Promise<void>;
  /** Unloads the actor once in-flight work finishes; the next request wakes it. */
  sleep(): void;
  /** Destroys the actor and its storage once the current handler returns. */
  destroy(): void;
}

/** The parts of a live instance a context needs; implemented by the runtime. */
export interface ContextHost {
  state: any;
  vars: any;
  readonly actorId: string;
  readonly name: string;
  readonly key: readonly string[];
  readonly conns: Map<string, Conn<any>>;
  readonly log: Logger;
  readonly schedule: Schedule;
  saveState(): Promise<void>;
  requestSleep(): void;
  requestDestroy(): void;
}

/** A context bound to one host and optionally one connection; cheap to make per request. */
export class BoundContext implements ActorContext<any, any, any> {
  constructor(
    private readonly host: ContextHost,
    readonly conn: Conn<any> | undefined,
  ) {}
  get state() {
    return this.host.state;
  }
  set state(v) {
    this.host.state = v;
  }
  get vars() {
    return this.host.vars;
  }
  set vars(v) {
    this.host.vars = v;
  }
  get actorId() {
    return this.host.actorId;
  }
  get name() {
    return this.host.name;
  }
  get key() {
    return this.host.key;
  }
  get conns() {
    return this.host.conns;
  }
  get log() {
    return this.host.log;
  }
  get schedule() {
    return this.host.schedule;
  }
  saveState() {
    return this.host.saveState();
  }
  sleep() {
    this.host.requestSleep();
  }
  destroy() {
    this.host.requestDestroy();
  }
}

export function createLogger(prefix: string, base?: Partial<Logger>): Logger {
  const out = (level: keyof Logger) => (msg: string, data?: Record<string, unknown>) => {
    if (base?.[level]) return base[level]!(msg, data);
    if (level === "debug") return;
    const line = `[troupe ${prefix}] ${msg}`;
    if (data) console[level](line, data);
    else console[level](line);
  };
  return { debug: out("debug"), info: out("info"), warn: out("warn"), error: out("error") };
}
