// Baseline servers answering every request with "ok": raw node:http (the limit) and the
// fetch-style adapters. Usage: node plain.ts node-http|hono|whatwg|srvx
import { createServer, listenAndAnnounce, nodeListener, type Library } from "./listen.ts";

const kind = process.argv[2] ?? "node-http";

const server =
  kind === "node-http"
    ? createServer((_req, res) => {
        res.writeHead(200, { "content-type": "text/plain;charset=UTF-8", "content-length": "2" });
        res.end("ok");
      })
    : createServer(nodeListener(kind as Library, () => new Response("ok")));

await listenAndAnnounce(server);
