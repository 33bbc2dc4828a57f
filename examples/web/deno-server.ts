import { authenticateRequest, bearerJwt, createSessionGuard } from 'genauth-session-guard/web';

const appId = Deno.env.get('GENAUTH_APP_ID')!;
const guard = createSessionGuard({ identity: bearerJwt({ issuer: Deno.env.get('GENAUTH_ISSUER')!, audience: appId }) });

export const server = Deno.serve({ port: Number(Deno.env.get('PORT') ?? 3000) }, async (request) => {
  const { auth, response } = await authenticateRequest(request, appId, { guard });
  if (response) return response;
  return Response.json({ userId: auth.userId });
});
