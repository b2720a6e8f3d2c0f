export { toAstroHandler } from "./route.js";
export { createMiddleware } from "./middleware.js";
export type { AstroAdapterOptions, RegistryLike } from "./options.js";
