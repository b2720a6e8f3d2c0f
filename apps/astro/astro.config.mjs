// @ts-check
import node from "@astrojs/node";
import { defineConfig } from "astro/config";

export default defineConfig({
  // Every route renders on demand; the page reads `?key=` on the server.
  output: "server",
  adapter: node({ mode: "standalone" }),
  // No Astro sessions here; without this line @astrojs/node would set up a filesystem session store.
  session: false,
  security: {
    // Kept on (the default): Astro refuses cross-site form-like POSTs (urlencoded, multipart,
    // text/plain) before they reach Troupe. Same-origin pages and JSON clients are unaffected.
    checkOrigin: true,
    // Trust these Host headers, so that `request.url` (and so the actor's `request.url`) carries the
    // real host instead of Astro's `localhost:<port>` fallback. List your public host(s) here.
    allowedDomains: [{ hostname: "127.0.0.1" }, { hostname: "localhost" }],
  },
});
