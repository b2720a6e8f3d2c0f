// RivetKit 2.3.19 with the same counter as Troupe's bench (`POST /increment` on a raw
// `onRequest`), its local engine spawned by RivetKit itself from the npm-installed binary.
// Usage: node rivetkit.ts <enginePort>. Prints `ready http://127.0.0.1:<enginePort>` once the
// registry has registered with the engine. The bench runs it in its own process group with
// HOME pointing at a temp dir (the engine keeps its database under ~/.rivetkit).
import { actor, setup } from "rivetkit";

const counter = actor({
  state: { count: 0 },
  onRequest(c, request) {
    if (request.method === "POST" && new URL(request.url).pathname === "/increment") {
      c.state.count += 1;
      return Response.json({ count: c.state.count });
    }
    return new Response("not found", { status: 404 });
  },
  actions: {},
});

const enginePort = Number(process.argv[2]);
const registry = setup({
  use: { counter },
  startEngine: true,
  engineHost: "127.0.0.1",
  enginePort,
  startServices: false,
  noWelcome: true,
});
await registry.startAndWait();
console.log(`ready http://127.0.0.1:${enginePort}`);
