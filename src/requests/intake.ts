import type { EntityManager } from 'typeorm';
import { findAccountByEmail } from '../accounts/account-store';
import { recordAudit } from '../audit/record-audit';
import { UnlockRequest } from '../db/entities/unlock-request';
import { hasCode } from '../errors';
import { matchesRequestSubject, parseEmail } from '../mail';
import type { FieldName } from '../mail/types';
import type { ParsedEmail } from '../mail/types';
import { enqueueEmail, findOurMessageIds, wasAnsweredRecently } from '../notify/outbox';
import { authenticateSender, shouldAutoReply, type AuthVerdict } from '../trust';
import { formatInstant, scheduleQuietly, type Desk } from './desk';
import { assessRequest } from './signals';
import { OPEN_STATUSES, type RequestStatus } from './transitions';
import { updateReturning } from '../db/update-returning';

interface StoredMessage {
  id: number;
  raw: Buffer | null;
  status: string;
  attempts: number;
  message_id: string | null;
  raw_sha256: string;
  size_bytes: number;
  received_at: Date;
}

/** What one inbound message became. */
export type IntakeOutcome =
  | { outcome: 'already_done' }
  | { outcome: 'quarantined'; reason: string }
  | { outcome: 'ignored'; kind: string; reasons: string[] }
  | { outcome: 'reply'; requestId: number }
  | { outcome: 'request'; requestId: number; status: RequestStatus };

interface Effects {
  emails: number[];
  review?: { requestId: number; at: Date };
}

const FIELDS: FieldName[] = ['fullName', 'registeredEmail', 'description'];

const HUMAN_FIELD_NAMES: Record<string, string> = {
  fullName: 'your full name',
  registeredEmail: 'the email address registered with AMS',
  description: 'a brief description of the problem',
};

/**
 * Turns one stored inbound message into its outcome: ignored with a reason, a reply attached
 * to its request, or a new request acknowledged. Safe to run twice: a message already decided
 * is left alone, and one that keeps failing is quarantined after a bounded number of tries.
 */
export async function processInboundMessage(desk: Desk, inboundId: number): Promise<IntakeOutcome> {
  const message = await claimAttempt(desk, inboundId);
  if (!message) return { outcome: 'already_done' };

  if (!message.raw) return quarantine(desk, message, 'message larger than MAX_MESSAGE_BYTES');
  if (message.attempts > desk.settings.maxProcessingAttempts) {
    return quarantine(desk, message, `failed ${message.attempts - 1} times`);
  }

  let parsed: ParsedEmail;
  try {
    parsed = await parseWithThreads(desk, message.raw);
  } catch (err) {
    if (hasCode(err, 'PARSE_TIMEOUT')) throw err;
    return quarantine(desk, message, `parser failed: ${(err as Error).message}`);
  }

  const readsSender = parsed.kind === 'unlock_request' || parsed.kind === 'reply';
  const verdict = readsSender ? await authenticate(desk, message.raw, parsed) : null;
  const { outcome, effects } = await desk.dataSource.transaction((db) =>
    decide(db, desk, message, parsed, verdict),
  );

  await scheduleQuietly(desk, async () => {
    if (effects.emails.length > 0) await desk.scheduler.sendEmails(effects.emails);
    if (effects.review) await desk.scheduler.reviewAt(effects.review.requestId, effects.review.at);
  });
  desk.log.info(
    { inboundId, messageId: message.message_id, ...outcome },
    'inbound message decided',
  );
  return outcome;
}

/** Counts the attempt first, so a message that crashes the worker every time still runs out. */
async function claimAttempt(desk: Desk, inboundId: number): Promise<StoredMessage | null> {
  const rows = await updateReturning<StoredMessage>(
    desk.dataSource,
    `UPDATE inbound_messages SET attempts = attempts + 1 WHERE id = $1 AND status = 'stored'
     RETURNING id, raw, status, attempts, message_id, raw_sha256, size_bytes, received_at`,
    [inboundId],
  );
  return rows[0] ?? null;
}

/** A reply is told by its references to our own Message-IDs, which only the database knows. */
async function parseWithThreads(desk: Desk, raw: Buffer): Promise<ParsedEmail> {
  const context = { supportAddress: desk.settings.supportAddress };
  const options = { timeoutMs: desk.settings.parseTimeoutMs };
  const first = await parseEmail(raw, context, options);

  const referenced = [first.inReplyTo, ...first.references].filter((id): id is string => !!id);
  if (referenced.length === 0) return first;
  const ours = await findOurMessageIds(desk.dataSource.manager, referenced);
  if (ours.size === 0) return first;
  return parseEmail(
    raw,
    { ...context, knownMessageIds: (ids) => ids.some((id) => ours.has(id)) },
    options,
  );
}

async function authenticate(desk: Desk, raw: Buffer, parsed: ParsedEmail): Promise<AuthVerdict> {
  return authenticateSender(raw, parsed.sender.address, {
    authservId: desk.settings.authservId,
    timeoutMs: 5_000,
  });
}

async function quarantine(
  desk: Desk,
  message: StoredMessage,
  reason: string,
): Promise<IntakeOutcome> {
  await desk.dataSource.transaction(async (db) => {
    await db.query(
      `UPDATE inbound_messages SET status = 'quarantined', last_error = $2, processed_at = now()
        WHERE id = $1`,
      [message.id, reason],
    );
    await markDeliveries(db, message.id, desk.settings.unprocessedFolder);
    await recordAudit(db, {
      action: 'inbound.quarantined',
      details: {
        inboundId: message.id,
        messageId: message.message_id,
        sha256: message.raw_sha256,
        reason,
      },
    });
  });
  desk.log.warn(
    { inboundId: message.id, messageId: message.message_id, reason },
    'message quarantined',
  );
  return { outcome: 'quarantined', reason };
}

async function markDeliveries(db: EntityManager, inboundId: number, folder: string): Promise<void> {
  await db.query(
    `UPDATE mailbox_deliveries SET target_folder = $2
      WHERE inbound_message_id = $1 AND target_folder IS NULL`,
    [inboundId, folder],
  );
}

async function decide(
  db: EntityManager,
  desk: Desk,
  message: StoredMessage,
  parsed: ParsedEmail,
  verdict: AuthVerdict | null,
): Promise<{ outcome: IntakeOutcome; effects: Effects }> {
  const effects: Effects = { emails: [] };
  if (parsed.kind === 'reply') {
    const thread = await findThread(db, parsed);
    if (thread && opensNewRequest(thread, parsed)) {
      const outcome = await openRequest(db, desk, message, asNewRequest(parsed), verdict, effects);
      return { outcome, effects };
    }
    const requestId = thread?.id ?? null;
    if (requestId !== null) {
      await finishMessage(db, desk, message, parsed, 'processed', requestId);
      await recordAudit(db, {
        action: 'request.reply_received',
        requestId,
        details: inboundFacts(message, parsed),
      });
      await completeFromReply(db, desk, requestId, parsed, verdict, effects);
      return { outcome: { outcome: 'reply', requestId }, effects };
    }
    return ignore(db, desk, message, parsed, ['reply to a request we do not know']);
  }
  if (parsed.kind !== 'unlock_request') return ignore(db, desk, message, parsed, parsed.reasons);

  const outcome = await openRequest(db, desk, message, parsed, verdict, effects);
  return { outcome, effects };
}

async function ignore(
  db: EntityManager,
  desk: Desk,
  message: StoredMessage,
  parsed: ParsedEmail,
  reasons: string[],
): Promise<{ outcome: IntakeOutcome; effects: Effects }> {
  await finishMessage(db, desk, message, { ...parsed, reasons }, 'ignored', null);
  await recordAudit(db, {
    action: 'inbound.ignored',
    details: { ...inboundFacts(message, parsed), kind: parsed.kind, reasons },
  });
  return { outcome: { outcome: 'ignored', kind: parsed.kind, reasons }, effects: { emails: [] } };
}

async function finishMessage(
  db: EntityManager,
  desk: Desk,
  message: StoredMessage,
  parsed: ParsedEmail,
  status: 'processed' | 'ignored',
  requestId: number | null,
): Promise<void> {
  const folder =
    status === 'processed' ? desk.settings.processedFolder : desk.settings.unprocessedFolder;
  await db.query(
    `WITH decided AS (
       UPDATE inbound_messages SET status = $2, kind = $3, reasons = $4, request_id = $5,
         sender_address = $6, processed_at = now(), last_error = NULL
       WHERE id = $1 RETURNING id)
     UPDATE mailbox_deliveries SET target_folder = $7
      WHERE inbound_message_id IN (SELECT id FROM decided) AND target_folder IS NULL`,
    [message.id, status, parsed.kind, parsed.reasons, requestId, parsed.sender.address, folder],
  );
}

/**
 * A reply from the request's own sender may supply the details it was asked for. Fields it
 * gives fill only the gaps; once nothing is missing the request goes to review like a new
 * one, and its sender gets the acknowledgement.
 */
async function completeFromReply(
  db: EntityManager,
  desk: Desk,
  requestId: number,
  parsed: ParsedEmail,
  verdict: AuthVerdict | null,
  effects: Effects,
): Promise<void> {
  const request = await db.getRepository(UnlockRequest).findOneByOrFail({ id: requestId });
  const sender = request.senderAddress;
  if (request.status !== 'needs_info' || !sender || sender !== parsed.sender.address) return;
  const refusal = detailsRefusal(request, parsed, verdict);
  if (refusal) {
    await recordAudit(db, { action: 'request.details_refused', requestId, details: { refusal } });
    return;
  }

  const filled = {
    claimedName: request.claimedName ?? parsed.fullName,
    claimedEmail: request.claimedEmail ?? parsed.registeredEmail,
    description: request.description ?? parsed.description,
  };
  const missing = [
    filled.claimedName ? null : 'fullName',
    filled.claimedEmail ? null : 'registeredEmail',
    filled.description ? null : 'description',
  ].filter((f): f is string => f !== null);
  const sources = { ...request.fieldSources };
  if (!request.claimedName && parsed.fullName) sources.fullName = parsed.sources.fullName;
  if (!request.claimedEmail && parsed.registeredEmail) {
    sources.registeredEmail = parsed.sources.registeredEmail;
  }
  if (!request.description && parsed.description) sources.description = parsed.sources.description;
  const now = desk.now();
  const status: RequestStatus =
    missing.length > 0 ? 'needs_info' : desk.calendar.isOpen(now) ? 'pending_review' : 'received';
  const reviewDueAt = status === 'received' ? desk.calendar.nextOpening(now) : null;
  const account = filled.claimedEmail ? await findAccountByEmail(db, filled.claimedEmail) : null;

  await db.query(
    `UPDATE unlock_requests SET claimed_name = $2, claimed_email = $3, description = $4,
       missing = $5, status = $6, review_due_at = $7, account_id = $8, field_sources = $9,
       updated_at = now()
     WHERE id = $1`,
    [
      requestId,
      filled.claimedName,
      filled.claimedEmail,
      filled.description,
      missing,
      status,
      reviewDueAt,
      account?.id ?? null,
      JSON.stringify(sources),
    ],
  );
  await recordAudit(db, {
    action: 'request.details_received',
    requestId,
    accountId: account?.id ?? null,
    details: {
      status,
      missing,
      claimedName: filled.claimedName,
      claimedEmail: filled.claimedEmail,
    },
  });
  if (status === 'needs_info') return;

  const updated = await db.getRepository(UnlockRequest).findOneByOrFail({ id: requestId });
  const assessment = await assessRequest(db, updated, account, desk.settings.caps);
  await db.query(`UPDATE unlock_requests SET path = $2, path_rules = $3 WHERE id = $1`, [
    requestId,
    assessment.decision.path,
    assessment.decision.rules,
  ]);
  const email = await enqueueEmail(db, desk.outbox, {
    kind: 'acknowledgement',
    requestId,
    to: sender,
    vars: {
      reference: request.reference,
      receivedAt: formatInstant(request.receivedAt, desk.calendar.settings.timeZone),
      reviewFrom: reviewDueAt ? desk.calendar.describeNextOpening(now) : null,
    },
    inReplyTo: parsed.messageId,
    references: parsed.references,
    autoSubmitted: true,
  });
  effects.emails.push(email.id);
  if (reviewDueAt) effects.review = { requestId, at: reviewDueAt };
}

/**
 * Why an email may not fill a waiting request's gaps: a forged sender, less proof of the sender
 * than the request had, or another account than the one the request names.
 */
function detailsRefusal(
  request: UnlockRequest,
  parsed: ParsedEmail,
  verdict: AuthVerdict | null,
): string | null {
  if (verdict?.dmarc === 'fail') return 'DMARC fail: From is forged';
  const requestAligned = (request.authVerdict as { aligned?: boolean } | null)?.aligned === true;
  if (requestAligned && verdict?.aligned !== true) {
    return 'the request was from an authenticated sender; this email is not';
  }
  if (!sameOrUnknown(request.claimedEmail, parsed.registeredEmail)) {
    return 'this email names another account';
  }
  return null;
}

function sameOrUnknown(a: string | null, b: string | null): boolean {
  return a === null || b === null || a === b;
}

/** The request a reply belongs to: by our reference tag, or by the email of ours it answers. */
async function findThread(
  db: EntityManager,
  parsed: ParsedEmail,
): Promise<{ id: number; status: RequestStatus } | null> {
  const ids = [parsed.inReplyTo, ...parsed.references].filter((id): id is string => !!id);
  const rows: Array<{ id: number; status: RequestStatus }> = await db.query(
    `SELECT id, status FROM unlock_requests WHERE reference = $1
     UNION ALL
     SELECT r.id, r.status FROM outbound_emails o JOIN unlock_requests r ON r.id = o.request_id
      WHERE o.message_id = ANY($2)
     LIMIT 1`,
    [parsed.referenceTag ?? '', ids],
  );
  return rows[0] ?? null;
}

/**
 * "Locked out again", written as a reply to an old, closed request: when it still carries the
 * request phrase and names the account, it is a new request, not a note on a closed one.
 */
function opensNewRequest(thread: { status: RequestStatus }, parsed: ParsedEmail): boolean {
  return (
    !OPEN_STATUSES.includes(thread.status) &&
    parsed.registeredEmail !== null &&
    matchesRequestSubject(parsed.subject)
  );
}

function asNewRequest(parsed: ParsedEmail): ParsedEmail {
  const missing = FIELDS.filter((f) => parsed[f] === null);
  return {
    ...parsed,
    kind: 'unlock_request',
    reasons: [...parsed.reasons, 'reply to a closed request, asking again'],
    missing,
    senderMatchesRegistered: parsed.registeredEmail === parsed.sender.address,
  };
}

function inboundFacts(message: StoredMessage, parsed: ParsedEmail): Record<string, unknown> {
  return {
    inboundId: message.id,
    messageId: message.message_id,
    sha256: message.raw_sha256,
    sender: parsed.sender.address,
    senderProblem: parsed.sender.problem,
    replyTo: parsed.replyTo,
    returnPath: parsed.returnPath,
  };
}

/**
 * A new request: stored whatever it says, merged into an open one for the same account or
 * sender, asked for missing details, or acknowledged and queued for review in working hours.
 */
async function openRequest(
  db: EntityManager,
  desk: Desk,
  message: StoredMessage,
  parsed: ParsedEmail,
  verdict: AuthVerdict | null,
  effects: Effects,
): Promise<IntakeOutcome> {
  await lockIdentities(db, [parsed.sender.address, parsed.registeredEmail]);
  const now = desk.now();
  const account = parsed.registeredEmail
    ? await findAccountByEmail(db, parsed.registeredEmail)
    : null;
  const openOne = await findOpenRequest(db, parsed.sender.address, parsed.registeredEmail);
  const status = chooseStatus(desk, parsed, openOne !== null, now);
  const reviewDueAt = status === 'received' ? desk.calendar.nextOpening(now) : null;

  // Assessed before the row exists, so the path is written with it (id 0 excludes nothing).
  const assessment = await assessRequest(
    db,
    {
      id: 0,
      senderAddress: parsed.sender.address,
      senderProblem: parsed.sender.problem,
      claimedName: parsed.fullName,
      authVerdict: verdict ? { ...verdict } : null,
    },
    account,
    desk.settings.caps,
  );
  const request = await insertRequest(db, message, parsed, verdict, account?.id ?? null, {
    status,
    reviewDueAt,
    mergedIntoId: openOne?.id ?? null,
    path: assessment.decision.path,
    pathRules: assessment.decision.rules,
  });
  await finishMessage(db, desk, message, parsed, 'processed', request.id);
  await recordAudit(db, {
    action: 'request.created',
    requestId: request.id,
    accountId: account?.id ?? null,
    details: {
      ...inboundFacts(message, parsed),
      reference: request.reference,
      status,
      claimedName: parsed.fullName,
      claimedEmail: parsed.registeredEmail,
      missing: parsed.missing,
      accountFound: account !== null,
      accountLocked: account?.locked ?? null,
      authentication: verdict,
      path: assessment.decision,
      mergedInto: openOne?.reference ?? null,
    },
  });

  if (openOne?.status === 'needs_info') {
    // A fresh, complete email after we asked for details completes the waiting request.
    await completeFromReply(db, desk, openOne.id, parsed, verdict, effects);
    return { outcome: 'request', requestId: request.id, status };
  }
  await answerSender(db, desk, message, parsed, verdict, openOne ?? request, status, effects);
  if (reviewDueAt) effects.review = { requestId: request.id, at: reviewDueAt };
  return { outcome: 'request', requestId: request.id, status };
}

/**
 * Serialises intake per sender and per claimed account, so two messages processed at once
 * cannot both open a request: the second waits, then finds the first and merges into it.
 * Keys are taken in sorted order, so two transactions never wait on each other in a circle.
 */
async function lockIdentities(db: EntityManager, identities: Array<string | null>): Promise<void> {
  const keys = [...new Set(identities.filter((i): i is string => !!i).map((i) => i.toLowerCase()))];
  await db.query(
    `SELECT pg_advisory_xact_lock(hashtext('intake:' || key))
       FROM unnest($1::text[]) WITH ORDINALITY AS k(key, n) ORDER BY n`,
    [keys.sort()],
  );
}

function chooseStatus(desk: Desk, parsed: ParsedEmail, hasOpen: boolean, now: Date): RequestStatus {
  if (hasOpen) return 'duplicate';
  // Only a sender we can answer is asked for details; anyone else goes straight to an agent.
  if (parsed.missing.length > 0 && parsed.sender.address !== null) return 'needs_info';
  return desk.calendar.isOpen(now) ? 'pending_review' : 'received';
}

/** An open request for the same account, or from the same sender, absorbs a new one. */
/**
 * An open request from the same sender absorbs a new one. Only the sender counts: merging by
 * the account an email names would let anyone park a victim's request behind their own.
 */
async function findOpenRequest(
  db: EntityManager,
  sender: string | null,
  claimedEmail: string | null,
): Promise<{ id: number; reference: string; status: RequestStatus } | null> {
  if (!sender) return null;
  // A manager forwarding for two people has two requests: only one naming the same account,
  // or one where either side names none yet, is the same request asked again.
  const rows: Array<{ id: number; reference: string; status: RequestStatus }> = await db.query(
    `SELECT id, reference, status FROM unlock_requests
      WHERE status = ANY($2) AND merged_into_id IS NULL AND sender_address = $1
        AND (claimed_email IS NULL OR $3::text IS NULL OR claimed_email = $3)
      ORDER BY id LIMIT 1 FOR UPDATE`,
    [sender, OPEN_STATUSES, claimedEmail],
  );
  return rows[0] ?? null;
}

async function insertRequest(
  db: EntityManager,
  message: StoredMessage,
  parsed: ParsedEmail,
  verdict: AuthVerdict | null,
  accountId: number | null,
  state: {
    status: RequestStatus;
    reviewDueAt: Date | null;
    mergedIntoId: number | null;
    path: string;
    pathRules: string[];
  },
): Promise<UnlockRequest> {
  const rows: Array<{ id: number; reference: string; updated_at: Date }> = await db.query(
    `INSERT INTO unlock_requests (status, inbound_message_id, message_id, sender_address,
       sender_problem, claimed_name, claimed_email, description, field_sources, missing,
       account_id, auth_verdict, received_at, review_due_at, merged_into_id, path, path_rules)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     RETURNING id, reference, updated_at`,
    [
      state.status,
      message.id,
      parsed.messageId,
      parsed.sender.address,
      parsed.sender.problem,
      parsed.fullName,
      parsed.registeredEmail,
      parsed.description,
      JSON.stringify(parsed.sources),
      parsed.missing,
      accountId,
      verdict ? JSON.stringify(verdict) : null,
      message.received_at,
      state.reviewDueAt,
      state.mergedIntoId,
      state.path,
      state.pathRules,
    ],
  );
  // Built from what was written rather than read back: one round trip less per message.
  return db.getRepository(UnlockRequest).create({
    id: rows[0].id,
    reference: rows[0].reference,
    status: state.status,
    inboundMessageId: message.id,
    messageId: parsed.messageId,
    senderAddress: parsed.sender.address,
    senderProblem: parsed.sender.problem,
    claimedName: parsed.fullName,
    claimedEmail: parsed.registeredEmail,
    description: parsed.description,
    fieldSources: parsed.sources,
    missing: parsed.missing,
    accountId,
    authVerdict: verdict ? { ...verdict } : null,
    path: state.path,
    pathRules: state.pathRules,
    receivedAt: message.received_at,
    reviewDueAt: state.reviewDueAt,
    firstResponseAt: null,
    resolvedAt: null,
    mergedIntoId: state.mergedIntoId,
    approvedLockVersion: null,
    approvedEmail: null,
    approvalExpiresAt: null,
    updatedAt: rows[0].updated_at,
  });
}

/**
 * The one automatic answer to a new request: an acknowledgement (identical whatever the
 * account's state) or a request for missing details. Never to a forged, looping or
 * unverifiable sender (RFC 3834).
 */
async function answerSender(
  db: EntityManager,
  desk: Desk,
  message: StoredMessage,
  parsed: ParsedEmail,
  verdict: AuthVerdict | null,
  thread: { id: number; reference: string },
  status: RequestStatus,
  effects: Effects,
): Promise<void> {
  const sender = parsed.sender.address;
  const guard = shouldAutoReply({
    autoSubmitted: parsed.autoSubmitted,
    bulk: parsed.bulk,
    nullReturnPath: parsed.nullReturnPath,
    kind: parsed.kind,
    sender,
    supportAddress: desk.settings.supportAddress,
    answeredSenderWithin24h: sender ? await wasAnsweredRecently(db, sender) : false,
    senderUnverifiable: parsed.sender.problem !== null,
  });
  const forged = verdict?.dmarc === 'fail';
  if (!guard.reply || forged || !sender) {
    const reason = forged ? 'DMARC fail: From is forged' : guard.reason;
    await recordAudit(db, { action: 'email.not_sent', requestId: thread.id, details: { reason } });
    return;
  }

  const now = desk.now();
  const missing = status === 'needs_info';
  const email = await enqueueEmail(db, desk.outbox, {
    kind: missing ? 'needs_info' : 'acknowledgement',
    requestId: thread.id,
    to: sender,
    vars: missing
      ? { reference: thread.reference, missing: parsed.missing.map((f) => HUMAN_FIELD_NAMES[f]) }
      : {
          reference: thread.reference,
          receivedAt: formatInstant(message.received_at, desk.calendar.settings.timeZone),
          reviewFrom: desk.calendar.isOpen(now) ? null : desk.calendar.describeNextOpening(now),
        },
    inReplyTo: parsed.messageId,
    references: parsed.references,
    autoSubmitted: true,
  });
  effects.emails.push(email.id);
}
