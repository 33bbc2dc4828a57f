import { authenticateRequest, bearerJwt, createSessionGuard } from 'genauth-session-guard/web';

const appId = process.env.GENAUTH_APP_ID!;
const guard = createSessionGuard({ identity: bearerJwt({ issuer: process.env.GENAUTH_ISSUER!, audience: appId }) });

export const server = Bun.serve({
  port: Number(process.env.PORT ?? 3000),
  async fetch(request) {
    const { auth, response } = await authenticateRequest(request, appId, { guard });
    if (response) return response;
    return Response.json({ userId: auth.userId });
  },
});
