import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actor, setup } from "../src/index.js";
import { createClient } from "../src/client/index.js";
import { listen } from "./http.js";

const events: string[] = [];
const ticker = actor({
  state: {},
  options: { sleepTimeout: 100 },
  onWake: () => void events.push("wake"),
  onSleep: () => void events.push("sleep"),
  onRequest(_c, request) {
    const ms = Number(new URL(request.url).searchParams.get("ms") ?? 400);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((r) => setTimeout(r, 50));
        controller.enqueue(new TextEncoder().encode("tick\n"));
        if (++sent * 50 >= ms) controller.close();
      },
    });
    return new Response(body);
  },
});

const registry = setup({ use: { ticker } });
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  server = await listen(registry.fetch);
});
afterAll(() => server.close());

describe("long-lived streams and sleep", () => {
  it("an open stream keeps the actor awake past its sleep timeout; once it ends the actor sleeps", async () => {
    const handle = createClient<typeof registry>(server.url).ticker.getOrCreate("s");
    const manager = await registry.manager();
    const res = await handle.fetch("/stream?ms=500");
    const id = await handle.resolve();
    const text = await res.text(); // 500 ms: five times the sleep timeout
    expect(text.split("\n").filter(Boolean)).toHaveLength(10);
    expect(events).toEqual(["wake"]);
    expect(manager.isAwake(id)).toBe(true);
    await new Promise((r) => setTimeout(r, 400));
    expect(events).toEqual(["wake", "sleep"]);
    expect(manager.isAwake(id)).toBe(false);
    // The next request wakes it again, transparently.
    expect(await (await handle.fetch("/stream?ms=50")).text()).toBe("tick\n");
    expect(events).toEqual(["wake", "sleep", "wake"]);
  });
});
