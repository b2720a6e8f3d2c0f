export { actor } from "./actor/definition.js";
export type {
  ActionFn,
  ActorDefinition,
  ActorOptions,
  AnyActorDefinition,
  BeforeConnectOptions,
  ClientActionsOf,
  InputOf,
  ParamsOf,
} from "./actor/definition.js";
export type { ActorContext, Conn, Logger, Schedule } from "./actor/context.js";
export { setup, Registry } from "./registry.js";
export type { AnyRegistry, FetchHandler, RegistryConfig } from "./registry.js";
export { TroupeError, UserError, Unauthorized, Forbidden, ErrorCode } from "./errors.js";
export type { TroupeErrorOptions } from "./errors.js";
export { MemoryStore } from "./storage/memory.js";
export type { ActorRecord, ActorStore, ScheduledEvent, StoredActor } from "./storage/types.js";
export { indexKey } from "./storage/types.js";
export type { Dispatch, GatewayOptions } from "./gateway/router.js";
export type { AuthAction, AuthContext, AuthHook } from "./gateway/auth.js";
export type { Limits } from "./gateway/limits.js";
export { CONN_PARAMS_HEADER } from "./gateway/router.js";
export type { CorsOptions } from "./gateway/cors.js";
export { DEFAULTS } from "./runtime/instance.js";
export { sse, formatSse } from "./http/sse.js";
export type { EventStream, SseMessage, SseOptions } from "./http/sse.js";
export { reportResponseDone } from "./host/response-done.js";
export { withBody } from "./host/request.js";
export { isUnderMount, normalizeMountPath } from "./gateway/mount.js";
export type { ClosableResponse } from "./host/response-done.js";
export { currentNodeResponse, isRequestAsReceived, watchNodeResponses } from "./host/node-responses.js";
export type { NodeResponse } from "./host/node-responses.js";
