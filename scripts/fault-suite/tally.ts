import { ImapFlow } from 'imapflow';
import type { DeskUnderTest } from './desk-under-test';

/** One row of the table: what went in, what came out, and what went wrong. */
export interface Tally {
  fault: string;
  rounds: number;
  emailsIn: number;
  stored: number;
  requests: number;
  approvals: number;
  duplicates: number;
  /** Appended but never stored or never decided, plus emails owed but never delivered. */
  lost: number;
  quarantined: number;
  emailsSent: number;
  /** Two different emails for one purpose, or an account unlocked twice. */
  twice: number;
  /** The same Message-ID captured more than once: a recognisable resend after a crash. */
  resentSameId: number;
  leftInInbox: number;
  /** Seconds from the end of the fault until the desk was quiet. */
  settledSeconds: number;
  notes: string[];
}

interface InboundRow {
  message_id: string;
  status: string;
  requests: string;
}

interface OutboxRow {
  id: number;
  kind: string;
  request_id: number | null;
  message_id: string;
  status: string;
}

/** What still has to happen before the desk is quiet, or null when nothing does. */
export async function pendingWork(desk: DeskUnderTest): Promise<string | null> {
  const ids = desk.sentIn.map((s) => s.messageId);
  const [row]: Array<{ undecided: string; waiting: string; outbox: string }> = await desk.db.query(
    `SELECT
       $2::int - (SELECT count(*) FROM inbound_messages
                   WHERE message_id = ANY($1) AND status <> 'stored') AS undecided,
       (SELECT count(*) FROM unlock_requests
         WHERE status = 'pending_review' AND account_id IS NOT NULL) AS waiting,
       (SELECT count(*) FROM outbound_emails
         WHERE status IN ('queued', 'sending', 'uncertain')) AS outbox`,
    [ids, ids.length],
  );
  const parts = [
    Number(row.undecided) > 0 ? `${row.undecided} emails not decided` : '',
    Number(row.waiting) > desk.approvalErrors.length ? `${row.waiting} awaiting approval` : '',
    Number(row.outbox) > 0 ? `${row.outbox} outbox rows unsent` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : null;
}

/**
 * Waits until everything appended is decided, approved and answered, and no email has been
 * captured for `quietMs`. Returns what was still pending when the deadline passed, or null.
 */
export async function waitUntilQuiet(
  desk: DeskUnderTest,
  timeoutMs: number,
  quietMs = 4_000,
): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let lastCount = -1;
  let stableSince = Date.now();
  let pending: string | null = 'not checked';
  while (Date.now() < deadline) {
    await desk.reviveCrashed();
    pending = await pendingWork(desk).catch((err: Error) => `database: ${err.message}`);
    if (desk.smtp.emails.length !== lastCount) {
      lastCount = desk.smtp.emails.length;
      stableSince = Date.now();
    }
    if (!pending && Date.now() - stableSince >= quietMs) return null;
    await new Promise((r) => setTimeout(r, 500));
  }
  return pending;
}

/** Counts everything for the table, from the database, the capture server and the mailbox. */
export async function tally(
  desk: DeskUnderTest,
  rounds: number,
  settledSeconds: number,
): Promise<Tally> {
  const ids = desk.sentIn.map((s) => s.messageId);
  const inbound: InboundRow[] = await desk.db.query(
    `SELECT m.message_id, m.status, count(r.id) AS requests
       FROM inbound_messages m LEFT JOIN unlock_requests r ON r.inbound_message_id = m.id
      WHERE m.message_id = ANY($1) GROUP BY m.id`,
    [ids],
  );
  const outbox: OutboxRow[] = await desk.db.query(
    `SELECT id, kind, request_id, message_id, status FROM outbound_emails ORDER BY id`,
  );
  const inboundCounts = countInbound(ids, inbound);
  const emailCounts = await countEmails(desk, outbox);
  return {
    fault: desk.label,
    rounds,
    emailsIn: ids.length,
    approvals: desk.approvals.size,
    emailsSent: desk.smtp.emails.length,
    leftInInbox: await inboxCount(desk),
    settledSeconds,
    ...inboundCounts,
    ...emailCounts,
    lost: inboundCounts.lostIn + emailCounts.lostOut,
    notes: [...desk.notes, ...inboundCounts.notes, ...emailCounts.notes, ...desk.approvalErrors],
  };
}

function countInbound(ids: string[], rows: InboundRow[]) {
  const perId = new Map<string, InboundRow[]>();
  for (const row of rows) perId.set(row.message_id, [...(perId.get(row.message_id) ?? []), row]);
  const missing = ids.filter((id) => !perId.has(id));
  const undecided = rows.filter((r) => r.status === 'stored');
  const notRequests = rows.filter((r) => r.status !== 'quarantined' && Number(r.requests) === 0);
  const duplicates =
    [...perId.values()].filter((list) => list.length > 1).length +
    rows.filter((r) => Number(r.requests) > 1).length;
  const notes = [
    ...missing.slice(0, 5).map((id) => `never stored: ${id}`),
    ...undecided.slice(0, 5).map((r) => `stored, never decided: ${r.message_id}`),
    ...notRequests.slice(0, 5).map((r) => `no request for ${r.message_id} (${r.status})`),
  ];
  return {
    stored: perId.size,
    requests: rows.reduce((n, r) => n + Number(r.requests), 0),
    quarantined: rows.filter((r) => r.status === 'quarantined').length,
    duplicates,
    lostIn: missing.length + undecided.length + notRequests.length,
    notes,
  };
}

async function countEmails(desk: DeskUnderTest, outbox: OutboxRow[]) {
  const captured = new Map<string, number>();
  for (const e of desk.smtp.emails) captured.set(e.messageId, (captured.get(e.messageId) ?? 0) + 1);
  const resentSameId = [...captured.values()].reduce((n, c) => n + c - 1, 0);

  const unsent = outbox.filter((o) => o.status !== 'sent' || !captured.has(o.message_id));
  const missing = await missingEmails(desk);
  const purposes = new Map<string, number>();
  for (const o of outbox.filter((row) => captured.has(row.message_id))) {
    const key = `${o.request_id}:${o.kind}`;
    purposes.set(key, (purposes.get(key) ?? 0) + 1);
  }
  const ours = new Set(outbox.map((o) => o.message_id));
  const strangers = [...captured.keys()].filter((id) => !ours.has(id));
  const unlockedTwice = await countUnlockedTwice(desk);
  const twice =
    [...purposes.values()].filter((n) => n > 1).length + strangers.length + unlockedTwice;
  const notes = [
    ...unsent.slice(0, 5).map((o) => `outbox ${o.id} (${o.kind}) ended ${o.status}`),
    ...missing.slice(0, 5),
    ...(strangers.length ? [`${strangers.length} captured emails not in the outbox`] : []),
    ...(unlockedTwice ? [`${unlockedTwice} accounts unlocked twice`] : []),
    ...(resentSameId ? [`${resentSameId} resent with the same Message-ID`] : []),
  ];
  return { resentSameId, twice, lostOut: unsent.length + missing.length, notes };
}

/** Every request owes its sender one automatic answer, and every unlock a confirmation. */
async function missingEmails(desk: DeskUnderTest): Promise<string[]> {
  const rows: Array<{ reference: string; owed: string }> = await desk.db.query(
    `SELECT r.reference, k.owed FROM unlock_requests r
       CROSS JOIN LATERAL (VALUES ('answer', ARRAY['acknowledgement', 'needs_info']),
                                  ('confirmation', ARRAY['confirmation'])) AS k(owed, kinds)
      WHERE (k.owed = 'answer' OR r.status = 'unlocked')
        AND NOT EXISTS (SELECT 1 FROM outbound_emails o
                         WHERE o.request_id = r.id AND o.kind = ANY(k.kinds))`,
  );
  return rows.map((r) => `${r.reference} has no ${r.owed}`);
}

async function countUnlockedTwice(desk: DeskUnderTest): Promise<number> {
  const rows: Array<{ n: string }> = await desk.db.query(
    `SELECT count(*) AS n FROM (SELECT account_id FROM audit_log WHERE action = 'account.unlocked'
       GROUP BY account_id HAVING count(*) > 1) t`,
  );
  return Number(rows[0].n);
}

async function inboxCount(desk: DeskUnderTest): Promise<number> {
  const m = desk.mailbox();
  const client = new ImapFlow({
    host: m.host,
    port: m.port,
    secure: false,
    auth: { user: m.user, pass: m.password },
    logger: false,
  });
  try {
    await client.connect();
    const status = await client.status('INBOX', { messages: true });
    return status ? (status.messages ?? -1) : -1;
  } catch {
    return -1;
  } finally {
    await client.logout().catch(() => client.close());
  }
}

const HEADERS = [
  'fault',
  'rounds',
  'emails in',
  'stored',
  'requests',
  'approved',
  'duplicates',
  'lost',
  'quarantined',
  'emails sent',
  'sent twice',
  'resent (same Message-ID)',
  'left in INBOX',
  'quiet after (s)',
];

/** The table, in Markdown, with notes under it. */
export function formatTable(rows: Tally[]): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  const body = rows.map((r) =>
    line([
      r.fault,
      r.rounds,
      r.emailsIn,
      r.stored,
      r.requests,
      r.approvals,
      r.duplicates,
      r.lost,
      r.quarantined,
      r.emailsSent,
      r.twice,
      r.resentSameId,
      r.leftInInbox,
      r.settledSeconds,
    ]),
  );
  const notes = rows.flatMap((r) => r.notes.map((n) => `- ${r.fault}: ${n}`));
  return [line(HEADERS), line(HEADERS.map(() => '---')), ...body, '', ...notes].join('\n');
}
