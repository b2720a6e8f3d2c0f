import { createServer } from "node:net";

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/**
 * A loopback port `p` such that `p + offset` is free for every offset (RivetKit's engine binds
 * its port and fixed neighbours of it).
 */
export async function freePortBlock(offsets: number[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const p = 20_000 + Math.floor(Math.random() * 30_000);
    const free = await Promise.all(offsets.map((o) => isFree(p + o)));
    if (free.every(Boolean)) return p;
  }
  throw new Error("no free block of loopback ports found");
}
