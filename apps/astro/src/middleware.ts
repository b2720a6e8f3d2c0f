import { createMiddleware } from "@troupe/astro";
import { defineMiddleware, sequence } from "astro:middleware";
import { ACTORS_PATH, registry } from "./troupe";

/** Answers everything under `/api/actors` from the registry; other requests go on down the chain. */
const actors = createMiddleware(registry, { basePath: ACTORS_PATH });

/** An ordinary app middleware after it: it only ever sees requests Troupe passed on. */
const pageHeaders = defineMiddleware(async (_context, next) => {
  const response = await next();
  if (response.headers.get("content-type")?.startsWith("text/html")) {
    response.headers.set("x-content-type-options", "nosniff");
  }
  return response;
});

export const onRequest = sequence(actors, pageHeaders);
