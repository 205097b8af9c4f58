import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

/** The project root, seen from dist/scripts/fault-suite/. */
export const PROJECT_ROOT = join(__dirname, '..', '..', '..');
export const CLI = join(PROJECT_ROOT, 'dist', 'src', 'cli.js');

/** A free loopback port, for a child's health endpoint. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs a CLI command to the end; rejects with its output when it exits non-zero. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd: PROJECT_ROOT });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`cli ${args[0]} exited ${code}: ${output}`)),
    );
  });
}

/**
 * One real service process (`cli.js start`), its logs appended to a file. Knows whether it
 * currently reads the mailbox by asking its own /healthz.
 */
export class WorkerProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  /** Exit codes of earlier runs that ended without being told to (crashes). */
  readonly unexpectedExits: Array<number | null> = [];
  private expectingExit = false;
  httpPort = 0;

  constructor(
    readonly name: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logFile: string,
  ) {}

  get running(): boolean {
    return this.child !== null;
  }

  async start(): Promise<void> {
    if (this.child) return;
    this.httpPort = await freePort();
    const fd = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, [CLI, 'start'], {
      env: { ...this.env, HTTP_PORT: String(this.httpPort) },
      cwd: PROJECT_ROOT,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.child = child;
    this.expectingExit = false;
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        if (!this.expectingExit) this.unexpectedExits.push(code);
        if (this.child === child) this.child = null;
        resolve(code);
      }),
    );
  }

  /** Sends the signal and waits for the process to be gone. */
  async stop(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectingExit = true;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** True when this process holds the mailbox lock and has finished a mailbox pass. */
  async readsMailbox(): Promise<boolean> {
    if (!this.child) return false;
    try {
      const res = await fetch(`http://127.0.0.1:${this.httpPort}/healthz`, {
        signal: AbortSignal.timeout(2_000),
      });
      const body = (await res.json()) as { detail?: string };
      return typeof body.detail === 'string' && body.detail.startsWith('last mailbox pass');
    } catch {
      return false;
    }
  }
}
