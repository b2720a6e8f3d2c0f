import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener, type Http2Bindings, type HttpBindings } from "@hono/node-server";
import { MemoryStore, reportResponseDone, type ActorStore, type AnyRegistry } from "@troupe/core";
import { answerClientErrorsWithJson, drainSmallBody } from "./client-error.js";
import { createSqliteStore } from "./storage/sqlite-store.js";

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
  /**
   * Where actors are stored, unless the registry was given a store in `setup()`.
   * Default `"sqlite"`: durable SQLite in `dataDir`. `"memory"`: nothing survives a restart.
   * Or any `ActorStore`.
   */
  store?: "sqlite" | "memory" | ActorStore;
  /** Data directory of the SQLite store. Default: `TROUPE_DATA_DIR`, else `.troupe/` under the working directory. */
  dataDir?: string;
}

export interface TroupeServer {
  /** e.g. `http://127.0.0.1:8080` */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops accepting, waits for in-flight requests, commits state, closes storage. */
  close(): Promise<void>;
}

/**
 * Gives the registry its store unless it has one: SQLite by default (this takes the
 * data directory's lock, so a second process fails here with `DataDirLockedError`).
 */
function installStore(registry: AnyRegistry, options: ServeOptions): ActorStore | undefined {
  const wanted = options.store ?? "sqlite";
  if (registry.hasStore) {
    if (options.store !== undefined || options.dataDir !== undefined) {
      throw new Error("serve(): the registry already has a store; pass `store`/`dataDir` either to setup() or to serve(), not both");
    }
    return undefined;
  }
  const store =
    wanted === "memory" ? new MemoryStore() : wanted === "sqlite" ? createSqliteStore({ dataDir: options.dataDir }) : wanted;
  registry.useStore(store);
  return store;
}

/** Whether an HTTP/1.x request's headers announce a body (a request without either has none). */
function hasBody(incoming: HttpBindings["incoming"] | Http2Bindings["incoming"]): boolean {
  const headers = incoming.headers;
  const length = headers["content-length"];
  return headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** Key of @troupe/core's hint that HTTP/1.x headers frame the request body. */
const BODY_FRAMED_BY_HEADERS = Symbol.for("troupe.bodyFramedByHeaders");
/** Key of @troupe/core's hook for the request's header lines as received. */
const RAW_HEADERS = Symbol.for("troupe.rawHeaders");

/**
 * Serves `registry.fetch` over node:http. Actors are stored in SQLite under `.troupe/` unless
 * the registry has a store or `options.store` says otherwise. Resolves once the server is
 * listening; rejects (with `DataDirLockedError`) when another process holds the data directory.
 */
export async function serve(registry: AnyRegistry, options: ServeOptions = {}): Promise<TroupeServer> {
  const port = options.port ?? (process.env.PORT ? Number(process.env.PORT) : 8080);
  const hostname = options.hostname ?? process.env.HOST ?? "127.0.0.1";
  const dispatch = registry.dispatcher(options.basePath === undefined ? {} : { basePath: options.basePath });
  const installed = installStore(registry, options);
  try {
    await registry.manager(); // open storage (and fail fast on a lock) before accepting traffic
  } catch (err) {
    await Promise.resolve(installed?.close()).catch(() => {});
    throw err;
  }

  const server = createServer(
    getRequestListener((request, env: HttpBindings | Http2Bindings) => {
      // The gateway hands the actor's Response on as is (a string body then goes out in one write
      // with a content-length) and ends the actor's connection when this response closes.
      reportResponseDone(request, env.outgoing);
      // node:http speaks HTTP/1.x: its headers say whether a body follows (see @troupe/core).
      (request as unknown as Record<symbol, unknown>)[BODY_FRAMED_BY_HEADERS] = true;
      // The header lines as parsed, so the gateway copies them without building a second Headers.
      (request as unknown as Record<symbol, unknown>)[RAW_HEADERS] = env.incoming.rawHeaders;
      const settle = (response: Response): Response | Promise<Response> => {
        if (!hasBody(env.incoming) || env.incoming.complete || env.outgoing.headersSent) return response;
        // Answered before the request body was read (an error, an early 413): a small body is
        // read and dropped so the connection stays usable; otherwise the connection is closed
        // after this response, so the client never reuses a socket we are dropping.
        return drainSmallBody(env.incoming).then(() => {
          if (!env.incoming.complete) env.outgoing.setHeader("connection", "close");
          return response;
        });
      };
      // A response at hand is returned as is: @hono/node-server then writes it without a tick.
      const response = dispatch(request);
      return response instanceof Promise ? response.then(settle) : settle(response);
    }),
  );
  answerClientErrorsWithJson(server);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, hostname, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    // e.g. the port is taken: release the store (and its data directory lock) before failing.
    await registry.shutdown(0).catch(() => {});
    throw err;
  }
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
