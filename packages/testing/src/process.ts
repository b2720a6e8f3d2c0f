import { spawn, type ChildProcess } from "node:child_process";

export interface StartProcessOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Resolve once stdout/stderr matches this (default: as soon as `readyUrl` answers). */
  readyPattern?: RegExp;
  /** Poll this URL until it answers any HTTP status. */
  readyUrl?: string;
  /** How long to wait for readiness, ms. Default 60000. */
  timeout?: number;
}

export interface StartedProcess {
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process group is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL the whole process group now. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

/**
 * Starts a command in its own process group (so that stop() also ends its children) and
 * waits until it is ready.
 */
export async function startProcess(command: string, args: string[], options: StartProcessOptions = {}): Promise<StartedProcess> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  const onData = (d: Buffer) => {
    out += d.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let done = false;
  exited.then(() => (done = true));

  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  const stop = async (graceMs = 5000) => {
    if (done) return;
    signalGroup("SIGTERM");
    const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
    signalGroup("SIGKILL"); // children that ignored the signal
  };
  const kill = async () => {
    signalGroup("SIGKILL");
    await exited;
  };
  const started: StartedProcess = { child, output: () => out, stop, kill, exited };

  const deadline = Date.now() + (options.timeout ?? 60_000);
  try {
    for (;;) {
      if (done) throw new Error(`${command} exited before it was ready:\n${out.slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`${command} was not ready in time:\n${out.slice(-4000)}`);
      if (options.readyPattern?.test(out)) break;
      if (options.readyUrl) {
        const ok = await fetch(options.readyUrl, { signal: AbortSignal.timeout(2000) }).then(
          (r) => (r.body?.cancel(), true),
          () => false,
        );
        if (ok) break;
      } else if (!options.readyPattern) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop(1000);
    throw err;
  }
  return started;
}
