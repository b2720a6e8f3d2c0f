export { toNextHandler } from "./handler.js";
export type { NextHandlerOptions, NextRouteHandler, NextRouteHandlers } from "./handler.js";
