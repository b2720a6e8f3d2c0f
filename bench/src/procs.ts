import { spawn, type ChildProcess } from "node:child_process";
import { sessionPids } from "./cpu.ts";
import { removeTempDirs } from "./tmp.ts";

/** A process started by the bench, in its own process group. */
export interface BenchProcess {
  readonly child: ChildProcess;
  /** What the process printed (stdout and stderr, last ~1 MB). */
  output(): string;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once the leader exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<BenchProcess>();
const helpers = new Set<ChildProcess>();

/** Registers a short-lived helper child (e.g. the load generator) to be killed if the bench dies. */
export function trackChild(child: ChildProcess): void {
  helpers.add(child);
  child.once("exit", () => helpers.delete(child));
}

/**
 * Starts `command args` in its own process group and resolves once its output matches
 * `ready` (the match is returned too). Every process started here is killed, with its
 * children, when the bench exits, fails or is interrupted.
 */
export async function startProcess(
  command: string,
  args: string[],
  options: {
    cwd?: string;
    env?: Record<string, string | undefined>;
    /** Ready once the output matches this... */
    ready?: RegExp;
    /** ...or once this URL answers with any HTTP status. */
    readyUrl?: string;
    timeoutMs?: number;
  },
): Promise<{ proc: BenchProcess; match: RegExpExecArray }> {
  const env = { ...process.env, ...options.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(command, args, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  const onData = (d: Buffer) => {
    out += d.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* the group is gone */
    }
  };
  // Some children leave the process group but not the session (RivetKit's engine does).
  const killSession = () => killPids(sessionPids(child.pid!));
  const proc: BenchProcess = {
    child,
    output: () => out,
    async stop(graceMs = 3000) {
      running.delete(proc);
      if (!exited) {
        signalGroup("SIGTERM");
        const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
        await exit;
        clearTimeout(timer);
      }
      signalGroup("SIGKILL");
      killSession(); // children that outlived their parent in another group (e.g. a spawned engine)
    },
  };
  running.add(proc);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const match = options.ready?.exec(out);
    if (match) return { proc, match };
    if (options.readyUrl && (await answers(options.readyUrl))) {
      const m = [options.readyUrl] as unknown as RegExpExecArray;
      return { proc, match: m };
    }
    if (exited || Date.now() > deadline) {
      await proc.stop(500);
      throw new Error(`${command} ${args.join(" ")} ${exited ? "exited" : "was not ready in time"}:\n${out.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function killPids(pids: number[]) {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
}

function answers(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    (r) => (r.body?.cancel(), true),
    () => false,
  );
}

/** Kills every process group the bench started that is still running (synchronous: safe in `exit`). */
export function killAll(): void {
  for (const p of running) {
    try {
      process.kill(-p.child.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
    killPids(sessionPids(p.child.pid!));
  }
  running.clear();
  for (const c of helpers) c.kill("SIGKILL");
  helpers.clear();
}

/** Makes sure no child outlives the bench, whatever way it ends. */
export function installCleanup(): void {
  const cleanup = () => {
    killAll();
    removeTempDirs();
  };
  process.once("exit", cleanup);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      cleanup();
      process.exit(130);
    });
  }
}
