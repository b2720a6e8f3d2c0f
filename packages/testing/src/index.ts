export { startProcess, type StartedProcess, type StartProcessOptions } from "./process.js";
export { launchBrowser, type LaunchedBrowser } from "./browser.js";
export { freePort } from "./port.js";
export { tempDir } from "./tmp.js";
export { counterScenario, guestbookScenario, liveGuestbookScenario, pageScenarios } from "./scenarios.js";
