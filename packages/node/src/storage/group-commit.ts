import { Worker } from "node:worker_threads";
import type { FromWriter, InsertResult, ToWriter, WriteOp, WriterInit } from "./write-ops.js";
import { WRITER_SOURCE } from "./writer-source.js";

interface Waiter {
  resolve: (value: InsertResult | undefined) => void;
  reject: (error: unknown) => void;
}

/** One op of the next batch and everyone waiting for it (several callers when state writes coalesce). */
interface QueuedWrite {
  op: WriteOp;
  waiters: Waiter[];
}

/** An error from the writer thread, with SQLite's error code kept. */
function writeError(message: string, errcode: number | undefined): Error {
  return Object.assign(new Error(message), { code: "ERR_SQLITE_ERROR", errcode });
}

/**
 * Group commit on a writer thread. Writes queued while a batch is being committed are sent
 * together as the next batch: one transaction and one fsync for all of them. Each caller's
 * promise settles only after the commit of its batch, so "resolved" means "durable". The main
 * thread never waits on the disk, so it keeps serving requests during an fsync. Queued state
 * writes of one actor coalesce into one row write.
 */
export class GroupCommit {
  private queue: QueuedWrite[] = [];
  /** State writes in `queue` by actor: a newer state replaces a queued one instead of adding a row write. */
  private queuedState = new Map<string, QueuedWrite>();
  private inFlight: QueuedWrite[] | undefined;
  private timer: ReturnType<typeof setImmediate> | undefined;
  private readonly worker: Worker;
  private broken: Error | undefined;
  private closing: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  /** Transactions committed so far. */
  batches = 0;
  /** Writes committed so far (state writes that were coalesced count once per caller). */
  writes = 0;

  constructor(init: WriterInit) {
    this.worker = new Worker(WRITER_SOURCE, { eval: true, workerData: init, name: "troupe-sqlite-writer" });
    this.worker.unref(); // referenced only while a batch is in flight
    this.worker.on("message", (reply: FromWriter) => this.settle(reply));
    this.worker.on("error", (err) => this.fail(err));
    this.worker.on("exit", (code) => {
      if (!this.closing) this.fail(new Error(`The SQLite writer thread exited (code ${code})`));
    });
  }

  /** Queues a write; resolves (with an insert's answer) once its batch is committed. */
  enqueue(op: WriteOp): Promise<InsertResult | undefined> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      if (op.kind === "writeState") {
        // Each state write carries the whole latest state, so only the newest one per actor needs
        // to reach the disk; all its callers resolve with the same commit.
        const queued = this.queuedState.get(op.actorId);
        if (queued) {
          queued.op = op;
          queued.waiters.push(waiter);
          return;
        }
      }
      const write: QueuedWrite = { op, waiters: [waiter] };
      this.queue.push(write);
      if (op.kind === "writeState") this.queuedState.set(op.actorId, write);
      this.schedule();
    });
  }

  private schedule() {
    if (this.inFlight || this.timer || this.queue.length === 0) return;
    // Wait for the rest of this event-loop turn: requests read in the same turn join the batch.
    this.timer = setImmediate(() => {
      this.timer = undefined;
      this.send();
    });
  }

  private send() {
    if (this.inFlight || this.queue.length === 0 || this.broken) return;
    const batch = this.queue;
    this.queue = [];
    this.queuedState = new Map();
    this.inFlight = batch;
    this.worker.ref(); // keep the process alive until the commit answers
    this.worker.postMessage({ type: "batch", ops: batch.map((w) => w.op) } satisfies ToWriter);
  }

  private settle(reply: FromWriter) {
    const batch = this.inFlight ?? [];
    this.inFlight = undefined;
    this.worker.unref();
    if (reply.type === "failed") {
      const err = writeError(reply.message, reply.errcode);
      for (const w of batch) for (const waiter of w.waiters) waiter.reject(err);
    } else {
      this.batches++;
      batch.forEach((w, i) => {
        const o = reply.outcomes[i];
        for (const waiter of w.waiters) {
          if (o?.ok) {
            this.writes++;
            waiter.resolve(o.value);
          } else waiter.reject(o ? writeError(o.message, o.errcode) : new Error("The write was not applied"));
        }
      });
    }
    if (this.queue.length > 0) this.schedule();
    else this.drained?.();
  }

  private fail(err: unknown) {
    this.broken ??= err instanceof Error ? err : new Error(String(err));
    for (const w of [...(this.inFlight ?? []), ...this.queue]) for (const waiter of w.waiters) waiter.reject(this.broken);
    this.inFlight = undefined;
    this.queue = [];
    this.queuedState = new Map();
    this.drained?.();
  }

  /** Commits what is queued, then stops the writer thread. Idempotent. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      while ((this.inFlight || this.queue.length > 0) && !this.broken) {
        await new Promise<void>((resolve) => {
          this.drained = resolve;
          this.schedule();
        });
        this.drained = undefined;
      }
      if (this.broken) {
        await this.worker.terminate();
        return;
      }
      const exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
      this.worker.ref();
      this.worker.postMessage({ type: "close" } satisfies ToWriter);
      await exited;
    })());
  }
}
