import { chromium, type BrowserContext, type Page } from "playwright-core";
import { tempDir } from "./tmp.js";

export interface LaunchedBrowser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Flags for Debian's Chromium in this sandbox: no sandbox as root, no GPU, no network chatter. */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches Debian's `chromium` (`CHROMIUM_PATH` overrides) with a fresh `--user-data-dir`. */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  const profile = tempDir("troupe-chromium-");
  const context = await chromium.launchPersistentContext(profile.path, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: FLAGS,
  });
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close().catch(() => {});
      profile.remove();
    },
  };
}
