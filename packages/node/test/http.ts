/** Small HTTP helpers over the gateway routes, shared by the durability tests. */

const jsonInit = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** `PUT /actors`: get or create; returns the actor id and whether it was created. */
export async function getOrCreate(base: string, name: string, key: string[], input?: unknown) {
  const res = await fetch(`${base}/actors`, jsonInit("PUT", { name, key, input }));
  if (res.status !== 200) throw new Error(`PUT /actors answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { actorId: string; created: boolean };
}

/** `POST /gateway/{id}/action/{name}`: returns status and parsed JSON body. */
export async function callAction(base: string, actorId: string, name: string, args: unknown[] = [], signal?: AbortSignal) {
  const res = await fetch(`${base}/gateway/${actorId}/action/${name}`, { ...jsonInit("POST", { args }), signal });
  return { status: res.status, body: (await res.json()) as any };
}

/** Calls an action and returns its output, failing on any non-200 answer. */
export async function action<T = any>(base: string, actorId: string, name: string, ...args: unknown[]): Promise<T> {
  const { status, body } = await callAction(base, actorId, name, args);
  if (status !== 200) throw new Error(`action ${name} answered ${status}: ${JSON.stringify(body)}`);
  return body.output as T;
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 5000, stepMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await delay(stepMs);
  }
}
