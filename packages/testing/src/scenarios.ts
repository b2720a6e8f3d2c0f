/**
 * Browser scenarios every sample app must pass, written once. A sample app's page follows
 * this contract (see apps/README.md):
 *   - `?key=K` picks the actor keys (default "demo"), so tests use fresh actors;
 *   - `[data-testid=app][data-ready=true]` once hydrated and the first data is loaded;
 *   - counter: `[data-testid=counter-value]` (the count) and `[data-testid=counter-increment]`
 *     (calls the `increment` action);
 *   - guestbook: `[data-testid=guestbook-name]`, `[data-testid=guestbook-message]`,
 *     `[data-testid=guestbook-submit]`, and `[data-testid=guestbook-entries]` with one `li` per
 *     entry containing its message; new entries arrive live over SSE (`/events` on the actor).
 */
import type { Page } from "playwright-core";
import { describe, it } from "vitest";
import type { LaunchedBrowser } from "./browser.js";

const ready = (page: Page) => page.waitForSelector('[data-testid=app][data-ready="true"]', { timeout: 30_000 });

async function countOf(page: Page) {
  return Number((await page.textContent("[data-testid=counter-value]"))?.trim());
}

/** Click the counter, see the count change; reload, count kept. */
export async function counterScenario(page: Page, pageUrl: string): Promise<void> {
  await page.goto(pageUrl);
  await ready(page);
  const before = await countOf(page);
  if (!Number.isFinite(before)) throw new Error(`counter-value is not a number: ${before}`);
  await page.click("[data-testid=counter-increment]");
  await page.waitForFunction(
    (n) => Number(document.querySelector("[data-testid=counter-value]")?.textContent?.trim()) === n + 1,
    before,
  );
  await page.click("[data-testid=counter-increment]");
  await page.waitForFunction(
    (n) => Number(document.querySelector("[data-testid=counter-value]")?.textContent?.trim()) === n + 2,
    before,
  );
  await page.reload();
  await ready(page);
  const after = await countOf(page);
  if (after !== before + 2) throw new Error(`after reload the count is ${after}, expected ${before + 2}`);
}

async function post(page: Page, name: string, message: string) {
  await page.fill("[data-testid=guestbook-name]", name);
  await page.fill("[data-testid=guestbook-message]", message);
  await page.click("[data-testid=guestbook-submit]");
}

const listed = (page: Page, message: string, timeout = 10_000) =>
  page.waitForFunction(
    (m) => [...document.querySelectorAll("[data-testid=guestbook-entries] li")].some((li) => li.textContent?.includes(m)),
    message,
    { timeout },
  );

/** Post to the guestbook, see it listed; reload, still listed. */
export async function guestbookScenario(page: Page, pageUrl: string): Promise<void> {
  await page.goto(pageUrl);
  await ready(page);
  const message = `hello ${Math.random().toString(36).slice(2)}`;
  await post(page, "Ada", message);
  await listed(page, message);
  await page.reload();
  await ready(page);
  await listed(page, message);
}

/** Two tabs on the same guestbook: a post in one appears in the other without reload (SSE). */
export async function liveGuestbookScenario(browser: LaunchedBrowser, pageUrl: string): Promise<void> {
  const a = await browser.newPage();
  const b = await browser.newPage();
  await Promise.all([a.goto(pageUrl), b.goto(pageUrl)]);
  await Promise.all([ready(a), ready(b)]);
  const message = `live ${Math.random().toString(36).slice(2)}`;
  await post(a, "Tab A", message);
  await listed(b, message, 5_000);
  await a.close();
  await b.close();
}

/**
 * The three browser scenarios as vitest tests, for a sample app served at `origin` (each test
 * uses fresh actor keys). The caller launches and closes the browser.
 */
export function pageScenarios(host: string, target: () => { browser: LaunchedBrowser | undefined; origin: string }): void {
  const url = (label: string) => `${target().origin}/?key=${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const browser = () => {
    const b = target().browser;
    if (!b) throw new Error("the browser was not launched");
    return b;
  };
  describe(`${host}: the page in Chromium`, () => {
    it("counter: click, count changes, survives reload", async () => {
      const page = await browser().newPage();
      await counterScenario(page, url("counter"));
      await page.close();
    });
    it("guestbook: post through handle.fetch, listed, survives reload", async () => {
      const page = await browser().newPage();
      await guestbookScenario(page, url("guestbook"));
      await page.close();
    });
    it("guestbook: a post in one tab appears live in another (SSE)", async () => {
      await liveGuestbookScenario(browser(), url("live"));
    });
  });
}
