import type { Logger } from "../actor/context.js";
import { createLogger } from "../actor/context.js";
import type { AnyActorDefinition } from "../actor/definition.js";
import { actorNameNotFound, actorNotFound, ErrorCode, TroupeError } from "../errors.js";
import type { ActorRecord, ActorStore, ScheduledEvent } from "../storage/types.js";
import { randomId } from "./ids.js";
import { ActorInstance, type InstanceOwner, type LimitName } from "./instance.js";

export interface ManagerOptions {
  logger?: Partial<Logger>;
  /** Most actors of one name (default unlimited); creating more answers 429 `too_many_actors`. */
  maxActorsPerName?: number;
  /** Registry-wide defaults for per-actor limits (actor `options` win). */
  limits?: Partial<Record<LimitName, number>>;
}

/** Scheduled events read from the store at a time while firing. */
const FIRE_BATCH = 100;

/** Longest delay a Node/WinterTC timer accepts. */
const MAX_TIMER = 2 ** 31 - 1;

/**
 * Owns the live instances of one process: loads (wakes) them on demand, puts idle ones to
 * sleep, destroys them, and fires scheduled events.
 */
export class ActorManager implements InstanceOwner {
  private readonly live = new Map<string, ActorInstance>();
  private readonly loading = new Map<string, Promise<ActorInstance>>();
  private eventTimer: ReturnType<typeof setTimeout> | undefined;
  private nextEventAt = Infinity;
  /** True while `fireDue` runs; events cancelled meanwhile are skipped. */
  private firing = false;
  private readonly cancelled = new Set<string>();
  private closed = false;
  readonly log: Logger;

  constructor(
    readonly defs: Readonly<Record<string, AnyActorDefinition>>,
    readonly store: ActorStore,
    private readonly options: ManagerOptions = {},
  ) {
    this.log = createLogger("manager", options.logger);
  }

  get logger() {
    return this.options.logger;
  }

  get limits() {
    return this.options.limits;
  }

  /** Arms the timer for events persisted by an earlier process. */
  async start(): Promise<void> {
    await this.armEvents();
  }

  // ---- the index ----

  definition(name: string): AnyActorDefinition {
    const def = Object.hasOwn(this.defs, name) ? this.defs[name] : undefined;
    if (!def) throw actorNameNotFound(name);
    return def;
  }

  async getOrCreate(name: string, key: string[], input: unknown) {
    this.definition(name);
    const existing = await this.store.findByKey(name, key);
    if (existing) return { record: existing, created: false };
    return this.insert(name, key, input);
  }

  async create(name: string, key: string[], input: unknown): Promise<ActorRecord> {
    this.definition(name);
    const { record, created } = await this.insert(name, key, input);
    if (!created) {
      throw new TroupeError(ErrorCode.ActorAlreadyExists, `An actor ${name} with this key already exists`, {
        status: 409,
      });
    }
    return record;
  }

  private async insert(name: string, key: string[], input: unknown) {
    const max = this.options.maxActorsPerName;
    if (max !== undefined && (await this.store.countByName(name)) >= max) {
      throw new TroupeError("too_many_actors", `The limit of ${max} actors named ${name} is reached`, { status: 429 });
    }
    const record: ActorRecord = { actorId: randomId(), name, key: [...key], createdAt: Date.now() };
    const inputJson = input === undefined ? undefined : JSON.stringify(input);
    return this.store.insert(record, inputJson);
  }

  async findByKey(name: string, key: string[]): Promise<ActorRecord> {
    this.definition(name);
    const record = await this.store.findByKey(name, key);
    if (!record) throw actorNotFound(`${name} ${JSON.stringify(key)}`);
    return record;
  }

  async findById(actorId: string): Promise<ActorRecord> {
    const live = this.live.get(actorId);
    if (live) return live.record;
    const record = await this.store.findById(actorId);
    if (!record) throw actorNotFound(actorId);
    return record;
  }

  // ---- live instances ----

  /** Number of instances in memory (awake). */
  get liveCount() {
    return this.live.size;
  }

  isAwake(actorId: string) {
    return this.live.get(actorId)?.status === "live";
  }

  /** The live instance of an actor, woken if asleep. Synchronous when it is already awake. */
  acquire(actorId: string): ActorInstance | Promise<ActorInstance> {
    const inst = this.live.get(actorId);
    if (inst !== undefined && inst.status === "live") return inst;
    return this.wake(actorId);
  }

  private async wake(actorId: string): Promise<ActorInstance> {
    for (;;) {
      if (this.closed) throw new TroupeError("shutting_down", "The server is shutting down", { status: 503 });
      const inst = this.live.get(actorId);
      if (inst) {
        if (inst.status === "live") return inst;
        await inst.stopped?.catch(() => {}); // a failed sleep is logged where it happens
        continue;
      }
      let pending = this.loading.get(actorId);
      if (!pending) {
        pending = this.load(actorId);
        this.loading.set(actorId, pending);
        pending.then(
          () => this.loading.delete(actorId),
          () => this.loading.delete(actorId),
        );
      }
      return pending;
    }
  }

  private async load(actorId: string): Promise<ActorInstance> {
    const record = await this.store.findById(actorId);
    if (!record) throw actorNotFound(actorId);
    const inst = new ActorInstance(this.definition(record.name), record, this);
    await inst.start();
    this.live.set(actorId, inst);
    if (inst.activity === 0) this.idle(inst);
    return inst;
  }

  /** Called by an instance when it has nothing in flight: arm its sleep timer (or act on sleep/destroy requests). */
  idle(inst: ActorInstance): void {
    if (inst.status !== "live") return;
    if (inst.wantsDestroy) {
      void this.destroy(inst.actorId).catch((err) => this.log.error("destroy failed", { error: String(err) }));
      return;
    }
    if (inst.wantsSleep) return this.sleepNow(inst);
    if (inst.sleepTimer !== undefined) return; // the armed timer re-checks idleSince
    const timeout = inst.sleepTimeout;
    if (!Number.isFinite(timeout)) return;
    const check = () => {
      inst.sleepTimer = undefined;
      if (inst.status !== "live" || inst.activity > 0) return;
      const left = inst.idleSince + timeout - Date.now();
      if (left > 0) {
        inst.sleepTimer = setTimeout(check, left);
        unref(inst.sleepTimer);
      } else this.sleepNow(inst);
    };
    inst.sleepTimer = setTimeout(check, Math.min(timeout, MAX_TIMER));
    unref(inst.sleepTimer);
  }

  /** Unloads an idle instance; its state is committed first. */
  sleepNow(inst: ActorInstance): void {
    if (inst.status !== "live" || inst.activity > 0) {
      inst.wantsSleep = true;
      return;
    }
    if (inst.sleepTimer !== undefined) clearTimeout(inst.sleepTimer);
    inst.stopped = inst.stop("onSleep").finally(() => {
      if (this.live.get(inst.actorId) === inst) this.live.delete(inst.actorId);
    });
    inst.stopped.catch((err) => this.log.error("sleep failed", { error: String(err) }));
  }

  /**
   * Forgets an instance whose state write failed, without running hooks or writing anything:
   * requests already inside it fail; the next request loads the last committed state.
   */
  discard(inst: ActorInstance): void {
    if (inst.sleepTimer !== undefined) clearTimeout(inst.sleepTimer);
    inst.status = "stopped";
    inst.stopped ??= Promise.resolve();
    if (this.live.get(inst.actorId) === inst) this.live.delete(inst.actorId);
  }

  /** Runs `onDestroy` and removes the actor and everything stored for it. Its key becomes free. */
  async destroy(actorId: string): Promise<void> {
    let inst = await this.acquire(actorId);
    // Another destroy (or a sleep) may have begun while we waited: let it finish, then look again
    // (a destroyed actor is then not found; a sleeping one is woken to be destroyed).
    while (inst.status !== "live") {
      await inst.stopped?.catch(() => {});
      inst = await this.acquire(actorId);
    }
    if (inst.sleepTimer !== undefined) clearTimeout(inst.sleepTimer);
    // Unload even if removal fails, or waiters would spin on a stopped instance; the actor then
    // stays stored and the next request wakes it again.
    inst.stopped = inst
      .stop("onDestroy")
      .then(() => this.store.remove(actorId))
      .finally(() => {
        if (this.live.get(actorId) === inst) this.live.delete(actorId);
      });
    await inst.stopped;
  }

  // ---- scheduled events ----

  async scheduleEvent(actorId: string, at: number, action: string, args: unknown[]): Promise<string> {
    const event: ScheduledEvent = { eventId: randomId(), actorId, at, action, args };
    JSON.stringify(args); // fail early on arguments that cannot be persisted
    await this.store.addEvent(event);
    // While firing, the run re-arms from the store when it finishes and will see this event.
    if (!this.firing && at < this.nextEventAt) this.armTimer(at);
    return event.eventId;
  }

  async cancelEvent(eventId: string): Promise<void> {
    if (this.firing) this.cancelled.add(eventId);
    await this.store.removeEvent(eventId);
  }

  private armTimer(at: number) {
    if (this.closed) return;
    this.clearEventTimer();
    this.nextEventAt = at;
    this.eventTimer = setTimeout(() => void this.fireDue(), Math.max(0, Math.min(at - Date.now(), MAX_TIMER)));
    unref(this.eventTimer);
  }

  private clearEventTimer() {
    if (this.eventTimer !== undefined) clearTimeout(this.eventTimer);
    this.eventTimer = undefined;
    this.nextEventAt = Infinity;
  }

  /** Arms the timer for the soonest stored event, unless a timer for an even sooner one is armed. */
  private async armEvents() {
    const events = await this.store.listEvents(1);
    // An event scheduled while we were reading may have armed the timer meanwhile: keep it if sooner.
    if (events.length > 0 && events[0]!.at < this.nextEventAt) this.armTimer(events[0]!.at);
  }

  /**
   * Fires every due event in order, one at a time, then re-arms for the next one. Never runs
   * twice at once (so no event fires twice). An event is removed after its action ran and its
   * state was committed: delivery is at least once across a crash in between.
   */
  private async fireDue() {
    this.clearEventTimer();
    if (this.firing || this.closed) return;
    this.firing = true;
    let failed = false;
    try {
      const now = Date.now();
      // Read due events a chunk at a time (fired ones are removed, so the next read moves on);
      // stop when a chunk holds events not yet due, or when nothing in it could be fired.
      for (let more = true; more && !this.closed; ) {
        const due = (await this.store.listEvents(FIRE_BATCH)).filter((e) => e.at <= now);
        let fired = 0;
        for (const event of due) {
          if (this.closed) break;
          if (this.cancelled.has(event.eventId)) continue;
          await this.fire(event);
          fired++;
        }
        more = due.length === FIRE_BATCH && fired > 0;
      }
    } catch (err) {
      failed = true;
      this.log.error("firing scheduled events failed; retrying in 1 s", { error: String(err) });
    } finally {
      this.firing = false;
      this.cancelled.clear();
    }
    if (this.closed) return;
    if (failed) return this.armTimer(Date.now() + 1000);
    await this.armEvents().catch((err) => {
      this.log.error("re-arming scheduled events failed; retrying in 1 s", { error: String(err) });
      this.armTimer(Date.now() + 1000);
    });
  }

  private async fire(event: ScheduledEvent) {
    try {
      const inst = await this.acquire(event.actorId);
      await inst.runScheduled(event.action, event.args);
    } catch (err) {
      this.log.error(`scheduled action ${event.action} failed`, { actorId: event.actorId, error: String(err) });
    }
    await this.store.removeEvent(event.eventId);
  }

  // ---- shutdown ----

  /** Stops timers and puts every live actor to sleep (state committed). Waits for in-flight work up to `graceMs`. */
  async shutdown(graceMs = 10_000): Promise<void> {
    this.closed = true;
    this.clearEventTimer();
    const deadline = Date.now() + graceMs;
    while ([...this.live.values()].some((i) => i.activity > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(
      [...this.live.values()].map(async (inst) => {
        if (inst.status === "live") {
          inst.activity = 0;
          this.sleepNow(inst);
        }
        await inst.stopped?.catch(() => {});
      }),
    );
    await this.store.close();
  }
}

function unref(timer: unknown) {
  (timer as { unref?: () => void }).unref?.();
}
