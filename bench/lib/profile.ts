/** Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and ranks functions by self time. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  name: string;
  location: string;
  selfMs: number;
  /** Share of the non-idle time. */
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  top: SelfTime[];
  /** Self time in the package's own code (`src/`). */
  ownMs: number;
  /** The top functions of `src/` alone. */
  ownTop: SelfTime[];
}

function shortLocation(url: string, line: number, root: string): string {
  if (!url) return '';
  let file = url.replace(/^file:\/\//, '');
  if (file.startsWith(root)) file = file.slice(root.length + 1);
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) file = file.slice(nm + 'node_modules/'.length);
  // tsx emits each module's code on one line (mapped back only through its inline source map): no useful line.
  if (line <= 0 && /\.[cm]?tsx?$/.test(file)) return file;
  return `${file}:${line + 1}`;
}

export function summarizeProfile(file: string, root: string, topN = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the gap before sample i; the time a sample stands for is the gap after it.
    const us = i + 1 < timeDeltas.length ? timeDeltas[i + 1]! : 0;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, us));
  }
  const byFunction = new Map<string, { name: string; location: string; us: number }>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    totalUs += us;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const name = frame.functionName || '(anonymous)';
    const location = shortLocation(frame.url, frame.lineNumber, root);
    const key = `${name}@${location}`;
    const entry = byFunction.get(key) ?? { name, location, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
  }
  const busyUs = totalUs - idleUs;
  const ranked = [...byFunction.values()].sort((a, b) => b.us - a.us);
  const toSelfTime = ({ name, location, us }: { name: string; location: string; us: number }) =>
    ({ name, location, selfMs: us / 1000, percent: busyUs > 0 ? (100 * us) / busyUs : 0 });
  const own = ranked.filter((entry) => entry.location.startsWith('src/'));
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    top: ranked.slice(0, topN).map(toSelfTime),
    ownMs: own.reduce((sum, entry) => sum + entry.us, 0) / 1000,
    ownTop: own.slice(0, topN).map(toSelfTime),
  };
}
