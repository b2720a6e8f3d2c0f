// Production server for this sample: `next start`, plus one thing Next cannot do on its own —
// paths with `//` under /api/actors reach the actors exactly (see @troupe/next/server).
import { createServer } from "node:http";
import next from "next";
import { keepRawUrls } from "@troupe/next/server";

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? "127.0.0.1";

const app = next({ dir: import.meta.dirname, hostname, port });
await app.prepare();

const server = createServer(keepRawUrls(app.getRequestHandler(), { basePath: "/api/actors" }));
server.listen(port, hostname, () => console.log(`> Ready on http://${hostname}:${port}`));

// Commit and unload the actors before exiting (lib/troupe.ts keeps the registry on globalThis).
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, async () => {
    server.close();
    server.closeIdleConnections();
    // In-flight requests get 2 s to finish; long-lived streams (SSE) are then cut.
    await globalThis.__troupeRegistry?.shutdown(2_000);
    server.closeAllConnections();
    process.exit(0);
  });
}
