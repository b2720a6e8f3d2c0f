import type { ActorRecord, ActorStore, ScheduledEvent, StoredActor } from "./types.js";
import { indexKey } from "./types.js";

/** Keeps everything in process memory: for tests, demos and explicit opt-in. Nothing survives a restart. */
export class MemoryStore implements ActorStore {
  private readonly byId = new Map<string, ActorRecord>();
  private readonly byKey = new Map<string, string>();
  private readonly data = new Map<string, StoredActor>();
  private readonly events = new Map<string, ScheduledEvent>();

  insert(record: ActorRecord, input: string | undefined) {
    const k = indexKey(record.name, record.key);
    const existing = this.byKey.get(k);
    if (existing !== undefined) return { record: this.byId.get(existing)!, created: false };
    this.byKey.set(k, record.actorId);
    this.byId.set(record.actorId, record);
    this.data.set(record.actorId, { state: undefined, input });
    return { record, created: true };
  }

  findByKey(name: string, key: readonly string[]) {
    const id = this.byKey.get(indexKey(name, key));
    return id === undefined ? undefined : this.byId.get(id);
  }

  findById(actorId: string) {
    return this.byId.get(actorId);
  }

  countByName(name: string) {
    let n = 0;
    for (const r of this.byId.values()) if (r.name === name) n++;
    return n;
  }

  read(actorId: string) {
    return this.data.get(actorId);
  }

  writeState(actorId: string, state: string) {
    const d = this.data.get(actorId);
    if (d) {
      d.state = state;
      d.input = undefined;
    }
  }

  remove(actorId: string) {
    const r = this.byId.get(actorId);
    if (!r) return;
    this.byId.delete(actorId);
    this.byKey.delete(indexKey(r.name, r.key));
    this.data.delete(actorId);
    for (const [id, e] of this.events) if (e.actorId === actorId) this.events.delete(id);
  }

  addEvent(event: ScheduledEvent) {
    this.events.set(event.eventId, event);
  }

  removeEvent(eventId: string) {
    this.events.delete(eventId);
  }

  listEvents(limit?: number) {
    const all = [...this.events.values()].sort((a, b) => a.at - b.at);
    return limit === undefined ? all : all.slice(0, limit);
  }

  close() {}
}
