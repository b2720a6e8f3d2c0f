export { createHandle } from "./handle.js";
export type { CreateHandleOptions, MountableRegistry } from "./handle.js";
export { toSvelteKitHandler } from "./endpoint.js";
export type { SvelteKitHandlers, ToSvelteKitHandlerOptions, TroupeRequestHandler } from "./endpoint.js";
export { formOriginCheck } from "./form-origin-check.js";
export type { FormOriginCheckOptions } from "./form-origin-check.js";
