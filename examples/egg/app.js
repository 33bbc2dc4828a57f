const { bearerJwt, createSessionGuard } = require('genauth-session-guard/koa');

// One guard per process, built at boot, closed with the app. accessKeyId, accessKeySecret and host default to
// GENAUTH_ACCESS_KEY_ID, GENAUTH_ACCESS_KEY_SECRET and GENAUTH_HOST.
module.exports = class SessionGuardBoot {
  constructor(app) {
    this.app = app;
  }

  configDidLoad() {
    const { appId, issuer } = this.app.config.sessionGuard;
    this.app.sessionGuard = createSessionGuard({ identity: bearerJwt({ issuer, audience: appId }) });
  }

  async beforeClose() {
    await this.app.sessionGuard.close();
  }
};
