/** Baseline: the same Express 5 route with no middleware in front of it. */
import { buildApp, serve } from './common';

await serve(buildApp(undefined));
