import { afterAll, beforeAll } from "vitest";
import { conformanceSuite } from "@troupe/conformance";
import { createExampleRegistry } from "@troupe/example";
import { serve, type TroupeServer } from "../src/index.js";

let server: TroupeServer;

beforeAll(async () => {
  server = await serve(createExampleRegistry({ basePath: "/api/actors" }), { port: 0, handleSignals: false });
});
afterAll(() => server?.close());

conformanceSuite("node", () => `${server.url}/api/actors`);
