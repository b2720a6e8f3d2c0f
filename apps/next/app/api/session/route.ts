import { SESSION_COOKIE, sessionCookie } from "@/lib/session";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Demo login: `POST {"user": "alice"}` sets the session cookie. Replace with your real sign-in. */
export async function POST(request: Request): Promise<Response> {
  const body = (await request.json().catch(() => ({}))) as { user?: unknown };
  if (typeof body.user !== "string" || !/^[a-z0-9_-]{1,32}$/i.test(body.user)) {
    return Response.json({ error: { code: "invalid_user", message: "`user` must be 1-32 letters, digits, _ or -" } }, { status: 400 });
  }
  return Response.json({ user: body.user }, { headers: { "set-cookie": sessionCookie(body.user) } });
}

/** Logout. */
export function DELETE(): Response {
  return new Response(null, { status: 204, headers: { "set-cookie": `${SESSION_COOKIE}=; Path=/; Max-Age=0` } });
}
