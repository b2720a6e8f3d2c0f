import { describe, expect, it } from "vitest";
import { isUnder } from "../src/middleware.js";
import { normalizeBasePath } from "../src/options.js";

describe("@troupe/astro: the mount prefix", () => {
  it("normalizes basePath", () => {
    expect(normalizeBasePath("/api/actors/")).toBe("/api/actors");
    expect(normalizeBasePath("api/actors")).toBe("/api/actors");
    expect(normalizeBasePath("/")).toBe("");
    expect(normalizeBasePath("")).toBe("");
  });

  it("the middleware answers the prefix and below, on the raw path only", () => {
    const under = (path: string) => isUnder(`http://h:1${path}`, "/api/actors");
    expect(under("/api/actors")).toBe(true);
    expect(under("/api/actors/")).toBe(true);
    expect(under("/api/actors/gateway/x/request//a?b")).toBe(true);
    expect(under("/api/actors?name=counter")).toBe(true);
    expect(under("/api/actorsx")).toBe(false);
    expect(under("/api/actors-mw/actors")).toBe(false);
    expect(under("/api/actor")).toBe(false);
    expect(under("/")).toBe(false);
    expect(under("/x/api/actors")).toBe(false);
    expect(isUnder("http://h:1/anything", "")).toBe(true);
  });
});
