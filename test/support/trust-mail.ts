import { addAccount, recordFailedSignIn } from '../../src/accounts/account-store';
import { AUTHSERV_ID, waitFor, type CapturedEmail, type TestDesk } from './harness';

/** The body of a complete request: every field the parser needs, labelled. */
export function requestBody(fields: { name: string; email: string; description?: string }): string {
  return [
    `Full name: ${fields.name}`,
    `Registered email: ${fields.email}`,
    `Description: ${fields.description ?? 'I typed the wrong password too many times.'}`,
  ].join('\r\n');
}

/** Authentication-Results from our receiving server saying the From domain's owner disowns it. */
export function dmarcFailResults(domain: string): string {
  return (
    `${AUTHSERV_ID}; spf=fail smtp.mailfrom=${domain}; dkim=fail header.d=${domain}; ` +
    `dmarc=fail (p=reject) header.from=${domain}`
  );
}

/** Authentication-Results from our receiving server with an aligned pass for the domain. */
export function dmarcPassResults(domain: string): string {
  return (
    `${AUTHSERV_ID}; spf=pass smtp.mailfrom=${domain}; dkim=pass header.d=${domain}; ` +
    `dmarc=pass header.from=${domain}`
  );
}

/** Adds an account and, unless told otherwise, locks it the way AMS does: by failed sign-ins. */
export async function addTestAccount(
  t: TestDesk,
  input: { email: string; fullName: string; locked?: boolean; companyAdmin?: boolean },
): Promise<void> {
  const ds = t.service.app.dataSource;
  await addAccount(
    ds,
    {
      email: input.email,
      fullName: input.fullName,
      company: 'Acme Ltd',
      isCompanyAdmin: input.companyAdmin ?? false,
    },
    'test',
  );
  if (input.locked === false) return;
  for (let i = 0; i <= t.config.LOCKOUT_MAX_FAILURES; i++) {
    await recordFailedSignIn(ds, input.email, t.config.LOCKOUT_MAX_FAILURES);
  }
}

export interface StoredRequest {
  id: number;
  reference: string;
  status: string;
  path: string | null;
  path_rules: string[];
  sender_address: string | null;
  sender_problem: string | null;
  merged_into_id: number | null;
  claimed_name: string | null;
  missing: string[];
}

/** The request an inbound Message-ID became, once intake has decided it. */
export async function waitForRequest(t: TestDesk, messageId: string): Promise<StoredRequest> {
  return waitFor(`the request for ${messageId}`, async () => {
    const rows: StoredRequest[] = await t.service.app.dataSource.query(
      `SELECT r.id, r.reference, r.status, r.path, r.path_rules, r.sender_address,
              r.sender_problem, r.merged_into_id, r.claimed_name, r.missing
         FROM unlock_requests r JOIN inbound_messages m ON m.id = r.inbound_message_id
        WHERE m.message_id = $1 AND r.path IS NOT NULL`,
      [messageId],
    );
    return rows[0];
  });
}

/** Waits until no inbound message is left undecided, so every effect has been written. */
export async function waitForIntakeIdle(t: TestDesk, expectedTotal: number): Promise<void> {
  await waitFor(`${expectedTotal} inbound messages decided`, async () => {
    const [row]: Array<{ done: string; open: string }> = await t.service.app.dataSource.query(
      `SELECT count(*) FILTER (WHERE status <> 'stored') AS done,
              count(*) FILTER (WHERE status = 'stored') AS open
         FROM inbound_messages`,
    );
    return Number(row.done) >= expectedTotal && Number(row.open) === 0;
  });
}

/** Waits until the outbox holds nothing still waiting to go out. */
export async function waitForOutboxDrained(t: TestDesk): Promise<void> {
  await waitFor('the outbox to drain', async () => {
    const [row]: Array<{ n: string }> = await t.service.app.dataSource.query(
      `SELECT count(*) AS n FROM outbound_emails
        WHERE status IN ('queued', 'sending', 'uncertain')`,
    );
    return Number(row.n) === 0;
  });
}

/** Outbox rows for one address, whether sent yet or not. */
export async function outboxRowsTo(
  t: TestDesk,
  address: string,
): Promise<Array<{ kind: string; status: string }>> {
  return t.service.app.dataSource.query(
    `SELECT kind, status FROM outbound_emails WHERE lower(to_address) = lower($1) ORDER BY id`,
    [address],
  );
}

/** Captured emails whose envelope names this address. */
export function capturedTo(t: TestDesk, address: string): CapturedEmail[] {
  return t.smtp.emails.filter((e) => e.to.some((to) => to.toLowerCase() === address));
}

/** Captured emails whose envelope names any address at this domain. */
export function capturedToDomain(t: TestDesk, domain: string): CapturedEmail[] {
  return t.smtp.emails.filter((e) => e.to.some((to) => to.toLowerCase().endsWith(`@${domain}`)));
}

/** The header fields of a raw email as sent, unfolded, names in lower case. */
export function rawHeaderFields(raw: Buffer): Array<{ name: string; value: string }> {
  const text = raw.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  const block = text.slice(0, end < 0 ? text.length : end).replace(/\r\n(?=[ \t])/g, '');
  return block.split('\r\n').map((line) => {
    const colon = line.indexOf(':');
    return { name: line.slice(0, colon).toLowerCase(), value: line.slice(colon + 1).trim() };
  });
}

// Reference numbers and the moment a request was received legitimately differ between two
// acknowledgements; everything else must not.
const REFERENCE = /AMS-\d+/g;
const DATE_TEXT = /\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}/g;

function normalise(text: string): string {
  return text.replace(REFERENCE, 'AMS-NNNN').replace(DATE_TEXT, '<date>');
}

/** Headers that name the recipient, the thread or the moment, which differ by design. */
const VARYING_HEADERS = new Set(['message-id', 'date', 'to', 'in-reply-to', 'references']);

/**
 * What must be byte-identical between any two acknowledgements: subject, text and HTML bodies and
 * every header apart from the varying ones (MIME boundaries are random and left out).
 */
export function acknowledgementShape(email: CapturedEmail): Record<string, string> {
  const headers = rawHeaderFields(email.raw)
    .filter((h) => !VARYING_HEADERS.has(h.name))
    .map((h) => `${h.name}: ${h.value.replace(/boundary="?[^";]+"?/, 'boundary=<b>')}`)
    .sort();
  return {
    subject: normalise(email.parsed.subject ?? ''),
    text: normalise(email.parsed.text ?? ''),
    html: normalise(typeof email.parsed.html === 'string' ? email.parsed.html : ''),
    headers: normalise(headers.join('\n')),
  };
}

/** The audit rows of one request (and of its account), oldest first. */
export async function auditRows(
  t: TestDesk,
  requestId: number,
  accountId: number | null,
): Promise<Array<{ action: string; actor: string | null; details: Record<string, unknown> }>> {
  return t.service.app.dataSource.query(
    `SELECT action, actor, details FROM audit_log
      WHERE request_id = $1 OR ($2::int IS NOT NULL AND account_id = $2)
      ORDER BY id`,
    [requestId, accountId],
  );
}

/** Runs a promise that should fail and returns what it threw (or null if it did not throw). */
export async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (err: unknown) => err,
  );
}
