import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeskUnderTest, deletePrefixKeys, LOG_DIR, SERVICES } from './fault-suite/desk-under-test';
import {
  dovecotRestart,
  ensureServicesUp,
  postgresRestart,
  redisFlushAll,
  redisRestart,
} from './fault-suite/services';
import { formatTable, tally, waitUntilQuiet, type Tally } from './fault-suite/tally';
import type { WorkerProcess } from './fault-suite/worker-process';

/*
 * The fault-injection suite (issue 6). For each fault it installs a fresh desk (own schema,
 * queue prefix, mailbox and capture SMTP server), runs the real service as child processes,
 * appends valid requests, injects the fault, waits until everything is quiet and counts what
 * went in, what came out, what was lost and what was sent twice.
 *
 *   npx tsc -p tsconfig.build.json && node dist/scripts/fault-suite.js
 *     --rounds N          SIGKILL rounds (default 20)
 *     --smtp-down-ms MS   how long the SMTP server stays down (default 60000)
 *     --settle-ms MS      how long to wait for quiet after a fault (default 240000)
 *     --only a,b          run only these faults (names as in the table)
 *     --polite            never disturb other users of the shared Redis and PostgreSQL: empty
 *                         only this desk's Redis keys instead of FLUSHALL, skip the restarts
 *
 * Redis FLUSHALL and the Redis and PostgreSQL restarts hit the machine's shared services:
 * other test runs using them at the same time will see the same fault.
 */

interface Options {
  rounds: number;
  smtpDownMs: number;
  settleMs: number;
  only: string[] | null;
  polite: boolean;
}

interface Fault {
  name: string;
  /** Touches services other people share. */
  shared: boolean;
  /** Injects the fault; returns the number of rounds it ran. */
  run(desk: DeskUnderTest, options: Options): Promise<number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (lowMs: number, highMs: number) => lowMs + Math.random() * (highMs - lowMs);

function log(line: string): void {
  process.stderr.write(`[fault-suite ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Waits until one of the workers reads the mailbox; returns it, or null after the timeout. */
async function mailboxReader(
  workers: WorkerProcess[],
  timeoutMs = 60_000,
): Promise<WorkerProcess | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const w of workers) if (await w.readsMailbox()) return w;
    await sleep(250);
  }
  return null;
}

/** One worker reading the mailbox, with a batch of mail on the way. */
async function busyWorker(desk: DeskUnderTest, count: number): Promise<WorkerProcess> {
  const worker = desk.addWorker();
  await worker.start();
  await mailboxReader([worker]);
  await desk.append(count);
  return worker;
}

/**
 * SIGKILL at random moments. Odd rounds kill anywhere from start-up on (starting, standing
 * by for the mailbox lock, sending email); even rounds wait until the worker reads the
 * mailbox, append, and kill within three seconds, in the middle of fetching and storing.
 */
const sigkill: Fault = {
  name: 'SIGKILL worker',
  shared: false,
  async run(desk, options) {
    const worker = desk.addWorker();
    for (let round = 1; round <= options.rounds; round++) {
      await worker.start();
      if (round % 2 === 1) {
        await desk.append(3);
        await sleep(between(200, 10_000));
      } else {
        await mailboxReader([worker]);
        await desk.append(3);
        await sleep(between(0, 3_000));
      }
      await worker.stop('SIGKILL');
      log(`round ${round}: killed`);
    }
    await worker.start();
    return options.rounds;
  },
};

/** Runs `inject` while a batch is being read and processed, then appends a second batch. */
function midFlight(
  name: string,
  shared: boolean,
  inject: (desk: DeskUnderTest, options: Options) => Promise<void>,
): Fault {
  return {
    name,
    shared,
    async run(desk, options) {
      await busyWorker(desk, 12);
      await sleep(1_500);
      await inject(desk, options);
      await desk.append(6);
      return 1;
    },
  };
}

const redisEmptied = midFlight('Redis FLUSHALL', true, async (desk, options) => {
  if (options.polite) {
    desk.notes.push(`--polite: deleted this desk's own keys instead of FLUSHALL`);
    await deletePrefixKeys(SERVICES.redisUrl, `fs-${desk.id}`);
  } else {
    await redisFlushAll();
  }
});

const redisRestarted = midFlight('Redis restart', true, () => redisRestart(2_000));
const postgresRestarted = midFlight('PostgreSQL restart', true, () => postgresRestart());
const imapRestarted = midFlight('IMAP server restart', false, () => dovecotRestart());

/** The capture server goes away before the replies are sent and comes back later. */
const smtpDown: Fault = {
  name: 'SMTP server down',
  shared: false,
  async run(desk, options) {
    const worker = desk.addWorker();
    await worker.start();
    await mailboxReader([worker]);
    await desk.smtp.stop();
    await desk.append(12);
    await sleep(options.smtpDownMs);
    await desk.smtp.start();
    desk.notes.push(`SMTP down for ${Math.round(options.smtpDownMs / 1000)} s`);
    return 1;
  },
};

/** Two workers share the work; the one reading the mailbox is killed mid-batch. */
const twoWorkers: Fault = {
  name: 'two workers, one killed',
  shared: false,
  async run(desk) {
    const workers = [desk.addWorker(), desk.addWorker()];
    for (const w of workers) await w.start();
    const reader = await mailboxReader(workers);
    await desk.append(12);
    await sleep(between(500, 3_000));
    await (reader ?? workers[0]).stop('SIGKILL');
    await desk.append(6);
    return 1;
  },
};

// The faults on shared services run last, so a run cut short disturbs others least.
const FAULTS: Fault[] = [
  sigkill,
  imapRestarted,
  smtpDown,
  twoWorkers,
  redisEmptied,
  redisRestarted,
  postgresRestarted,
];

async function runFault(fault: Fault, options: Options): Promise<Tally> {
  const desk = new DeskUnderTest(fault.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase());
  desk.label = fault.name;
  await desk.open();
  try {
    log(`${fault.name}: starting (desk ${desk.id})`);
    const rounds = await fault.run(desk, options).catch((err: Error) => {
      desk.notes.push(`fault could not be injected: ${err.message}`);
      return 0;
    });
    await ensureServicesUp().then((r) => r.length && desk.notes.push(`restored ${r.join(', ')}`));
    const faultEnded = Date.now();
    const pending = await waitUntilQuiet(desk, options.settleMs);
    if (pending) desk.notes.push(`not quiet after ${options.settleMs / 1000} s: ${pending}`);
    return await tally(desk, rounds, Math.round((Date.now() - faultEnded) / 1000));
  } finally {
    await desk.close().catch((err: Error) => log(`cleanup failed: ${err.message}`));
    await ensureServicesUp();
  }
}

function parseOptions(argv: string[]): Options {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const number = (flag: string, fallback: number) => {
    const v = value(flag);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v)) throw new Error(`${flag} must be a whole number (got "${v}")`);
    return Number(v);
  };
  const only = value('--only');
  return {
    rounds: number('--rounds', 20),
    smtpDownMs: number('--smtp-down-ms', 60_000),
    settleMs: number('--settle-ms', 240_000),
    only: only ? only.split(',').map((s) => s.trim().toLowerCase()) : null,
    polite: argv.includes('--polite'),
  };
}

function selected(fault: Fault, options: Options): boolean {
  if (!options.only) return true;
  const name = fault.name.toLowerCase();
  return options.only.some((o) => name.includes(o));
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const rows: Tally[] = [];
  for (const fault of FAULTS.filter((f) => selected(f, options))) {
    if (options.polite && fault.shared && fault !== redisEmptied) {
      log(`${fault.name}: skipped (--polite)`);
      continue;
    }
    rows.push(await runFault(fault, options));
    log(`${fault.name}: lost ${rows.at(-1)?.lost}, twice ${rows.at(-1)?.twice}`);
  }

  const table = formatTable(rows);
  process.stdout.write(table + '\n');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(LOG_DIR, `results-${stamp}.md`), table + '\n');
  writeFileSync(join(LOG_DIR, `results-${stamp}.json`), JSON.stringify(rows, null, 2));
  return rows.every((r) => r.lost === 0 && r.twice === 0) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`fault-suite failed: ${err.stack ?? err.message}\n`);
    process.exit(2);
  },
);
