import { setup, type AuthHook } from "@troupe/core";
import { counter, echo, guestbook, ledger, vault } from "./actors.js";
import { inbox, streamer } from "./streaming.js";

export { counter, echo, guestbook, ledger, vault } from "./actors.js";
export { inbox, streamer } from "./streaming.js";
export type { GuestbookEntry } from "./actors.js";

/** Builds the example registry; sample apps call this once (see each app's `troupe.ts`). */
export function createExampleRegistry(options: { basePath?: string; auth?: AuthHook } = {}) {
  return setup({ use: { counter, guestbook, echo, vault, ledger, streamer, inbox }, basePath: options.basePath, auth: options.auth });
}

export type ExampleRegistry = ReturnType<typeof createExampleRegistry>;
