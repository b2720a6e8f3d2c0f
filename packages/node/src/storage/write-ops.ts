/** Messages between the store (main thread) and its SQLite writer thread. Types only. */

/** One write, as plain data so it can cross to the writer thread. */
export type WriteOp =
  | { kind: "insert"; actorId: string; name: string; keyJson: string; indexKey: string; createdAt: number; input: string | null }
  | { kind: "writeState"; actorId: string; state: string }
  | { kind: "remove"; actorId: string }
  | { kind: "addEvent"; eventId: string; actorId: string; at: number; action: string; args: string }
  | { kind: "removeEvent"; eventId: string };

/** What an insert answers: created, or the actor that already owns the key. */
export type InsertResult =
  | { created: true }
  | { created: false; existing: { actor_id: string; name: string; key_json: string; created_at: number } };

export type WriteOutcome = { ok: true; value?: InsertResult } | { ok: false; message: string; errcode?: number };

/** Start-up data of the writer thread. */
export interface WriterInit {
  path: string;
  synchronous: "FULL" | "NORMAL";
}

export type ToWriter = { type: "batch"; ops: WriteOp[] } | { type: "close" };

/** The answer to one batch: one outcome per op, or a failure of the whole transaction. */
export type FromWriter = { type: "committed"; outcomes: WriteOutcome[] } | { type: "failed"; message: string; errcode?: number };
