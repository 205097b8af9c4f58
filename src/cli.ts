#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import {
  addAccount,
  clearLockExternally,
  recordFailedSignIn,
  requireAccount,
} from './accounts/account-store';
import { openApp, type App } from './app';
import { loadConfig } from './config';
import { migrate, openDatabase } from './db/data-source';
import { AppError, ERROR_CODES } from './errors';
import { createLogger, type Logger } from './log';
import { runParseCommand } from './mail/parse-command';
import { approveRequest, rejectRequest, type DecisionResult } from './requests/review';
import { listRequests, showRequest, type RequestSummary } from './requests/queries';
import { reportOverdue } from './requests/report';
import { runDemo } from './demo';
import { safeHeaderText } from './trust/header-safety';
import { startService } from '../workers/service';
import { runUntilSignal } from '../workers/signals';

/*
 * The `ams-unlock` command. Every action goes through the same service functions the worker
 * uses; this file only reads arguments, opens what the command needs and prints the result.
 * Results go to stdout; errors go to stderr as "error CODE: message" with a stable exit code.
 */

const out = (line: string): void => void process.stdout.write(line + '\n');
const err = (line: string): void => void process.stderr.write(line + '\n');

function logger(): Logger {
  const level = process.env.LOG_LEVEL ?? 'warn';
  return createLogger(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level) ? level : 'warn',
  );
}

/** Opens the database and Redis for an agent command; nothing else reads the environment. */
async function withApp<T>(work: (app: App) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, ['database', 'redis', 'support']);
  const app = await openApp(config, logger(), { requireRedis: false });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

function run<A extends unknown[]>(action: (...args: A) => Promise<number | void>) {
  return async (...args: A): Promise<void> => {
    try {
      process.exitCode = (await action(...args)) ?? 0;
    } catch (e) {
      if (e instanceof AppError) {
        err(`error ${e.code}: ${e.message}`);
        process.exitCode = ERROR_CODES[e.code].exitCode;
      } else {
        err(`error: ${(e as Error).message}`);
        process.exitCode = 1;
      }
    }
  };
}

/**
 * Text that came from an email is shown on one line with control and bidirectional characters
 * removed, so an email cannot move the cursor, retitle or rewrite what the agent reads.
 */
const shown = (value: unknown): string => safeHeaderText(String(value), 20_000);

function printSummaries(rows: RequestSummary[]): void {
  if (rows.length === 0) return out('No requests.');
  for (const r of rows) {
    const account = !r.accountFound ? 'no account' : r.accountLocked ? 'locked' : 'not locked';
    out(
      [
        r.reference,
        r.status,
        r.receivedAt,
        r.registeredEmail ?? '(no email)',
        r.fullName ?? '(no name)',
        account,
        r.path ?? '',
      ]
        .map(shown)
        .join('  '),
    );
  }
}

function printDetails(details: Record<string, unknown>, indent = ''): void {
  for (const [key, value] of Object.entries(details)) {
    if (
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      !(value instanceof Date)
    ) {
      out(`${indent}${key}:`);
      printDetails(value as Record<string, unknown>, indent + '  ');
    } else if (Array.isArray(value) && value.some((v) => typeof v === 'object')) {
      out(`${indent}${key}:`);
      for (const item of value) out(`${indent}  - ${shown(JSON.stringify(item))}`);
    } else {
      out(`${indent}${key}: ${shown(Array.isArray(value) ? value.join(', ') : value)}`);
    }
  }
}

function printDecision(result: DecisionResult, json: boolean): void {
  if (json) return out(JSON.stringify(result));
  out(`${result.reference}: ${result.status}. ${result.message}`);
}

export function buildProgram(): Command {
  const program = new Command('ams-unlock')
    .description('AMS Unlock Desk: turns unlock-request emails into reviewed account unlocks')
    .exitOverride()
    .configureOutput({ outputError: () => undefined });

  program
    .command('migrate')
    .description('create or update the database schema')
    .action(
      run(async () => {
        const config = loadConfig(process.env, ['database']);
        const dataSource = await openDatabase({
          url: config.DATABASE_URL,
          schema: config.DATABASE_SCHEMA,
        });
        try {
          const applied = await migrate(dataSource);
          out(applied.length ? `Applied: ${applied.join(', ')}` : 'Schema is up to date.');
        } finally {
          await dataSource.destroy();
        }
      }),
    );

  program
    .command('start')
    .description('run the mailbox poller, queue workers and health endpoint until SIGTERM')
    .action(
      run(async () => {
        const config = loadConfig(process.env, ['database', 'redis', 'imap', 'smtp', 'support']);
        const log = createLogger(config.LOG_LEVEL);
        const service = await startService(config, log);
        // Exit explicitly: a library handle left open must not keep a stopped service alive.
        process.exit(await runUntilSignal(service, config.SHUTDOWN_GRACE_MS, log));
      }),
    );

  const requests = program.command('requests').description('review unlock requests');
  requests
    .command('list')
    .description('list requests, oldest first (default: every open request)')
    .option('--status <status>', 'only requests with this status')
    .option('--json', 'one JSON array')
    .action(
      run(async (opts: { status?: string; json?: boolean }) => {
        const rows = await withApp((app) => listRequests(app.desk, opts.status));
        if (opts.json) out(JSON.stringify(rows));
        else printSummaries(rows);
      }),
    );
  requests
    .command('show')
    .argument('<ref>', 'the reference, e.g. AMS-1042')
    .option('--json', 'as JSON')
    .action(
      run(async (ref: string, opts: { json?: boolean }) => {
        const details = await withApp((app) => showRequest(app.desk, ref));
        if (opts.json) out(JSON.stringify(details));
        else printDetails(details);
      }),
    );
  requests
    .command('approve')
    .argument('<ref>')
    .requiredOption('--agent <email>', 'the approving agent')
    .option('--note <text>', 'a note for the audit log')
    .option('--override <reason>', 'supervisors only: act outside working hours, giving the reason')
    .option('--json', 'print the result as JSON')
    .action(
      run(
        async (
          ref: string,
          opts: { agent: string; note?: string; override?: string; json?: boolean },
        ) => {
          const result = await withApp((app) =>
            approveRequest(app.desk, {
              reference: ref,
              agent: opts.agent,
              note: opts.note,
              overrideReason: opts.override,
            }),
          );
          printDecision(result, opts.json === true);
        },
      ),
    );
  requests
    .command('reject')
    .argument('<ref>')
    .requiredOption('--agent <email>', 'the rejecting agent')
    .requiredOption('--reason <text>', 'why; it is quoted to the registered address')
    .option('--override <reason>', 'supervisors only: act outside working hours, giving the reason')
    .option('--json', 'print the result as JSON')
    .action(
      run(
        async (
          ref: string,
          opts: { agent: string; reason: string; override?: string; json?: boolean },
        ) => {
          const result = await withApp((app) =>
            rejectRequest(app.desk, {
              reference: ref,
              agent: opts.agent,
              reason: opts.reason,
              overrideReason: opts.override,
            }),
          );
          printDecision(result, opts.json === true);
        },
      ),
    );

  program
    .command('report')
    .description('requests that passed the resolution target, in working minutes')
    .option('--target-minutes <n>', 'target in working minutes (default RESOLUTION_TARGET_MINUTES)')
    .option('--days <n>', 'look back this many days', '30')
    .option('--json', 'as JSON')
    .action(
      run(async (opts: { targetMinutes?: string; days: string; json?: boolean }) => {
        const rows = await withApp((app) => {
          const config = loadConfig(process.env, []);
          const targetMinutes = opts.targetMinutes
            ? positiveInt('--target-minutes', opts.targetMinutes)
            : config.RESOLUTION_TARGET_MINUTES;
          return reportOverdue(app.desk, {
            targetMinutes,
            sinceDays: positiveInt('--days', opts.days, 3650),
          });
        });
        if (opts.json) out(JSON.stringify(rows));
        else if (rows.length === 0) out('No request passed its target.');
        else
          for (const r of rows)
            out(
              `${r.reference}  ${r.status}  ${r.workingMinutes} working minutes ` +
                `(target ${r.targetMinutes})`,
            );
      }),
    );

  const accounts = program
    .command('accounts')
    .description('AMS accounts (a stand-in for the AMS user store)');
  accounts
    .command('add')
    .requiredOption('--email <email>')
    .requiredOption('--name <name>')
    .option('--company <company>')
    .option('--admin', 'the user is an admin of their company (privileged)')
    .option('--json', 'as JSON')
    .action(
      run(
        async (opts: {
          email: string;
          name: string;
          company?: string;
          admin?: boolean;
          json?: boolean;
        }) => {
          const account = await withDatabase((ds) =>
            addAccount(
              ds,
              {
                email: opts.email,
                fullName: opts.name,
                company: opts.company,
                isCompanyAdmin: opts.admin,
              },
              'cli',
            ),
          );
          if (opts.json) out(JSON.stringify(account));
          else out(`Added ${account.email} (${account.fullName}).`);
        },
      ),
    );
  accounts
    .command('lock')
    .argument('<email>')
    .description('record failed sign-ins until the lockout policy locks the account')
    .action(
      run(async (email: string) => {
        const config = loadConfig(process.env, ['database']);
        const account = await withDatabase(async (ds) => {
          let current = await recordFailedSignIn(ds, email, config.LOCKOUT_MAX_FAILURES);
          while (!current.locked)
            current = await recordFailedSignIn(ds, email, config.LOCKOUT_MAX_FAILURES);
          return current;
        });
        out(`${account.email} is locked after ${account.failedAttempts} failed sign-ins.`);
      }),
    );
  accounts
    .command('show')
    .argument('<email>')
    .option('--json', 'as JSON')
    .action(
      run(async (email: string, opts: { json?: boolean }) => {
        const account = await withDatabase((ds) => requireAccount(ds.manager, email));
        if (opts.json) out(JSON.stringify(account));
        else
          printDetails({
            ...account,
            lockedAt: account.lockedAt?.toISOString() ?? null,
            createdAt: account.createdAt.toISOString(),
          });
      }),
    );
  accounts
    .command('clear-lock')
    .argument('<email>')
    .description(
      'record that AMS cleared the lock itself (a completed password reset or a company admin)',
    )
    .addOption(
      new Option('--by <how>', 'who cleared it')
        .choices(['password_reset', 'company_admin'])
        .default('password_reset'),
    )
    .action(
      run(async (email: string, opts: { by: 'password_reset' | 'company_admin' }) => {
        const account = await withDatabase((ds) => clearLockExternally(ds, email, opts.by));
        out(`${account.email} is unlocked (${opts.by}).`);
      }),
    );

  program
    .command('parse')
    .argument('<files...>', '.eml files')
    .description('print how each email is read: one JSON object per file, one per line')
    .option('--explain', 'add the reasons for each decision')
    .action(
      run(async (files: string[], opts: { explain?: boolean }) => {
        const supportAddress = process.env.SUPPORT_ADDRESS || undefined;
        return runParseCommand(
          files,
          { explain: opts.explain === true, supportAddress },
          { out, err },
        );
      }),
    );

  program
    .command('demo')
    .description('seed locked demo accounts and put example request emails in the mailbox')
    .action(
      run(async () => {
        const config = loadConfig(process.env, ['database', 'imap', 'support']);
        const summary = await withDatabase((ds) => runDemo(ds, config));
        out(summary);
      }),
    );

  return program;
}

async function withDatabase<T>(work: (ds: import('typeorm').DataSource) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, ['database']);
  const dataSource = await openDatabase({
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
  });
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

function positiveInt(name: string, value: string, max = 1_000_000): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new AppError(
      'INVALID_INPUT',
      `${name} must be a whole number from 1 to ${max} (got "${value}")`,
    );
  }
  return Number(value);
}

/** Usage mistakes (unknown command, missing option) read like every other error, exit 2. */
async function main(argv: string[]): Promise<void> {
  // `ams-unlock ... | head` closes the pipe early; that is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.exitCode === 0) return;
    err(`error INVALID_INPUT: ${e.message.replace(/^error: /, '')} (see ams-unlock --help)`);
    process.exitCode = ERROR_CODES.INVALID_INPUT.exitCode;
  }
}

if (require.main === module) {
  void main(process.argv);
}
