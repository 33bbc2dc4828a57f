// app/admin/me/route.ts of a Next.js app (App Router, Node or edge runtime)
import { authenticateRequest } from 'genauth-session-guard/web';
import { appId, guard } from './guard.js';

export async function GET(request: Request): Promise<Response> {
  const { auth, response } = await authenticateRequest(request, appId, { guard });
  if (response) return response; // 401, 403 or 503, with WWW-Authenticate or Retry-After
  return Response.json({ userId: auth.userId });
}
