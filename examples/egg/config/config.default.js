module.exports = (appInfo) => ({
  keys: process.env.EGG_KEYS ?? `${appInfo.name}-keys`,
  middleware: ['sessionGuard'],
  sessionGuard: {
    match: '/admin', // 401 or 503 under /admin unless GenAuth confirms a live session
    appId: process.env.GENAUTH_APP_ID,
    issuer: process.env.GENAUTH_ISSUER, // https://<app domain>/oidc
  },
});
