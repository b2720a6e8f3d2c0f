import { setup } from "@troupe/core";
import { counter, echo, guestbook, ledger, vault } from "./actors.js";

export { counter, echo, guestbook, ledger, vault } from "./actors.js";
export type { GuestbookEntry } from "./actors.js";

/** Builds the example registry; sample apps call this once (see each app's `troupe.ts`). */
export function createExampleRegistry(options: { basePath?: string } = {}) {
  return setup({ use: { counter, guestbook, echo, vault, ledger }, basePath: options.basePath });
}

export type ExampleRegistry = ReturnType<typeof createExampleRegistry>;
