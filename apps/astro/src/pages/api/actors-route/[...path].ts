import { toAstroHandler } from "@troupe/astro";
import { ACTORS_ROUTE_PATH, registry } from "../../../troupe";

export const prerender = false;
export const ALL = toAstroHandler(registry, { basePath: ACTORS_ROUTE_PATH });
