"use server";

import { client } from "@/lib/troupe";

/**
 * Server Action: increments the counter in-process (no HTTP hop) and returns the new count.
 * Next checks that the POST's Origin matches the Host before running it (CSRF protection).
 */
export async function incrementOnServer(_previous: number | null, form: FormData): Promise<number | null> {
  const key = form.get("key");
  if (typeof key !== "string" || key === "") return null;
  return client.counter.getOrCreate(key).increment(1);
}
