import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { bearerJwt, createSessionGuard } from 'genauth-session-guard/nestjs';
import { AppModule } from './app.module.js';

const appId = process.env.GENAUTH_APP_ID!;
const guard = createSessionGuard({ identity: bearerJwt({ issuer: process.env.GENAUTH_ISSUER!, audience: appId }) });
const app = await NestFactory.create(AppModule.forGuard(guard, appId), new FastifyAdapter());
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
console.log(`listening on ${await app.getUrl()}`);
