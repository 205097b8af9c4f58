import IORedis from 'ioredis';
import { addAccount, recordFailedSignIn } from '../../src/accounts/account-store';
import { createLogger } from '../../src/log';
import type { Desk } from '../../src/requests/desk';
import { approveRequest } from '../../src/requests/review';
import { startService, type RunningService } from '../../workers/service';
import { copyToInbox, startRefusingSmtp, storeWithoutJob } from '../support/crash-safety';
import {
  folderContents,
  requestEmail,
  startTestDesk,
  waitFor,
  type TestDesk,
} from '../support/harness';

/*
 * The fast cases of the fault-injection suite (issue 6): each leaves the database, Redis or
 * the mailbox as a crash or an outage would, and checks that nothing is lost and nothing
 * happens twice. The long rounds (SIGKILL, service restarts) run from scripts/fault-suite.ts.
 */

let t: TestDesk;
let smtp: Awaited<ReturnType<typeof startRefusingSmtp>>;
const agent = 'agent@ams-support.example';

beforeAll(async () => {
  smtp = await startRefusingSmtp();
  t = await startTestDesk({
    SMTP_URL: smtp.url,
    MAX_MESSAGE_BYTES: '2048',
    MAX_PROCESSING_ATTEMPTS: '3',
    RECONCILE_INTERVAL_MS: '1000',
    IMAP_RECONCILE_MS: '1000',
  });
});

afterAll(async () => {
  await t?.stop();
  await smtp?.close();
});

/** The instance whose database connection the checks use; the two-instance case changes it. */
let current: () => RunningService = () => t.service;
const db = () => current().app.dataSource;

function request(name: string, address: string, messageId: string, description = 'locked out') {
  return requestEmail({
    from: `${name} <${address}>`,
    messageId,
    body: `Full name: ${name}\r\nRegistered email: ${address}\r\nDescription: ${description}`,
  });
}

async function lockedAccount(email: string, fullName: string): Promise<void> {
  await addAccount(db(), { email, fullName }, 'test');
  for (let i = 0; i < 6; i++) await recordFailedSignIn(db(), email, t.config.LOCKOUT_MAX_FAILURES);
}

interface InboundState {
  id: number;
  status: string;
  attempts: number;
  last_error: string | null;
  requests: string;
}

async function inbound(messageId: string): Promise<InboundState[]> {
  return db().query(
    `SELECT m.id, m.status, m.attempts, m.last_error, count(r.id) AS requests
       FROM inbound_messages m LEFT JOIN unlock_requests r ON r.inbound_message_id = m.id
      WHERE m.message_id = $1 GROUP BY m.id`,
    [messageId],
  );
}

/** Waits until the message is decided; fails if it was stored twice. */
async function decided(messageId: string): Promise<InboundState> {
  const rows = await waitFor(`${messageId} to be decided`, async () => {
    const found = await inbound(messageId);
    return found.length > 0 && found.every((r) => r.status !== 'stored') && found;
  });
  expect(rows).toHaveLength(1);
  return rows[0];
}

interface OutboxState {
  id: number;
  kind: string;
  status: string;
  attempts: number;
  message_id: string;
  last_error: string | null;
}

async function outboxFor(inboundMessageId: string): Promise<OutboxState[]> {
  return db().query(
    `SELECT o.id, o.kind, o.status, o.attempts, o.message_id, o.last_error
       FROM outbound_emails o JOIN unlock_requests r ON r.id = o.request_id
       JOIN inbound_messages m ON m.id = r.inbound_message_id
      WHERE m.message_id = $1 ORDER BY o.id`,
    [inboundMessageId],
  );
}

async function referenceOf(messageId: string): Promise<string> {
  const rows: Array<{ reference: string }> = await db().query(
    `SELECT reference FROM unlock_requests WHERE message_id = $1`,
    [messageId],
  );
  return rows[0].reference;
}

const deliveries = (messageId: string) => smtp.emails.filter((e) => e.messageId === messageId);

/** Every outbox row of this request sent, each delivered exactly `times` times. */
async function allSent(inboundMessageId: string, kinds: string[]): Promise<OutboxState[]> {
  return waitFor(`${kinds.join(' and ')} for ${inboundMessageId}`, async () => {
    const rows = await outboxFor(inboundMessageId);
    const done =
      rows.map((r) => r.kind).join() === kinds.join() &&
      rows.every((r) => r.status === 'sent' && deliveries(r.message_id).length > 0);
    return done && rows;
  });
}

/** The same desk, but whatever it asks Redis to schedule is lost on the way. */
function deskLosingJobs(): Desk {
  return {
    ...t.service.app.desk,
    scheduler: { sendEmails: async () => undefined, reviewAt: async () => undefined },
  };
}

async function emptyRedis(prefix: string): Promise<number> {
  const redis = new IORedis(t.config.REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    return keys.length;
  } finally {
    redis.disconnect();
  }
}

describe('crash safety', () => {
  it('rebuilds lost queue entries from PostgreSQL after Redis is emptied', async () => {
    await lockedAccount('ruth.emptied@example.com', 'Ruth Emptied');
    await t.append(request('Ruth Emptied', 'ruth.emptied@example.com', 'ruth-1@example.com'));
    await allSent('ruth-1@example.com', ['acknowledgement']);

    expect(await emptyRedis(t.config.QUEUE_PREFIX)).toBeGreaterThan(0);
    const result = await approveRequest(deskLosingJobs(), {
      reference: await referenceOf('ruth-1@example.com'),
      agent,
    });
    await t.append(request('Sam Later', 'sam.later@example.com', 'sam-1@example.com'));

    expect(result.status).toBe('unlocked');
    const sent = await allSent('ruth-1@example.com', ['acknowledgement', 'confirmation']);
    for (const row of sent) expect(deliveries(row.message_id)).toHaveLength(1);
    expect((await decided('sam-1@example.com')).requests).toBe('1');
    await allSent('sam-1@example.com', ['acknowledgement']);
  });

  it('processes a stored message whose queue job was never added', async () => {
    const id = await storeWithoutJob(
      db(),
      request('Nora Nojob', 'nora.nojob@example.com', 'nora-1@example.com'),
    );

    const state = await decided('nora-1@example.com');

    expect(state).toMatchObject({ id, status: 'processed', attempts: 1, requests: '1' });
    const [ack] = await allSent('nora-1@example.com', ['acknowledgement']);
    expect(deliveries(ack.message_id)).toHaveLength(1);
  });

  it('resends an email cut off mid-send, with the same Message-ID', async () => {
    const [ack] = await allSent('nora-1@example.com', ['acknowledgement']);
    // The worker died after the server took the email and before it recorded "sent", and
    // the stale-send period has passed.
    await db().query(
      `UPDATE outbound_emails SET status = 'sending', next_attempt_at = now() - interval '1 second'
        WHERE id = $1`,
      [ack.id],
    );

    await waitFor('the resend', async () => deliveries(ack.message_id).length === 2);

    const [after] = await allSent('nora-1@example.com', ['acknowledgement']);
    expect(after).toMatchObject({ id: ack.id, message_id: ack.message_id, attempts: 2 });
    expect(deliveries(ack.message_id).map((d) => d.to)).toEqual([
      ['nora.nojob@example.com'],
      ['nora.nojob@example.com'],
    ]);
  });

  it('marks an email refused with 5xx as failed and never retries it', async () => {
    await t.append(request('Rita Refused', 'refuse.rita@example.com', 'rita-1@example.com'));

    const [ack] = await waitFor('the refusal to be recorded', async () => {
      const rows = await outboxFor('rita-1@example.com');
      return rows.length === 1 && rows[0].status === 'failed' && rows;
    });
    await new Promise((r) => setTimeout(r, 3_000));

    expect(ack.last_error).toMatch(/^SMTP_PERMANENT/);
    expect(await outboxFor('rita-1@example.com')).toMatchObject([
      { status: 'failed', attempts: 1 },
    ]);
    expect(smtp.refusals.filter((a) => a === 'refuse.rita@example.com')).toHaveLength(1);
  });

  it('quarantines an oversize message and one that keeps crashing; the rest flow', async () => {
    const big = request(
      'Olga Oversize',
      'olga.big@example.com',
      'olga-1@example.com',
      'x'.repeat(4000),
    );
    await t.append(big, request('Fred Flows', 'fred.flows@example.com', 'fred-1@example.com'));
    const crashing = request('Carl Crash', 'carl.crash@example.com', 'carl-1@example.com');
    await storeWithoutJob(db(), crashing, Number(t.config.MAX_PROCESSING_ATTEMPTS));

    const oversize = await decided('olga-1@example.com');
    const crashed = await decided('carl-1@example.com');
    const flowed = await decided('fred-1@example.com');

    expect(oversize).toMatchObject({ status: 'quarantined', requests: '0' });
    expect(oversize.last_error).toContain('MAX_MESSAGE_BYTES');
    expect(crashed).toMatchObject({ status: 'quarantined', requests: '0' });
    expect(crashed.last_error).toContain('failed 3 times');
    expect(flowed).toMatchObject({ status: 'processed', requests: '1' });
    const [{ raw }]: Array<{ raw: Buffer | null }> = await db().query(
      `SELECT raw FROM inbound_messages WHERE message_id = 'olga-1@example.com'`,
    );
    expect(raw).toBeNull();
    await waitFor('the oversize message to be filed', async () => {
      const f = await folderContents(t.config, ['Unprocessed']);
      return f.Unprocessed.length === 1 && f;
    });
  });

  it('reads the mailbox again after UIDVALIDITY changes, without duplicates', async () => {
    await waitFor('the first messages to be moved', async () => {
      const f = await folderContents(t.config, ['INBOX']);
      return f.INBOX.length === 0;
    });
    await copyToInbox(t.config, 'Processed', 'ruth-1@example.com');
    // The stored cursor belongs to an older UIDVALIDITY, far past every UID the server has now:
    // a poller that ignored UIDVALIDITY would never read the new mail.
    await db().query(`UPDATE mailbox_state SET uid_validity = 4242, last_uid = 999999`);
    await t.append(request('Uma Validity', 'uma.validity@example.com', 'uma-1@example.com'));

    expect((await decided('uma-1@example.com')).requests).toBe('1');
    await waitFor('the INBOX to empty again', async () => {
      const f = await folderContents(t.config, ['INBOX']);
      return f.INBOX.length === 0;
    });

    expect(await inbound('ruth-1@example.com')).toMatchObject([{ requests: '1' }]);
    expect((await outboxFor('ruth-1@example.com')).map((o) => o.kind)).toEqual([
      'acknowledgement',
      'confirmation',
    ]);
    const [state]: Array<{ uid_validity: string }> = await db().query(
      `SELECT uid_validity FROM mailbox_state WHERE mailbox = 'INBOX'`,
    );
    expect(state.uid_validity).not.toBe('4242');
  });

  it('runs two instances on one mailbox: one reads it, nothing is duplicated', async () => {
    const second = await startService(t.config, createLogger('silent'));
    try {
      const ids = ['ann', 'bob', 'cat', 'dan'].map((n) => `${n}-2@example.com`);
      const names = ['Ann Twin', 'Bob Twin', 'Cat Twin', 'Dan Twin'];
      await t.append(...ids.map((id, i) => request(names[i], id.replace('-2', '.twin'), id)));

      for (const id of ids) expect((await decided(id)).requests).toBe('1');
      for (const id of ids) await allSent(id, ['acknowledgement']);
      const holders = [t.service, second].filter((s) => s.poller.health().holdsMailbox);
      expect(holders).toHaveLength(1);

      await takeOver(holders[0], holders[0] === t.service ? second : t.service);
    } finally {
      await second.shutdown();
    }
  });
});

/** The mailbox holder stops; the other instance takes the mailbox and reads new mail. */
async function takeOver(holder: RunningService, other: RunningService): Promise<void> {
  current = () => other;
  await holder.shutdown();
  await t.append(request('Eve Later', 'eve.later@example.com', 'eve-2@example.com'));

  expect((await decided('eve-2@example.com')).requests).toBe('1');
  expect(other.poller.health().holdsMailbox).toBe(true);
  const counts: Array<{ message_id: string; n: string }> = await db().query(
    `SELECT message_id, count(*) AS n FROM unlock_requests GROUP BY message_id HAVING count(*) > 1`,
  );
  expect(counts).toEqual([]);
}
