import { actor } from "@troupe/core";

/** Count of `onWake` runs in this process (printed with the server's stats). */
export const wakes = { count: 0 };

/** Answers "ok" and touches nothing: the cost of the Troupe path itself. */
export const ok = actor({
  state: {},
  onRequest: () => new Response("ok"),
});

/** The counter every durable row uses (same shape as the RivetKit actor): `POST /increment`. */
function counterActor(options: { durability: "strict" | "relaxed"; sleepTimeout?: number }) {
  return actor({
    state: { count: 0 },
    options,
    onWake: () => {
      wakes.count++;
    },
    onRequest(c, request) {
      if (request.method === "POST" && new URL(request.url).pathname === "/increment") {
        c.state.count += 1;
        return Response.json({ count: c.state.count });
      }
      return new Response("not found", { status: 404 });
    },
  });
}

/** Commits before answering (the default). */
export const counter = counterActor({ durability: "strict" });
/** Commits once a second. */
export const relaxedCounter = counterActor({ durability: "relaxed" });
/** Sleeps after 250 ms idle, so a round-robin over many actors keeps waking sleeping ones. */
export const sleepyCounter = counterActor({ durability: "strict", sleepTimeout: 250 });

export const benchActors = { ok, counter, relaxedCounter, sleepyCounter };
