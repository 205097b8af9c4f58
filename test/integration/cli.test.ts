import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { openDatabase } from '../../src/db/data-source';
import { appendMessages, mailboxOf } from '../../src/ingest/append-messages';
import {
  dropTestState,
  isolatedEnv,
  requestEmail,
  startSmtpCapture,
  waitFor,
} from '../support/harness';
import { loadServiceConfig, type Config } from '../../src/config';

/*
 * The built `ams-unlock` command as an operator runs it: real processes, real exit codes,
 * a real SIGTERM. `npm test` builds dist/ before running the tests.
 */

const cli = join(__dirname, '..', '..', 'dist', 'src', 'cli.js');
let env: Record<string, string>;
let config: Config;
let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(args: string[], extra: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env, ...extra },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

beforeAll(async () => {
  const id = randomBytes(5).toString('hex');
  smtp = await startSmtpCapture();
  env = { ...isolatedEnv(id, smtp.url), LOG_LEVEL: 'warn' };
  config = loadServiceConfig(env);
});

afterAll(async () => {
  await smtp.close();
  await dropTestState(config);
});

describe('ams-unlock', () => {
  it('migrates once, then reports the schema up to date', () => {
    expect(run(['migrate'])).toMatchObject({
      code: 0,
      out: 'Applied: InitialSchema1764860000000\n',
    });
    expect(run(['migrate'])).toMatchObject({ code: 0, out: 'Schema is up to date.\n' });
  });

  it('adds, locks and shows accounts, refusing a duplicate email whatever its case', () => {
    expect(
      run(['accounts', 'add', '--email', 'Jane.Doe@Example.com', '--name', 'Jane Doe']).code,
    ).toBe(0);
    const again = run(['accounts', 'add', '--email', 'jane.doe@example.com', '--name', 'J']);
    expect(again).toMatchObject({ code: 5 });
    expect(again.err).toContain('error ACCOUNT_EXISTS');

    expect(run(['accounts', 'lock', 'jane.doe@example.com']).out).toContain(
      'locked after 6 failed sign-ins',
    );
    const shown = JSON.parse(run(['accounts', 'show', 'JANE.DOE@example.com', '--json']).out);
    expect(shown).toMatchObject({ email: 'jane.doe@example.com', locked: true, failedAttempts: 6 });
  });

  it('names what is wrong: unknown ref, bad status, missing setting, services down', () => {
    expect(run(['requests', 'show', 'AMS-424242'])).toMatchObject({ code: 4 });
    expect(run(['requests', 'list', '--status', 'bogus']).err).toContain('--status must be one of');
    expect(run(['requests', 'list'], { DATABASE_URL: '' }).err).toContain(
      'DATABASE_URL is not set',
    );

    const noDatabase = run(['requests', 'list'], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:9/x',
    });
    expect(noDatabase).toMatchObject({ code: 69 });
    expect(noDatabase.err).toContain('error DATABASE_UNAVAILABLE');
    const noRedis = run(['start'], { REDIS_URL: 'redis://127.0.0.1:9' });
    expect(noRedis).toMatchObject({ code: 69 });
    expect(noRedis.err).toContain('error REDIS_UNAVAILABLE');
  });

  it('runs: ready, takes an email, approves from the CLI, stops on SIGTERM', async () => {
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, [cli, 'start'], {
      env: { PATH: process.env.PATH ?? '', ...env, HTTP_PORT: String(port) },
      stdio: 'ignore',
    });
    try {
      const ready = await waitFor('readiness', async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
        return res?.status === 200 && ((await res.json()) as Record<string, { ok: boolean }>);
      });
      expect(Object.keys(ready).sort()).toEqual(['database', 'imap', 'redis', 'smtp']);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

      await appendMessages(mailboxOf(config), [
        Buffer.from(
          requestEmail({
            from: 'jane.doe@example.com',
            body: 'Name: Jane Doe\r\nEmail: jane.doe@example.com\r\nDescription: locked out',
          }),
        ),
      ]);
      const [request] = await waitFor('the request', async () => {
        const listed = JSON.parse(run(['requests', 'list', '--json']).out) as Array<{
          reference: string;
          status: string;
        }>;
        return listed.length > 0 && listed;
      });
      expect(request.status).toBe('pending_review');

      const approved = run([
        'requests',
        'approve',
        request.reference,
        '--agent',
        'agent@ams-support.example',
      ]);
      expect(approved).toMatchObject({ code: 0 });
      expect(approved.out).toContain(`${request.reference}: unlocked`);
      await waitFor('the confirmation', async () =>
        smtp.emails.some((e) => /Forgot Password/.test(e.parsed.text ?? '')),
      );
      expect(
        run(['requests', 'approve', request.reference, '--agent', 'agent@ams-support.example'])
          .code,
      ).toBe(5);
      expect(await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text())).toContain(
        'ams_requests',
      );
    } finally {
      const exit = new Promise<number | null>((resolve) =>
        child.once('exit', (code) => resolve(code)),
      );
      const started = Date.now();
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(Date.now() - started).toBeLessThan(20_000);
    }
  });

  it('on SIGTERM releases a hanging send and still exits 0 within the grace period', async () => {
    const hanging = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      onData(stream) {
        stream.resume(); // takes the message and never answers
      },
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const smtpPort = (hanging.server.address() as { port: number }).port;
    const child = spawn(process.execPath, [cli, 'start'], {
      env: {
        PATH: process.env.PATH ?? '',
        ...env,
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        SHUTDOWN_GRACE_MS: '6000',
        HTTP_PORT: String(await freePort()),
      },
      stdio: 'ignore',
    });
    const db = await openDatabase({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
    try {
      await appendMessages(mailboxOf(config), [
        Buffer.from(requestEmail({ from: 'hang.ing@example.com', body: 'Name: Han Ging' })),
      ]);
      const sending = async () => {
        const rows: Array<{ id: number }> = await db.query(
          `SELECT id FROM outbound_emails WHERE to_address = 'hang.ing@example.com'
              AND status = 'sending'`,
        );
        return rows[0];
      };
      const row = await waitFor('a send in flight', sending);

      const exit = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      const started = Date.now();
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(Date.now() - started).toBeLessThan(6_000);
      const [after]: Array<{ status: string }> = await db.query(
        `SELECT status FROM outbound_emails WHERE id = $1`,
        [row.id],
      );
      expect(['uncertain', 'queued']).toContain(after.status);
    } finally {
      child.kill('SIGKILL');
      await db.destroy();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });
});
