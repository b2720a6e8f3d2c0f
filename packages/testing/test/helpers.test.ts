import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { freePort, launchBrowser, startProcess, tempDir } from "../src/index.js";

describe("test helpers", () => {
  it("drives Debian Chromium through playwright-core", async () => {
    const server = createServer((_, res) => {
      res.setHeader("content-type", "text/html");
      res.end("<button id=b onclick='this.textContent=Number(this.textContent)+1'>0</button>");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.click("#b");
      await page.click("#b");
      expect(await page.textContent("#b")).toBe("2");
    } finally {
      await browser.close();
      server.close();
    }
  });

  it("starts a process on a free port, waits for it, and stops its whole group", async () => {
    const port = await freePort();
    const script = `require('http').createServer((q,s)=>s.end('up')).listen(${port},'127.0.0.1')`;
    const proc = await startProcess(process.execPath, ["-e", script], { readyUrl: `http://127.0.0.1:${port}/` });
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("up");
    await proc.stop();
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it("makes and removes temp dirs", () => {
    const dir = tempDir();
    expect(existsSync(dir.path)).toBe(true);
    dir.remove();
    expect(existsSync(dir.path)).toBe(false);
  });
});
