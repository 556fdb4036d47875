import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DemoLogin } from '../../models/seed-staff.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The real server (`server/main.ts`) in a child process: a crash is an exit, not a test's exception. */
export interface ServerProcess {
  url: string;
  port: number;
  /** Its DATA_DIR (PGlite files, generated secrets, demo logins). */
  dataDir: string;
  /** The demo console accounts with their passwords (written by the server under its DATA_DIR when it seeds the demo). */
  logins: DemoLogin[];
  /** The exit code or signal once the process has ended, else null. */
  exit(): string | null;
  /** Resolves with the exit code or signal. */
  exited: Promise<string>;
  /** Everything it printed (shown when a test fails). */
  output(): string;
  /** Sends a signal and waits for the exit (SIGKILL: a crash; SIGTERM: a graceful stop). */
  kill(signal: NodeJS.Signals): Promise<string>;
  /** Graceful stop if still running, then its DATA_DIR removed (unless it was given). */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface ServerProcessOptions {
  /** Run the production build (`dist/server/main.js`, made by `npm run build:server`) with plain node. */
  built?: boolean;
  /** Reuse a port and a DATA_DIR, e.g. to restart the same server after a crash. */
  port?: number;
  dataDir?: string;
  startupMs?: number;
}

/**
 * Starts the server and waits until it listens: by default on embedded PGlite in a fresh DATA_DIR with the
 * demo brand; `env` may point it elsewhere (DATABASE_URL, SEED_DEMO…). One node process (no runner wrapper),
 * so a signal reaches the server itself.
 */
export async function startServerProcess(env: Record<string, string> = {}, options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const port = options.port ?? await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = options.dataDir ?? await mkdtemp(join(tmpdir(), 'rdv-server-'));
  const args = options.built ? ['dist/server/main.js'] : ['--import', 'tsx', 'server/main.ts'];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exit: string | null = null;
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => {
    exit = signal ?? String(code);
    resolve(exit);
  }));

  const startupMs = options.startupMs ?? 180_000;
  const deadline = Date.now() + startupMs;
  while (!output.includes('Rendezvous is running')) {
    if (exit !== null) throw new Error(`the server exited (${exit}) while starting:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not start within ${startupMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const logins = await readFile(join(dataDir, 'demo-console-logins.json'), 'utf8').then((text) => JSON.parse(text) as DemoLogin[], () => []);
  const kill = async (signal: NodeJS.Signals) => {
    if (exit === null) child.kill(signal);
    return exited;
  };
  return {
    url,
    port,
    dataDir,
    logins,
    exit: () => exit,
    exited,
    output: () => output,
    kill,
    async stop() {
      if (exit === null) {
        const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await kill('SIGTERM');
        clearTimeout(killer);
      }
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
