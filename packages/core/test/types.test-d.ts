import { describe, expectTypeOf, it } from "vitest";
import { actor, setup } from "../src/index.js";
import { createClient } from "../src/client/index.js";

const counter = actor({
  state: { count: 0 },
  actions: {
    increment: (c, by: number) => {
      expectTypeOf(c.state).toEqualTypeOf<{ count: number }>();
      c.state.count += by;
      return c.state.count;
    },
    label: async (c, prefix: string, upper?: boolean) => `${upper ? prefix.toUpperCase() : prefix}${c.state.count}`,
  },
});
const chat = actor({
  createState: (_c: unknown, input: { topic: string }) => ({ topic: input.topic, lines: [] as string[] }),
  actions: { topic: (c) => c.state.topic },
});
const registry = setup({ use: { counter, chat } });
const client = createClient<typeof registry>("http://localhost:8080");

describe("client types follow the registry", () => {
  it("knows actor names, action names, argument and return types", () => {
    const handle = client.counter.getOrCreate(["a"]);
    expectTypeOf(handle.increment).parameters.toEqualTypeOf<[by: number]>();
    expectTypeOf(handle.increment(1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(handle.label("n")).toEqualTypeOf<Promise<string>>();
    expectTypeOf(client.chat.getOrCreate("x").topic()).toEqualTypeOf<Promise<string>>();
    expectTypeOf(handle.fetch("/x")).toEqualTypeOf<Promise<Response>>();
  });

  it("rejects wrong names and argument types", () => {
    const handle = client.counter.getOrCreate("a");
    // @ts-expect-error: no such action
    handle.decrement(1);
    // @ts-expect-error: wrong argument type
    handle.increment("1");
    // @ts-expect-error: missing argument
    handle.increment();
    // @ts-expect-error: no such actor
    client.nope.getOrCreate("x");
    // @ts-expect-error: input must match createState's
    client.chat.getOrCreate("x", { input: { topic: 1 } });
  });
});
