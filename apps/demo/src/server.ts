import { createExampleRegistry } from "@troupe/example";
import { serve } from "@troupe/node";

const registry = createExampleRegistry();
const server = await serve(registry, { port: Number(process.env.PORT ?? 8787) });
console.log(`Troupe demo listening on ${server.url}`);
console.log(`Try: curl -X PUT ${server.url}/actors -H 'content-type: application/json' -d '{"name":"counter","key":["hello"]}'`);
