"use client";

import { useActionState, useEffect, useRef, useState, type FormEvent } from "react";
import { createClient } from "@troupe/core/client";
import type { ExampleRegistry, GuestbookEntry } from "@troupe/example";
import { incrementOnServer } from "./actions";

const BASE_PATH = "/api/actors";

/** Handles to this page's actors; browser-only (the client is created with `location.origin`). */
function connect(actorKey: string) {
  const client = createClient<ExampleRegistry>(location.origin + BASE_PATH);
  return { counter: client.counter.getOrCreate(actorKey), book: client.guestbook.getOrCreate(actorKey) };
}

/** Counter and live guestbook, talking to the actors over HTTP from the browser. */
export function TroupeDemo({ actorKey }: { actorKey: string }) {
  const actorsRef = useRef<ReturnType<typeof connect> | null>(null);
  const [count, setCount] = useState<number | null>(null);
  const [entries, setEntries] = useState<GuestbookEntry[] | null>(null);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [message, setMessage] = useState("");
  const [serverCount, serverIncrement, serverPending] = useActionState(incrementOnServer, null);

  useEffect(() => {
    if (serverCount !== null) setCount(serverCount);
  }, [serverCount]);

  const addEntries = (incoming: GuestbookEntry[]) =>
    setEntries((current) => {
      const byId = new Map((current ?? []).map((e) => [e.id, e]));
      for (const e of incoming) byId.set(e.id, e);
      return [...byId.values()].sort((a, b) => a.id - b.id);
    });

  useEffect(() => {
    const actors = (actorsRef.current = connect(actorKey));
    let source: EventSource | undefined;
    let cancelled = false;
    (async () => {
      const [value, list] = await Promise.all([
        actors.counter.get(),
        actors.book.fetch("/entries").then((r) => r.json() as Promise<{ entries: GuestbookEntry[] }>),
      ]);
      if (cancelled) return;
      setCount(value);
      addEntries(list.entries);
      const id = await actors.book.resolve();
      if (cancelled) return;
      source = new EventSource(`${location.origin}${BASE_PATH}/gateway/${encodeURIComponent(id)}/request/events`);
      source.addEventListener("open", () => setLive(true));
      source.addEventListener("entry", (e) => addEntries([JSON.parse((e as MessageEvent<string>).data)]));
    })().catch((err: unknown) => setError(String(err)));
    return () => {
      cancelled = true;
      source?.close();
    };
  }, [actorKey]);

  async function increment() {
    const actors = actorsRef.current;
    if (!actors) return;
    try {
      setCount(await actors.counter.increment(1));
    } catch (err) {
      setError(String(err));
    }
  }

  async function post(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const actors = actorsRef.current;
    if (!actors) return;
    const res = await actors.book.fetch("/entries", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name, message }),
    });
    if (!res.ok) return setError(`posting failed: HTTP ${res.status}`);
    addEntries([((await res.json()) as { entry: GuestbookEntry }).entry]);
    setMessage("");
  }

  const ready = count !== null && entries !== null && live;
  return (
    <main data-testid="app" data-ready={String(ready)}>
      <h1>Troupe on Next.js</h1>
      {error && <p role="alert">{error}</p>}
      <section>
        <h2>Counter “{actorKey}”</h2>
        <p>
          Count: <strong data-testid="counter-value">{count ?? "…"}</strong>{" "}
          <button data-testid="counter-increment" onClick={increment} disabled={count === null}>
            +1
          </button>
        </p>
        <form action={serverIncrement}>
          <input type="hidden" name="key" value={actorKey} />
          <button data-testid="counter-increment-server" type="submit" disabled={count === null || serverPending}>
            +1 through a Server Action
          </button>
        </form>
      </section>
      <section>
        <h2>Guestbook {live ? "(live)" : ""}</h2>
        <form onSubmit={post}>
          <input data-testid="guestbook-name" placeholder="Name" value={name} onChange={(e) => setName(e.target.value)} />{" "}
          <input
            data-testid="guestbook-message"
            placeholder="Message"
            required
            value={message}
            onChange={(e) => setMessage(e.target.value)}
          />{" "}
          <button data-testid="guestbook-submit" type="submit">
            Sign
          </button>
        </form>
        <ul data-testid="guestbook-entries">
          {(entries ?? []).map((e) => (
            <li key={e.id}>
              <strong>{e.name}</strong>: {e.message}
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
