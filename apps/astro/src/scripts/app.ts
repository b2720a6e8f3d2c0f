/** The page's browser code: counter clicks call an action, the guestbook goes through `onRequest`. */
import { createClient } from "@troupe/core/client";
import type { ExampleRegistry, GuestbookEntry } from "@troupe/example";

export async function start(root: HTMLElement) {
  const key = root.dataset.key ?? "demo";
  const actorsUrl = location.origin + (root.dataset.actors ?? "/api/actors");
  const client = createClient<ExampleRegistry>(actorsUrl);
  const counter = client.counter.getOrCreate(key);
  const book = client.guestbook.getOrCreate(key);

  const $ = <T extends Element>(id: string) => root.querySelector<T>(`[data-testid=${id}]`)!;
  const value = $<HTMLElement>("counter-value");
  const list = $<HTMLUListElement>("guestbook-entries");
  const status = $<HTMLElement>("guestbook-status");
  const form = $<HTMLFormElement>("guestbook-form");

  $<HTMLButtonElement>("counter-increment").addEventListener("click", async () => {
    try {
      value.textContent = String(await counter.increment(1));
    } catch (err) {
      value.title = String(err);
    }
  });

  const shown = new Set([...list.querySelectorAll("li")].map((li) => Number(li.dataset.id)));
  const show = (entry: GuestbookEntry) => {
    if (shown.has(entry.id)) return;
    shown.add(entry.id);
    const li = document.createElement("li");
    li.dataset.id = String(entry.id);
    const who = document.createElement("strong");
    who.textContent = entry.name;
    li.append(who, `: ${entry.message}`);
    list.append(li);
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const res = await book.fetch("/entries", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: data.get("name"), message: data.get("message") }),
    });
    const body = (await res.json()) as { entry?: GuestbookEntry; error?: { message: string } };
    if (body.entry) {
      show(body.entry);
      form.querySelector("textarea")!.value = "";
      status.textContent = "";
    } else status.textContent = body.error?.message ?? `HTTP ${res.status}`;
  });

  // Live entries: the actor's `/events` SSE route; it replays entries after `after` first.
  const actorId = await book.resolve();
  const after = Math.max(0, ...shown);
  const events = new EventSource(`${actorsUrl}/gateway/${encodeURIComponent(actorId)}/request/events?after=${after}`);
  events.addEventListener("entry", (e) => show(JSON.parse((e as MessageEvent<string>).data) as GuestbookEntry));
  addEventListener("pagehide", () => events.close());

  root.dataset.ready = "true";
}
