import type { DatabaseSync, StatementSync } from "node:sqlite";

interface QueuedWrite {
  run: () => unknown;
  resolve: (value: any) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit: writes queued during one turn of the event loop run in a single transaction,
 * committed once (one fsync for the whole batch), on `setImmediate`. Each caller's promise
 * settles only after the commit of its batch, so "resolved" means "durable".
 *
 * A write that throws is rejected alone (each write is a single statement, which SQLite
 * rolls back on its own); if the commit itself fails the whole batch is rejected.
 */
export class GroupCommit {
  private queue: QueuedWrite[] = [];
  private timer: ReturnType<typeof setImmediate> | undefined;
  private readonly begin: StatementSync;
  private readonly commit: StatementSync;
  private readonly rollback: StatementSync;
  /** Transactions committed so far. */
  batches = 0;
  /** Writes committed so far. */
  writes = 0;

  constructor(private readonly db: DatabaseSync) {
    this.begin = db.prepare("BEGIN IMMEDIATE");
    this.commit = db.prepare("COMMIT");
    this.rollback = db.prepare("ROLLBACK");
  }

  /** Queues a synchronous write; resolves with its result once its batch is committed. */
  enqueue<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve, reject });
      this.timer ??= setImmediate(() => this.flush());
    });
  }

  /** Commits every queued write now (also used by `close()`). */
  flush(): void {
    if (this.timer !== undefined) clearImmediate(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    try {
      this.begin.run();
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    const outcomes: Outcome[] = [];
    for (const w of batch) {
      // Some errors (I/O, disk full) make SQLite roll the whole transaction back: stop there.
      if (!this.db.isTransaction) break;
      try {
        outcomes.push({ ok: true, value: w.run() });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    if (!this.db.isTransaction) {
      const error = new Error("The storage transaction was rolled back; nothing in this batch was saved");
      for (const w of batch) w.reject(error);
      return;
    }
    try {
      this.commit.run();
    } catch (err) {
      try {
        if (this.db.isTransaction) this.rollback.run();
      } catch {
        /* the commit error is the one to report */
      }
      for (const w of batch) w.reject(err);
      return;
    }
    this.batches++;
    this.writes += outcomes.filter((o) => o.ok).length;
    batch.forEach((w, i) => {
      const o = outcomes[i]!;
      if (o.ok) w.resolve(o.value);
      else w.reject(o.error);
    });
  }
}
