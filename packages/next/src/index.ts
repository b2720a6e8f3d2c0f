export { toNextHandler } from "./handler.js";
export type { NextHandlerOptions, NextRouteHandler, NextRouteHandlers } from "./handler.js";
export { toNextProxy } from "./proxy.js";
export type { NextProxy, NextProxyOptions } from "./proxy.js";
