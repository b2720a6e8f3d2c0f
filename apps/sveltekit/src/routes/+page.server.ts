import { createClient } from "@troupe/core/client";
import type { ExampleRegistry, GuestbookEntry } from "@troupe/example";
import { registry } from "#lib/server/troupe.ts";
import type { Actions, PageServerLoad } from "./$types";

// In-process client: server code talks to the actors without an HTTP round trip.
const actors = createClient<ExampleRegistry>(registry);

const keyOf = (url: URL) => url.searchParams.get("key") || "demo";

export const load: PageServerLoad = async ({ url }) => {
  const key = keyOf(url);
  const [count, entries] = await Promise.all([
    actors.counter.getOrCreate(key).get(),
    actors.guestbook
      .getOrCreate(key)
      .fetch("/entries")
      .then((res) => res.json() as Promise<{ entries: GuestbookEntry[] }>)
      .then((body) => body.entries),
  ]);
  return { key, count, entries };
};

export const actions: Actions = {
  // A plain HTML form (works without JavaScript): adds `by` to the counter on the server.
  async default({ url, request }) {
    const form = await request.formData();
    const by = Number(form.get("by") ?? 1);
    const count = await actors.counter.getOrCreate(keyOf(url)).increment(Number.isFinite(by) ? by : 1);
    return { count };
  },
};
