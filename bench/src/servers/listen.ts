import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { createServerAdapter } from "@whatwg-node/server";
import { toNodeHandler } from "srvx/node";

/** The fetch-style Node server libraries the bench compares. */
export const LIBRARIES = ["hono", "whatwg", "srvx"] as const;
export type Library = (typeof LIBRARIES)[number];

type FetchHandler = (request: Request) => Response | Promise<Response>;

/** Wraps a WinterTC handler into a node:http listener with the chosen library. */
export function nodeListener(lib: Library, handler: FetchHandler): RequestListener {
  switch (lib) {
    case "hono":
      return getRequestListener(handler);
    case "whatwg":
      return createServerAdapter(handler) as unknown as RequestListener;
    case "srvx":
      return toNodeHandler(handler) as unknown as RequestListener;
  }
}

/**
 * Listens on a free loopback port, prints `ready <url>` (the bench waits for it) unless told
 * not to, and stops on SIGTERM.
 */
export async function listenAndAnnounce(server: Server, options: { announce?: boolean } = {}): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  process.once("SIGTERM", () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
  if (options.announce !== false) console.log(`ready ${url}`);
  return url;
}

export { createServer };
