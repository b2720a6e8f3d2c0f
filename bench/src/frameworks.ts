import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Mode } from "./modes.ts";
import { freePortBlock } from "./ports.ts";
import { startProcess, type BenchProcess } from "./procs.ts";
import type { Target } from "./report.ts";
import { interleaved, type Row, type Running } from "./rows.ts";
import { benchTempDir, removeTempDir } from "./tmp.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

interface Framework {
  id: string;
  name: string;
  /** Workspace package of the sample app. */
  pkg: string;
  dir: string;
  /** Production server command, relative to `dir`. */
  start: string[];
  env?: Record<string, string>;
  /** Further routes to measure alongside, for reference (not target baselines); `ID` is the counter's id. */
  references?: { path: string; label: string }[];
  /** A file the production build writes (relative to `dir`): without it there is no build. */
  buildMarker: string;
  /** How the sample app mounts the adapter (shown in the row label). */
  form: string;
  /** Workspace packages the app bundles (their `dist/`), besides `@troupe/core` and `@troupe/example`. */
  adapter: string;
}

/** The sample apps (the example registry mounted at /api/actors), with their production servers. */
const FRAMEWORKS: Framework[] = [
  {
    id: "7a",
    name: "Next.js",
    pkg: "@troupe/app-next",
    dir: "apps/next",
    start: ["server.js"],
    env: { NODE_ENV: "production" },
    buildMarker: ".next/BUILD_ID",
    adapter: "next",
    form: "toNextProxy in proxy.ts; bodies go to the catch-all route",
    // The sample answers bodiless requests in proxy.ts (row 7a2). The route-handler form alone
    // pays Next's dynamic routing, which its own catch-all route shows apart from Troupe's part.
    references: [
      { path: "/api/actors-route/gateway/ID/request/count", label: "Next.js -> Troupe adapter, route-handler form alone (catch-all route, no proxy.ts) -> counter actor GET /count" },
      { path: "/bench/catchall/count", label: 'Next.js production server, own catch-all route returning {"count":0} (the routing the route-handler form pays)' },
    ],
  },
  { id: "7b", name: "SvelteKit", pkg: "@troupe/app-sveltekit", dir: "apps/sveltekit", start: ["build"], buildMarker: "build/index.js", adapter: "sveltekit", form: "createHandle in hooks.server.ts" },
  {
    id: "7c",
    name: "Astro",
    pkg: "@troupe/app-astro",
    dir: "apps/astro",
    start: ["dist/server/entry.mjs"],
    env: { ASTRO_TELEMETRY_DISABLED: "1" },
    buildMarker: "dist/server/entry.mjs",
    adapter: "astro",
    form: "createMiddleware in src/middleware.ts",
  },
];

/** The framework's own route (a NEW file in each sample app) returning what the actor returns. */
const DIRECT_PATH = "/bench/count";

async function startApp(fw: Framework, dataDir: string): Promise<{ proc: BenchProcess; url: string }> {
  const port = await freePortBlock([0]);
  const url = `http://127.0.0.1:${port}`;
  const { proc } = await startProcess(process.execPath, fw.start, {
    cwd: join(root, fw.dir),
    env: { ...fw.env, PORT: String(port), HOST: "127.0.0.1", TROUPE_DATA_DIR: dataDir },
    readyUrl: `${url}/`,
    timeoutMs: 60_000,
  });
  return { proc, url };
}

async function answers200(url: string) {
  const res = await fetch(url).catch(() => undefined);
  await res?.arrayBuffer();
  return res?.status === 200;
}

/** Hash of the files under `dir` (names and contents); "" when there is none. */
function hashTree(dir: string): string {
  const hash = createHash("sha256");
  try {
    const files = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .sort();
    for (const file of files) hash.update(file).update(readFileSync(file));
  } catch {
    return "";
  }
  return hash.digest("hex");
}

/** What the app's build bundles from the workspace: the built Troupe packages. */
function bundledHash(fw: Framework): string {
  return ["core", "example", "node", fw.adapter].map((p) => hashTree(join(root, "packages", p, "dist"))).join(",");
}

/** Where the bench notes which Troupe build an app was last built with (bench/results is gitignored). */
const stampFile = (fw: Framework) => fileURLToPath(new URL(`../results/.built-${fw.id}.txt`, import.meta.url));

/**
 * True when the app may bundle other Troupe code than what is built now (so it would measure
 * old code): it was not built by the bench, or the packages changed since. `pnpm build` rewrites
 * every file, so contents are compared, not times.
 */
function isStale(fw: Framework): boolean {
  try {
    statSync(join(root, fw.dir, fw.buildMarker));
    return readFileSync(stampFile(fw), "utf8") !== bundledHash(fw);
  } catch {
    return true;
  }
}

/**
 * Starts the app's production server, building it first when there is no build, it lacks the
 * bench routes, or it is older than the Troupe packages it bundles.
 */
async function startBuilt(fw: Framework, dataDir: string) {
  if (isStale(fw)) return buildAndStart(fw, dataDir);
  try {
    const app = await startApp(fw, dataDir);
    if ((await answers200(app.url + DIRECT_PATH)) && (await hasReferenceRoutes(fw, app.url))) return app;
    await app.proc.stop();
  } catch {
    /* not built yet */
  }
  return buildAndStart(fw, dataDir);
}

/** Whether the running app has the reference rows' routes (those not under an actor). */
async function hasReferenceRoutes(fw: Framework, url: string): Promise<boolean> {
  for (const ref of fw.references ?? []) if (!ref.path.includes("ID") && !(await answers200(url + ref.path))) return false;
  return true;
}

async function buildAndStart(fw: Framework, dataDir: string) {
  process.stderr.write(` (building ${fw.pkg}) `);
  const build = spawnSync("pnpm", ["--filter", fw.pkg, "run", "build"], { cwd: root, encoding: "utf8", timeout: 600_000 });
  if (build.status !== 0) throw new Error(`building ${fw.pkg} failed: ${(build.stdout + build.stderr).slice(-500)}`);
  mkdirSync(dirname(stampFile(fw)), { recursive: true });
  writeFileSync(stampFile(fw), bundledHash(fw));
  const app = await startApp(fw, dataDir);
  if (!(await answers200(app.url + DIRECT_PATH))) {
    await app.proc.stop();
    throw new Error(`${fw.name} has no ${DIRECT_PATH} route after building`);
  }
  return app;
}

/**
 * Row 7: for each framework's production server, its own route vs the same framework routing
 * `GET /count` to the example counter actor through the Troupe adapter (same body, same server).
 */
export async function frameworkRows(
  mode: Mode,
  wanted: (id: string) => boolean,
): Promise<{ rows: Row[]; targets: Target[]; baselines: Record<string, string> }[]> {
  const out: { rows: Row[]; targets: Target[]; baselines: Record<string, string> }[] = [];
  for (const fw of FRAMEWORKS) {
    if (!wanted(fw.id)) continue;
    const direct: Row = { id: `${fw.id}1`, label: `${fw.name} production server, own route returning {"count":0}`, connections: 10 };
    const viaActor: Row = { id: `${fw.id}2`, label: `${fw.name} -> Troupe adapter (${fw.form}) -> counter actor GET /count`, connections: 10 };
    const dataDir = benchTempDir(fw.id);
    const job = (url: string) => ({ url, connections: 10, seconds: mode.seconds, warmupSeconds: mode.warmupSeconds });
    let app: { proc: BenchProcess; url: string } | undefined;
    let actorId = "";
    // Both routes live on one server, loaded in alternating slices (see `interleaved`).
    const startDirect = async (): Promise<Running> => {
      app = await startBuilt(fw, dataDir);
      const res = await fetch(`${app.url}/api/actors/actors`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "counter", key: ["bench"] }),
      });
      if (!res.ok) throw new Error(`creating the counter through ${fw.name} answered ${res.status}`);
      actorId = ((await res.json()) as { actorId: string }).actorId;
      const { proc, url } = app;
      return { url, pgid: proc.child.pid!, job: () => job(url + DIRECT_PATH), stop: () => proc.stop() };
    };
    /** Another route of the server `startDirect` started (`ID`: the counter's id); stopping is left to that row. */
    const onSameServer = (path: string) => async (): Promise<Running> => {
      const { proc, url } = app!;
      return { url, pgid: proc.child.pid!, job: () => job(url + path.replace("ID", actorId)), stop: async () => {} };
    };
    const rows = [direct, viaActor];
    const starts = [startDirect, onSameServer("/api/actors/gateway/ID/request/count")];
    for (const [i, ref] of (mode.references ? (fw.references ?? []) : []).entries()) {
      rows.push({ id: `${fw.id}${i + 3}`, label: ref.label, connections: 10 });
      starts.push(onSameServer(ref.path));
    }
    await interleaved(mode, rows, starts);
    removeTempDir(dataDir);
    out.push({
      rows,
      targets: [{ row: viaActor.id, baseline: direct.id, min: 0.9, text: `>= 0.9x row ${direct.id}` }],
      baselines: Object.fromEntries(rows.slice(2).map((r) => [r.id, direct.id])),
    });
  }
  return out;
}
