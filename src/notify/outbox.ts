import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { recordAudit } from '../audit/record-audit';
import type { EmailKind, Renderer } from './render';

/** What every email needs to know about us. */
export interface OutboxSettings {
  renderer: Renderer;
  supportAddress: string;
  supportName: string;
  /** The working hours in words, from the business calendar. */
  hours: string;
}

export interface NewEmail {
  kind: EmailKind;
  requestId: number | null;
  to: string;
  vars: Record<string, unknown>;
  /** The Message-ID of the user's email, so the reply threads under it. */
  inReplyTo?: string | null;
  references?: string[];
  autoSubmitted: boolean;
}

/** A Message-ID fixed when the row is written: a resend after a crash is the same email. */
export function newMessageId(supportAddress: string): string {
  const domain = supportAddress.split('@')[1] ?? 'localhost';
  return `${randomUUID()}.unlock-desk@${domain}`;
}

/**
 * Renders an email and writes it to the outbox inside the caller's transaction: the email
 * exists exactly when the change it reports does.
 */
export async function enqueueEmail(
  db: EntityManager,
  settings: OutboxSettings,
  email: NewEmail,
): Promise<{ id: number; messageId: string }> {
  const rendered = settings.renderer.render(email.kind, {
    ...email.vars,
    hours: settings.hours,
    supportName: settings.supportName,
    supportAddress: settings.supportAddress,
  });
  const messageId = newMessageId(settings.supportAddress);
  const references = [...(email.references ?? [])];
  if (email.inReplyTo && !references.includes(email.inReplyTo)) references.push(email.inReplyTo);

  const rows: Array<{ id: number }> = await db.query(
    `INSERT INTO outbound_emails (kind, request_id, to_address, subject, text_body, html_body,
       message_id, in_reply_to, "references", auto_submitted)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      email.kind,
      email.requestId,
      email.to.toLowerCase(),
      rendered.subject,
      rendered.text,
      rendered.html,
      messageId,
      email.inReplyTo ?? null,
      references,
      email.autoSubmitted,
    ],
  );
  await recordAudit(db, {
    action: 'email.queued',
    requestId: email.requestId,
    details: { kind: email.kind, to: email.to, messageId, outboxId: rows[0].id },
  });
  return { id: rows[0].id, messageId };
}

/** Has an automatic reply gone to this address in the last 24 hours? (RFC 3834 section 2) */
export async function wasAnsweredRecently(db: EntityManager, address: string): Promise<boolean> {
  const rows: unknown[] = await db.query(
    `SELECT 1 FROM outbound_emails
      WHERE to_address = lower($1) AND auto_submitted
        AND created_at > now() - interval '24 hours' LIMIT 1`,
    [address],
  );
  return rows.length > 0;
}

/** Which of these Message-IDs are ours: a reference to one marks a reply. */
export async function findOurMessageIds(db: EntityManager, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows: Array<{ message_id: string }> = await db.query(
    `SELECT message_id FROM outbound_emails WHERE message_id = ANY($1)`,
    [ids],
  );
  return new Set(rows.map((r) => r.message_id));
}
