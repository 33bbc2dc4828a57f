import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ActiveSessionGuard, Public, Roles, SessionAuth, SessionGuardModule, type SessionGuard } from 'genauth-session-guard/nestjs';

@Controller('admin')
export class AdminController {
  @Get('me')
  me(@SessionAuth() auth: SessionAuth) {
    return { userId: auth.userId };
  }

  @Roles('admin') // 403 unless GenAuth says the user holds the role
  @Get('users')
  users() {
    return { users: [] };
  }
}

@Controller()
export class HealthController {
  @Public() // left open under the global guard
  @Get('healthz')
  healthz() {
    return { ok: true };
  }
}

@Module({})
export class AppModule {
  static forGuard(guard: SessionGuard, appId: string): DynamicModule {
    return {
      module: AppModule,
      imports: [SessionGuardModule.forRoot({ guard, appId })],
      controllers: [AdminController, HealthController],
      providers: [{ provide: APP_GUARD, useClass: ActiveSessionGuard }], // every route: 401 or 503 unless the session is live
    };
  }
}
