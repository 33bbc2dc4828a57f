const { Controller } = require('egg');

module.exports = class AdminController extends Controller {
  async me() {
    this.ctx.body = { userId: this.ctx.state.auth.userId }; // set by the guard
  }

  async reports() {
    this.ctx.body = { reports: [] };
  }
};
