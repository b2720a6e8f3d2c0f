import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import { conformanceSuite } from "@troupe/conformance";
import { startProcess, tempDir, type StartedProcess } from "@troupe/testing";

// A real server process (with --expose-gc, so memory checks measure retained heap, not garbage).
let proc: StartedProcess;
let url: string;
const dataDir = tempDir("troupe-node-conformance-");

beforeAll(async () => {
  proc = await startProcess(process.execPath, ["--expose-gc", fileURLToPath(new URL("./fixtures/example-server.mjs", import.meta.url))], {
    env: { TROUPE_BASE_PATH: "/api/actors", TROUPE_DATA_DIR: dataDir.path },
    readyPattern: /troupe listening on (\S+)/,
  });
  url = /troupe listening on (\S+)/.exec(proc.output())![1]!;
});
afterAll(async () => {
  await proc?.stop();
  dataDir.remove();
});

conformanceSuite("node", () => `${url}/api/actors`);
