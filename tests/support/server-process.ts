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
  /** The demo console accounts with their passwords (written by the server under its DATA_DIR). */
  logins: DemoLogin[];
  /** The exit code or signal once the process has ended, else null. */
  exit(): string | null;
  /** Everything it printed (shown when a test fails). */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Starts the server on embedded PGlite in a fresh DATA_DIR, with the demo brand, and waits until it listens. */
export async function startServerProcess(env: Record<string, string> = {}, startupMs = 180_000): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'rdv-server-'));
  const child: ChildProcess = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exit: string | null = null;
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exit = signal ?? String(code);
    resolve();
  }));

  const deadline = Date.now() + startupMs;
  while (!output.includes('Rendezvous is running')) {
    if (exit !== null) throw new Error(`the server exited (${exit}) while starting:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not start within ${startupMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const logins = JSON.parse(await readFile(join(dataDir, 'demo-console-logins.json'), 'utf8')) as DemoLogin[];
  return {
    url,
    logins,
    exit: () => exit,
    output: () => output,
    async stop() {
      if (exit === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(killer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
