/**
 * A CPU profile of this process over one phase of a benchmark (`BENCH_CPU_PROFILE=<dir>`), through the
 * inspector (no restart with --cpu-prof, no setup or warm-up in it): the .cpuprofile is written to <dir>
 * for Chrome DevTools, and its self time is summed by component (our folders, each npm package, node's
 * internals, GC) and given per turn, so a change's effect shows without reading the flame chart.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

export interface CpuProfiler { stop(label: string, turns: number): Promise<string[]> }

/** The profiler of `BENCH_CPU_PROFILE`, started now, or null when the variable is unset. */
export async function startCpuProfile(): Promise<CpuProfiler | null> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return null;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  return {
    async stop(label, turns) {
      const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${label}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return [`cpu profile: ${file}`, ...summarize(profile, turns)];
    },
  };
}

/** Where a frame's code lives: an npm package, one of our folders, node itself, or V8's own buckets. */
function component(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const ours = /\/(bot|dialogs|models|scheduling|notifications|server|bench|tests)\//.exec(url);
  return ours ? ours[1]! + '/' : url;
}

function summarize(profile: Profile, turns: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // The first sample's delta covers the profiler's own start.
  profile.samples.forEach((id, i) => i > 0 && self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byComponent = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const { callFrame: f } = byId.get(id)!;
    if (f.functionName === '(idle)') continue;
    total += us;
    const c = component(f.url, f.functionName);
    byComponent.set(c, (byComponent.get(c) ?? 0) + us);
    const where = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(?=(bot|dialogs|models|scheduling|notifications|server|bench)\/)/, '')}:${f.lineNumber + 1}`;
    byFunction.set(where, (byFunction.get(where) ?? 0) + us);
  }
  const perTurn = (us: number) => `${(us / 1000 / turns).toFixed(2)} ms/turn`;
  const line = ([k, us]: [string, number]) => `    ${perTurn(us).padStart(13)} ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`;
  return [
    `busy (not idle) ${(total / 1000).toFixed(0)} ms of ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms: ${perTurn(total)} over ${turns} turns; self time by component:`,
    ...[...byComponent].sort((a, b) => b[1] - a[1]).slice(0, 25).map(line),
    '  top functions (self time):',
    ...[...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30).map(line),
  ];
}
