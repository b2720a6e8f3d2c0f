/**
 * Errors that cross the HTTP boundary. Every error Troupe answers with is JSON
 * `{"error": {"code", "message"}}`; `code` is stable and machine-readable.
 */

export interface TroupeErrorOptions {
  /** HTTP status sent to the caller. */
  status?: number;
  /** Extra response headers (e.g. `retry-after`, `www-authenticate`). */
  headers?: Record<string, string>;
  /** Whether `message` may be shown to callers in production. */
  expose?: boolean;
  /** Optional JSON-serialisable details sent along with the error. */
  details?: unknown;
  cause?: unknown;
}

/** Base class of every error Troupe turns into an HTTP answer. */
export class TroupeError extends Error {
  readonly code: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly expose: boolean;
  readonly details: unknown;

  constructor(code: string, message: string, options: TroupeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? 500;
    this.headers = options.headers ?? {};
    this.expose = options.expose ?? this.status < 500;
    this.details = options.details;
  }
}

/** An error meant for the caller: thrown by user code, its message is always shown. */
export class UserError extends TroupeError {
  constructor(message: string, options: TroupeErrorOptions & { code?: string } = {}) {
    super(options.code ?? "user_error", message, { status: 400, expose: true, ...options });
  }
}

/** Thrown from `onBeforeConnect` or an auth hook to answer 401. */
export class Unauthorized extends TroupeError {
  constructor(message = "Unauthorized", options: TroupeErrorOptions = {}) {
    super("unauthorized", message, { status: 401, expose: true, ...options });
  }
}

/** Thrown from `onBeforeConnect` or an auth hook to answer 403. */
export class Forbidden extends TroupeError {
  constructor(message = "Forbidden", options: TroupeErrorOptions = {}) {
    super("forbidden", message, { status: 403, expose: true, ...options });
  }
}

/** The built-in error codes, for callers that switch on them. */
export const ErrorCode = {
  ActorNotFound: "actor_not_found",
  ActorNameNotFound: "actor_name_not_found",
  ActorAlreadyExists: "actor_already_exists",
  ActionNotFound: "action_not_found",
  RequestHandlerNotDefined: "request_handler_not_defined",
  InvalidRequest: "invalid_request",
  MalformedBody: "malformed_body",
  MethodNotAllowed: "method_not_allowed",
  RouteNotFound: "route_not_found",
  InternalError: "internal_error",
  InvalidResponse: "invalid_response",
  Unauthorized: "unauthorized",
  Forbidden: "forbidden",
  PayloadTooLarge: "payload_too_large",
  RequestTimeout: "request_timeout",
  ActorDestroyed: "actor_destroyed",
  StorageError: "storage_error",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const actorNotFound = (what: string) =>
  new TroupeError(ErrorCode.ActorNotFound, `Actor not found: ${what}`, { status: 404 });

export const actorNameNotFound = (name: string) =>
  new TroupeError(ErrorCode.ActorNameNotFound, `No actor named ${JSON.stringify(name)} is registered`, {
    status: 404,
  });

export const malformedBody = (message: string) =>
  new TroupeError(ErrorCode.MalformedBody, message, { status: 400 });

export const invalidRequest = (message: string) =>
  new TroupeError(ErrorCode.InvalidRequest, message, { status: 400 });
