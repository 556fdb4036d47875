/**
 * `npm run bench`: runs every benchmark module in turn, then prints one summary table.
 * Exit code 0 whatever the verdicts (a MISS is a measurement); non-zero only when one crashes.
 * To add a benchmark: write `bench/<name>.bench.ts` exporting a `Benchmark`, list it below.
 */
import { availableParallelism, loadavg } from 'node:os';
import { bookingBenchmark } from './booking.bench.ts';
import { capacityBenchmark, chatBenchmark } from './chat.bench.ts';
import { deliveryBenchmark } from './delivery.bench.ts';
import { instancesBenchmark } from './instances.bench.ts';
import { phoneBenchmark } from './phone.bench.ts';
import { slotsBenchmark } from './slots.bench.ts';
import { onsiteSlotsBenchmark } from './onsite-slots.bench.ts';
import {
  BENCH_DATABASE_URL, closeAllDatabases, createContext, fmtRatio, probePostgres, type Benchmark, type ResultRow,
} from './harness.ts';

const BENCHMARKS: Benchmark[] = [slotsBenchmark, onsiteSlotsBenchmark, bookingBenchmark, chatBenchmark, deliveryBenchmark, phoneBenchmark, capacityBenchmark, instancesBenchmark];

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

function table(rows: ResultRow[]): string {
  const header = ['benchmark', 'database', 'figure', 'floor', 'ratio', 'target', 'result'];
  const body = rows.map((r) => [r.name, r.database, r.figure, r.floor, fmtRatio(r.ratio), r.target, r.verdict]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' │ ').trimEnd();
  const notes = rows.filter((r) => r.note).map((r) => `  · ${r.name}: ${r.note}`);
  return [line(header), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...body.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

async function main(): Promise<number> {
  const began = process.hrtime.bigint();
  const probe = await probePostgres(BENCH_DATABASE_URL);
  const url = probe === null ? BENCH_DATABASE_URL : null;
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`Rendezvous benchmarks — node ${process.version}, ${availableParallelism()} CPUs, load average ${load} (other work on the machine skews figures)`);
  console.log(url
    ? `database: PostgreSQL at ${redact(BENCH_DATABASE_URL)} (a fresh schema bench_<random> per benchmark, dropped after)`
    : `database: PostgreSQL at ${redact(BENCH_DATABASE_URL)} is unreachable (${probe}); falling back to PGlite in memory where a benchmark can run there`);
  const ctx = createContext(url, probe);

  const rows: ResultRow[] = [];
  let crashed = false;
  // `npm run bench -- booking chat` runs only those.
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !BENCHMARKS.some((b) => b.name === w));
  if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(', ')}: choose from ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  for (const bench of BENCHMARKS.filter((b) => wanted.length === 0 || wanted.includes(b.name))) {
    console.log(`\n== ${bench.name} ==`);
    const t = process.hrtime.bigint();
    try {
      rows.push(...(await bench.run(ctx)));
    } catch (error) {
      crashed = true;
      console.error(`benchmark ${bench.name} crashed:`, error);
      rows.push({ name: bench.name, database: '', figure: '', floor: '', ratio: null, target: '', verdict: 'CRASH', note: String(error) });
    }
    console.log(`(${bench.name}: ${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(1)} s)`);
  }

  console.log(`\n== summary (${(Number(process.hrtime.bigint() - began) / 1e9).toFixed(1)} s) ==`);
  console.log(table(rows));
  console.log('\nTargets are measurements, not assertions: MISS does not fail the run.');
  return crashed ? 1 : 0;
}

let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  console.error('\ninterrupted: dropping benchmark schemas…');
  void closeAllDatabases().finally(() => process.exit(130));
});

main().then(
  async (code) => {
    await closeAllDatabases();
    process.exitCode = code;
  },
  async (error) => {
    console.error(error);
    await closeAllDatabases();
    process.exitCode = 1;
  },
);
