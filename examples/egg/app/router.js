module.exports = (app) => {
  const { router, controller, middleware, config } = app;
  router.get('/admin/me', controller.admin.me); // guarded app-wide: config.middleware, match '/admin'
  router.get('/reports', middleware.sessionGuard({ appId: config.sessionGuard.appId, roles: ['auditor'] }, app), controller.admin.reports);
  router.get('/health', (ctx) => {
    ctx.body = { ok: true };
  });
};
