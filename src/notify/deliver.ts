import type { DataSource } from 'typeorm';
import { recordAudit } from '../audit/record-audit';
import { AppError, isRetryable } from '../errors';
import type { Logger } from '../log';
import { retryDelayMs } from './backoff';
import { buildMessage } from './message';
import type { SmtpSender } from './smtp-sender';
import { updateReturning } from '../db/update-returning';

export interface DeliverySettings {
  supportAddress: string;
  supportName: string;
  retryBaseMs: number;
  maxAttempts: number;
  /** A row left in `sending` longer than this was cut off mid-send and counts as uncertain. */
  staleSendingMs: number;
}

export type DeliveryResult =
  { outcome: 'sent' | 'failed' | 'skipped' } | { outcome: 'retry'; at: Date; attempt: number };

interface ClaimedRow {
  id: number;
  kind: string;
  request_id: number | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  message_id: string;
  in_reply_to: string | null;
  references: string[];
  auto_submitted: boolean;
  attempts: number;
  status: string;
}

/**
 * Claims one due outbox row (queued, uncertain, or stuck in sending), sends it with its
 * fixed Message-ID and records the result. Safe to call twice for the same row: only one
 * caller wins the claim, and a sent row is never sent again.
 */
export async function deliverOutboundEmail(
  dataSource: DataSource,
  sender: SmtpSender,
  id: number,
  settings: DeliverySettings,
  log: Logger,
): Promise<DeliveryResult> {
  const row = await claimRow(dataSource, id, settings.staleSendingMs);
  if (!row) return { outcome: 'skipped' };

  let response: string;
  try {
    const mail = buildMessage({
      from: { name: settings.supportName, address: settings.supportAddress },
      to: row.to_address,
      subject: row.subject,
      text: row.text_body,
      html: row.html_body,
      messageId: row.message_id,
      inReplyTo: row.in_reply_to,
      references: row.references,
      autoSubmitted: row.auto_submitted,
    });
    response = (await sender.send(mail)).response;
  } catch (err) {
    return recordFailure(dataSource, row, err, settings, log);
  }

  await recordSent(dataSource, row, response);
  log.info({ outboxId: row.id, kind: row.kind, messageId: row.message_id }, 'email sent');
  return { outcome: 'sent' };
}

/**
 * The server has the email, so failing to record that is not a failed send. The database gets
 * a short while to come back; if it stays away the row stays 'sending' and is resent later
 * with the same Message-ID, which the recipient's mail system can recognise.
 */
async function recordSent(dataSource: DataSource, row: ClaimedRow, response: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await markSent(dataSource, row, response);
    } catch (err) {
      if (attempt >= 8) throw err;
      await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 5_000)));
    }
  }
}

async function claimRow(
  dataSource: DataSource,
  id: number,
  staleSendingMs: number,
): Promise<ClaimedRow | null> {
  const rows = await updateReturning<ClaimedRow>(
    dataSource,
    `UPDATE outbound_emails SET status = 'sending', attempts = attempts + 1,
       next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
     WHERE id = $1 AND next_attempt_at <= now()
       AND status IN ('queued', 'uncertain', 'sending')
     RETURNING id, kind, request_id, to_address, subject, text_body, html_body, message_id,
       in_reply_to, "references", auto_submitted, attempts, status`,
    [id, staleSendingMs],
  );
  return rows[0] ?? null;
}

async function markSent(dataSource: DataSource, row: ClaimedRow, response: string): Promise<void> {
  await dataSource.transaction(async (db) => {
    await db.query(
      `UPDATE outbound_emails SET status = 'sent', sent_at = now(), last_error = NULL
        WHERE id = $1`,
      [row.id],
    );
    await db.query(
      `UPDATE unlock_requests SET first_response_at = coalesce(first_response_at, now())
        WHERE id = $1`,
      [row.request_id],
    );
    await recordAudit(db, {
      action: 'email.sent',
      requestId: row.request_id,
      details: {
        outboxId: row.id,
        kind: row.kind,
        to: row.to_address,
        messageId: row.message_id,
        attempt: row.attempts,
        response: response.slice(0, 200),
      },
    });
  });
}

/** Permanent rejections stop at once; anything else retries with backoff until the cap. */
async function recordFailure(
  dataSource: DataSource,
  row: ClaimedRow,
  err: unknown,
  settings: DeliverySettings,
  log: Logger,
): Promise<DeliveryResult> {
  const code = err instanceof AppError ? err.code : 'SMTP_TRANSIENT';
  const message = (err as Error).message?.slice(0, 500) ?? String(err);
  const permanent = !isRetryable(err) || row.attempts >= settings.maxAttempts;
  const status = permanent ? 'failed' : code === 'SMTP_UNCERTAIN' ? 'uncertain' : 'queued';
  const at = new Date(Date.now() + retryDelayMs(row.attempts, settings.retryBaseMs));

  await dataSource.transaction(async (db) => {
    await db.query(
      `UPDATE outbound_emails SET status = $2, last_error = $3, next_attempt_at = $4
        WHERE id = $1`,
      [row.id, status, `${code}: ${message}`, at],
    );
    await recordAudit(db, {
      action: permanent ? 'email.failed' : 'email.retry',
      requestId: row.request_id,
      details: { outboxId: row.id, kind: row.kind, code, attempt: row.attempts, error: message },
    });
  });

  const fields = { outboxId: row.id, code, attempt: row.attempts, err };
  if (permanent) {
    log.error(fields, 'email failed permanently; an agent must act');
    return { outcome: 'failed' };
  }
  log.warn(fields, 'email not sent; will retry');
  return { outcome: 'retry', at, attempt: row.attempts };
}

/** Due outbox rows, for the sweeper that re-creates lost send jobs. */
export async function findDueEmails(
  dataSource: DataSource,
  limit = 500,
): Promise<Array<{ id: number; attempts: number }>> {
  return dataSource.query(
    `SELECT id, attempts FROM outbound_emails
      WHERE status IN ('queued', 'uncertain', 'sending') AND next_attempt_at <= now()
      ORDER BY next_attempt_at LIMIT $1`,
    [limit],
  );
}
