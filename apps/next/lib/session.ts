import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * A minimal signed-cookie session, standing in for your real auth (NextAuth, Lucia, your IdP):
 * `troupe_session=<user>.<hmac>`. What matters for Troupe is only that the user id comes from a
 * session the server verified, never from anything else the caller sends.
 */
const SECRET = process.env.SESSION_SECRET ?? randomBytes(32).toString("hex"); // demo: per process
export const SESSION_COOKIE = "troupe_session";
const USER = /^[a-z0-9_-]{1,32}$/i;

const sign = (user: string) => createHmac("sha256", SECRET).update(user).digest("base64url");

/** The Set-Cookie value that logs `user` in (HttpOnly, SameSite=Lax). */
export function sessionCookie(user: string): string {
  if (!USER.test(user)) throw new Error("invalid user name");
  return `${SESSION_COOKIE}=${user}.${sign(user)}; Path=/; HttpOnly; SameSite=Lax`;
}

/** The verified user of a request, or undefined. */
export function sessionUser(request: Request): string | undefined {
  const cookie = request.headers.get("cookie") ?? "";
  const value = cookie
    .split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${SESSION_COOKIE}=`))
    ?.slice(SESSION_COOKIE.length + 1);
  if (!value) return undefined;
  const dot = value.lastIndexOf(".");
  const user = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(sign(user));
  return USER.test(user) && given.length === expected.length && timingSafeEqual(given, expected) ? user : undefined;
}
