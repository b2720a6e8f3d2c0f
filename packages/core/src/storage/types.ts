/**
 * The storage boundary. The runtime talks to storage only through `ActorStore`, so an
 * in-memory store, SQLite on disk or a remote store can sit behind the same gateway.
 * Methods may answer synchronously or with a promise; callers always `await`.
 */

/** What the index knows about one actor. */
export interface ActorRecord {
  actorId: string;
  name: string;
  key: string[];
  createdAt: number;
}

/** A persisted scheduled action call. */
export interface ScheduledEvent {
  eventId: string;
  actorId: string;
  /** Epoch milliseconds when it is due. */
  at: number;
  action: string;
  args: unknown[];
}

/** Persisted per-actor data: serialized state, or the creation input while not yet initialized. */
export interface StoredActor {
  /** JSON of the state; `undefined` until the actor first ran `createState`. */
  state: string | undefined;
  /** JSON of the creation input, kept until state is initialized. */
  input: string | undefined;
}

type MaybePromise<T> = T | Promise<T>;

export interface ActorStore {
  /** Inserts a new actor unless `name`+`key` is taken; returns the record that now owns the key. */
  insert(record: ActorRecord, input: string | undefined): MaybePromise<{ record: ActorRecord; created: boolean }>;
  findByKey(name: string, key: readonly string[]): MaybePromise<ActorRecord | undefined>;
  findById(actorId: string): MaybePromise<ActorRecord | undefined>;
  countByName(name: string): MaybePromise<number>;
  /** Reads state and pending input. */
  read(actorId: string): MaybePromise<StoredActor | undefined>;
  /**
   * Durably writes state. The promise resolves once the write is committed; stores may
   * batch concurrent writes into one transaction (group commit).
   */
  writeState(actorId: string, state: string): MaybePromise<void>;
  /** Removes the actor, its state and its scheduled events. */
  remove(actorId: string): MaybePromise<void>;
  addEvent(event: ScheduledEvent): MaybePromise<void>;
  removeEvent(eventId: string): MaybePromise<void>;
  /** Pending events, soonest first: all of them, or the first `limit`. */
  listEvents(limit?: number): MaybePromise<ScheduledEvent[]>;
  /** Releases files and locks. */
  close(): MaybePromise<void>;
}

/** Index key for name + key; JSON keeps any character (commas, slashes, empty parts) distinct. */
export const indexKey = (name: string, key: readonly string[]) => JSON.stringify([name, ...key]);
