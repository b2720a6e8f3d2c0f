import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { AnyRegistry } from "@troupe/core";

export interface ServeOptions {
  /** Port to listen on; 0 picks a free one. Default: `PORT` env var, else 8080. */
  port?: number;
  /** Interface to bind. Default: `HOST` env var, else `127.0.0.1`. */
  hostname?: string;
  /** Mount prefix to strip (default: the registry's own `basePath`). */
  basePath?: string;
  /** Finish in-flight requests and commit state on SIGINT/SIGTERM, then exit. Default true. */
  handleSignals?: boolean;
  /** How long shutdown waits for in-flight requests, in ms. Default 10000. */
  shutdownTimeout?: number;
}

export interface TroupeServer {
  /** e.g. `http://127.0.0.1:8080` */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops accepting, waits for in-flight requests, commits state, closes storage. */
  close(): Promise<void>;
}

/** Serves `registry.fetch` over node:http. Resolves once the server is listening. */
export async function serve(registry: AnyRegistry, options: ServeOptions = {}): Promise<TroupeServer> {
  const port = options.port ?? (process.env.PORT ? Number(process.env.PORT) : 8080);
  const hostname = options.hostname ?? process.env.HOST ?? "127.0.0.1";
  const handler = registry.handler(options.basePath === undefined ? {} : { basePath: options.basePath });
  await registry.manager(); // open storage (and fail fast on a lock) before accepting traffic

  const server = createServer(getRequestListener(handler));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      await registry.shutdown(options.shutdownTimeout ?? 10_000);
      server.closeAllConnections();
      await stopped;
    })());

  if (options.handleSignals ?? true) {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      void close().then(
        () => process.exit(0),
        (err) => {
          console.error(`[troupe] shutdown after ${signal} failed`, err);
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }

  return { url, port: address.port, server, close };
}
