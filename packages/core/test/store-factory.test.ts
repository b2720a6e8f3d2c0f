import { describe, expect, it } from "vitest";
import { actor, MemoryStore, setup, type ActorStore } from "../src/index.js";

const counter = actor({
  state: { count: 0 },
  actions: { increment: (c) => ++c.state.count },
});

const createCounter = (registry: { fetch(r: Request): Promise<Response> }) =>
  registry.fetch(new Request("http://t/actors", { method: "PUT", body: JSON.stringify({ name: "counter", key: ["a"] }) }));

describe("useStore(() => store): a store created when the registry starts", () => {
  /** A registry whose store comes from a function that counts its calls. */
  function withCountedStore() {
    const registry = setup({ use: { counter } });
    const calls = { created: 0 };
    registry.useStore(() => {
      calls.created++;
      return new MemoryStore();
    });
    return { registry, calls };
  }

  it("is not created before the first request, then once", async () => {
    const { registry, calls } = withCountedStore();
    expect(registry.hasStore).toBe(true);
    expect(calls.created).toBe(0);
    expect((await createCounter(registry)).status).toBe(200);
    expect((await createCounter(registry)).status).toBe(200);
    expect(calls.created).toBe(1);
    await registry.shutdown();
  });

  it("a registry shut down before any request never creates it", async () => {
    const { registry, calls } = withCountedStore();
    await registry.shutdown();
    expect(calls.created).toBe(0);
  });

  it("when creating it fails, the request gets a JSON 500 and the next request tries again", async () => {
    const registry = setup({ use: { counter }, logger: { error() {} } });
    let attempts = 0;
    registry.useStore((): ActorStore => {
      if (++attempts === 1) throw new Error("data directory locked");
      return new MemoryStore();
    });
    const first = await createCounter(registry);
    expect(first.status).toBe(500);
    expect(((await first.json()) as { error: { code: string } }).error.code).toBeTypeOf("string");
    const second = await createCounter(registry);
    expect(second.status).toBe(200);
    expect(attempts).toBe(2);
    await registry.shutdown();
  });

  it("cannot be changed once the registry has started", async () => {
    const registry = setup({ use: { counter } });
    await createCounter(registry);
    expect(() => registry.useStore(() => new MemoryStore())).toThrow(/before the registry handles its first request/);
    await registry.shutdown();
  });
});
