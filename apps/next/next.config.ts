import type { NextConfig } from "next";

const config: NextConfig = {
  // `/request` and `/request/` are different paths to an actor: never redirect between them.
  skipTrailingSlashRedirect: true,
  // Streams would work with Next's gzip too (it flushes after every chunk), but each open
  // compressed stream holds a zlib context (~256 KiB of native memory) for its whole life, and
  // actors keep streams open. Compress in the CDN or reverse proxy instead.
  compress: false,
};

export default config;
