import { Forbidden } from "../errors.js";

/** What a request is about to do, as told to the registry's `auth` hook. */
export type AuthAction =
  | "create" // POST /actors
  | "getOrCreate" // PUT /actors
  | "lookup" // GET /actors?name&key
  | "describe" // GET /actors/{id}
  | "destroy" // DELETE /actors/{id}
  | "request" // ANY /gateway/{id}/request/...
  | "action"; // POST /gateway/{id}/action/{name}

export interface AuthContext {
  action: AuthAction;
  /** Actor name (for gateway routes: the addressed actor's). */
  name?: string;
  /** Actor key (for gateway routes: the addressed actor's). */
  key?: readonly string[];
  /** Actor id, for routes that address one. */
  actorId?: string;
  /** Action name, for `action`. */
  actionName?: string;
}

/**
 * Registry-level guard, run before the route does anything. Throw `Unauthorized` (401) or
 * `Forbidden` (403), or return `false` (403). Credentials come from headers (the client sends
 * `Authorization` or any header you configure), never from URLs. CORS preflights are not guarded.
 */
export type AuthHook = (request: Request, context: AuthContext) => boolean | void | Promise<boolean | void>;

/** Runs the hook; synchronous unless the hook returns a promise (then so does this). */
export function authorize(hook: AuthHook | false | undefined, request: Request, context: AuthContext): void | Promise<void> {
  if (!hook) return;
  const verdict = hook(request, context);
  if (verdict instanceof Promise) {
    return verdict.then((v) => {
      if (v === false) throw new Forbidden("Not allowed");
    });
  }
  if (verdict === false) throw new Forbidden("Not allowed");
}
