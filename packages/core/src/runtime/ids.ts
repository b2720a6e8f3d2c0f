/** 128 random bits, hex: actor ids are unguessable. */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let out = "";
  for (let i = 0; i < 16; i++) out += bytes[i]!.toString(16).padStart(2, "0");
  return out;
}

let connCounter = 0;
/** Connection ids only need to be unique within a process. */
export const nextConnId = () => (++connCounter).toString(36);
