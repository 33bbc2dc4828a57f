/**
 * The blip figures on simulated time: `npx tsx scripts/blip-simulation.ts`. Runs the injected-clock harness of
 * test/resilience/blip-harness.ts (the real guard against the real fake, 16 clients per 10 ms step, 200 users,
 * ttlMs 200 ms, default breaker) through a 300 ms blip, a 3 s hard-down and 10 s of flapping. Independent of the
 * machine's load, unlike scripts/blip-figures.ts.
 */
import { runBlipScenario, within } from '../test/resilience/blip-harness';

async function main() {
  const blipRun = await runBlipScenario({ durationMs: 4_300, downAt: (t) => t >= 1_000 && t < 1_300 });
  const after = within(blipRun, 1_300, 4_300);
  const late = blipRun.requests.filter((r) => r.t >= 1_300 && r.outcome === 'unavailable');
  const downRun = await runBlipScenario({ durationMs: 3_700, downAt: (t) => t >= 500 && t < 3_500 });
  const down = within(downRun, 500, 3_500);
  // Flapping: faults about half the time, bursts of 150-450 ms.
  const edges: number[] = [];
  for (let t = 500; t < 10_500;) edges.push((t += 150 + Math.floor(Math.random() * 301)));
  const flapRun = await runBlipScenario({
    durationMs: 10_500,
    downAt: (t) => t >= 500 && edges.filter((edge) => edge <= t).length % 2 === 0,
  });
  const flap = within(flapRun, 500, 10_500);
  console.log(JSON.stringify({
    blip: {
      requestsIn3sAfterRecovery: after.requests,
      refused503: after.unavailable,
      lastRefusalAfterRecoveryMs: late.length ? Math.max(...late.map((r) => r.t)) - 1_300 : null,
    },
    down: { requests: down.requests, upstreamHttpCalls: down.upstream, budget: Math.max(60, 0.05 * down.requests) },
    flap: { requests: flap.requests, refused503Share: Math.round((flap.unavailable / flap.requests) * 100) / 100 },
  }, null, 1));
}

void main();
