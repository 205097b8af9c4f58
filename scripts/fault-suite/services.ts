import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './worker-process';

/*
 * Disrupting the shared local services: Redis, PostgreSQL and Dovecot. Each restart checks
 * the service answers again before it returns, and throws (so the row says why) when it
 * cannot be done on this machine.
 */

const run = promisify(execFile);
const REDIS_PORT = process.env.REDIS_PORT ?? '6379';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function succeeds(file: string, args: string[]): Promise<boolean> {
  return run(file, args, { timeout: 10_000 }).then(
    () => true,
    () => false,
  );
}

async function waitUntil(label: string, check: () => Promise<boolean>, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${label} did not come back within ${ms} ms`);
    await sleep(200);
  }
}

const redisUp = () => succeeds('redis-cli', ['-p', REDIS_PORT, 'ping']);
export const postgresUp = () => succeeds('pg_isready', ['-q', '-h', '127.0.0.1']);

export async function redisFlushAll(): Promise<void> {
  await run('redis-cli', ['-p', REDIS_PORT, 'flushall']);
}

async function redisSetting(name: string): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', REDIS_PORT, 'config', 'get', name]);
  return stdout.trim().split('\n')[1] ?? '';
}

/**
 * Stops Redis without saving and starts it again with the settings it was running with
 * (the machine's Redis keeps nothing on disk, so this also empties it).
 */
export async function redisRestart(downMs: number): Promise<void> {
  const dir = await redisSetting('dir');
  const bind = await redisSetting('bind');
  const logfile = await redisSetting('logfile');
  await run('redis-cli', ['-p', REDIS_PORT, 'shutdown', 'nosave']).catch(() => undefined);
  await waitUntil('Redis shutdown', async () => !(await redisUp()), 10_000);
  await sleep(downMs);

  const args = ['--daemonize', 'yes', '--port', REDIS_PORT, '--save', '', '--appendonly', 'no'];
  if (bind) args.push('--bind', ...bind.split(' '));
  if (dir) args.push('--dir', dir);
  if (logfile) args.push('--logfile', logfile);
  await run('redis-server', args);
  await waitUntil('Redis', redisUp);
}

/** Restarts the local PostgreSQL cluster (as the machine's scripts start it). */
export async function postgresRestart(): Promise<void> {
  const version = readdirSync('/etc/postgresql').sort().pop();
  if (!version) throw new Error('no PostgreSQL cluster under /etc/postgresql');
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], {
    timeout: 60_000,
  });
  await waitUntil('PostgreSQL', postgresUp);
}

export async function dovecotRestart(): Promise<void> {
  await run('bash', [join(PROJECT_ROOT, 'scripts', 'services.sh'), 'dovecot-restart'], {
    timeout: 60_000,
  });
}

/** Puts back whatever a fault left down; called after every fault. */
export async function ensureServicesUp(): Promise<string[]> {
  const restored: string[] = [];
  if (!(await redisUp())) {
    await run('bash', [join(PROJECT_ROOT, 'scripts', 'services.sh'), 'redis-start']);
    restored.push('redis');
  }
  if (!(await postgresUp())) {
    await run('bash', [join(PROJECT_ROOT, 'scripts', 'services.sh'), 'postgres-start']);
    restored.push('postgres');
  }
  return restored;
}
