/**
 * A CPU profile of this process over one phase of a benchmark (`BENCH_CPU_PROFILE=<dir>`), through the
 * inspector (no restart with --cpu-prof, no setup or warm-up in it): the .cpuprofile is written to <dir>
 * for Chrome DevTools, and its self time is summed by component (our folders, each npm package, node's
 * internals, GC) and given per turn, so a change's effect shows without reading the flame chart. Or, with
 * `BENCH_HEAP_PROFILE=<dir>`, the phase's allocations summed the same way in bytes per turn.
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

/**
 * The profiler of `BENCH_CPU_PROFILE`, started now, or null when the variable is unset; with
 * `BENCH_HEAP_PROFILE=<dir>` instead, V8's allocation sampler (what a turn allocates drives the GC).
 */
export async function startCpuProfile(): Promise<CpuProfiler | null> {
  if (process.env.BENCH_HEAP_PROFILE) return startAllocationProfile(process.env.BENCH_HEAP_PROFILE);
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

interface SamplingNode { callFrame: ProfileNode['callFrame']; selfSize: number; children: SamplingNode[] }

/**
 * Allocations sampled every 16 KB, those a scavenge or a full GC collected included: the bytes a
 * turn allocates, by component and by function (self), and the .heapprofile for DevTools.
 */
async function startAllocationProfile(dir: string): Promise<CpuProfiler> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true,
  } as never);
  return {
    async stop(label, turns) {
      const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: SamplingNode } };
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${label}-${new Date().toISOString().replace(/[:.]/g, '-')}.heapprofile`);
      writeFileSync(file, JSON.stringify(profile));
      const bytes: Array<[ProfileNode['callFrame'], number]> = [];
      const walk = (node: SamplingNode) => {
        if (node.selfSize) bytes.push([node.callFrame, node.selfSize]);
        node.children.forEach(walk);
      };
      walk(profile.head);
      return [`allocation profile: ${file}`, ...breakdown(bytes, turns, (b) => `${(b / 1024 / turns).toFixed(1)} KB/turn`, 'allocated')];
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

/** A frame as "function file:line" (file relative to node_modules or to the project). */
function frameName(f: ProfileNode['callFrame']): string {
  return `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(?=(bot|dialogs|models|scheduling|notifications|server|bench)\/)/, '')}:${f.lineNumber + 1}`;
}

function summarize(profile: Profile, turns: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // The first sample's delta covers the profiler's own start.
  const self = profile.samples
    .map((id, i): [ProfileNode['callFrame'], number] => [byId.get(id)!.callFrame, i === 0 ? 0 : (profile.timeDeltas[i] ?? 0)])
    .filter(([f]) => f.functionName !== '(idle)');
  const busy = self.reduce((sum, [, us]) => sum + us, 0);
  const span = `busy (not idle) ${(busy / 1000).toFixed(0)} ms of ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms`;
  return breakdown(self, turns, (us) => `${(us / 1000 / turns).toFixed(2)} ms/turn`, span);
}

/** Per turn, a total and its 25 largest components (our folders, each npm package, node, V8) and 30 largest functions. */
function breakdown(amounts: Array<[ProfileNode['callFrame'], number]>, turns: number, perTurn: (amount: number) => string, what: string): string[] {
  const byComponent = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const [frame, amount] of amounts) {
    total += amount;
    const c = component(frame.url, frame.functionName);
    byComponent.set(c, (byComponent.get(c) ?? 0) + amount);
    const name = frameName(frame);
    byFunction.set(name, (byFunction.get(name) ?? 0) + amount);
  }
  const line = ([k, amount]: [string, number]) => `    ${perTurn(amount).padStart(14)} ${((100 * amount) / total).toFixed(1).padStart(5)}%  ${k}`;
  return [
    `${what}: ${perTurn(total)} over ${turns} turns; by component:`,
    ...[...byComponent].sort((a, b) => b[1] - a[1]).slice(0, 25).map(line),
    '  top functions (self):',
    ...[...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30).map(line),
  ];
}
