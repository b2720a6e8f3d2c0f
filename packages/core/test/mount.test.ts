import { describe, expect, it } from "vitest";
import { isUnderMount, normalizeMountPath } from "../src/index.js";

describe("the mount prefix", () => {
  it("normalizes basePath", () => {
    expect(normalizeMountPath("/api/actors/")).toBe("/api/actors");
    expect(normalizeMountPath("api/actors")).toBe("/api/actors");
    expect(normalizeMountPath("/")).toBe("");
    expect(normalizeMountPath("")).toBe("");
    expect(normalizeMountPath(undefined)).toBe("");
  });

  it("matches the prefix and below, on the raw path only, in a URL or a pathname", () => {
    for (const under of [(path: string) => isUnderMount(`http://h:1${path}`, "/api/actors"), (path: string) => isUnderMount(path, "/api/actors")]) {
      expect(under("/api/actors")).toBe(true);
      expect(under("/api/actors/")).toBe(true);
      expect(under("/api/actors/gateway/x/request//a?b")).toBe(true);
      expect(under("/api/actors?name=counter")).toBe(true);
      expect(under("/api/actors#x")).toBe(true);
      expect(under("/api/actorsx")).toBe(false);
      expect(under("/api/actors-mw/actors")).toBe(false);
      expect(under("/api/actor")).toBe(false);
      expect(under("/")).toBe(false);
      expect(under("/x/api/actors")).toBe(false);
    }
    expect(isUnderMount("http://h:1/anything", "")).toBe(true);
    expect(isUnderMount("http://h:1", "/api/actors")).toBe(false);
  });
});
