import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type OutboundStatus = 'queued' | 'sending' | 'sent' | 'uncertain' | 'failed' | 'suppressed';

/** The outbox: written in the same transaction as the change it reports, sent afterwards. */
@Entity({ name: 'outbound_emails' })
export class OutboundEmail {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ name: 'request_id', type: 'integer', nullable: true })
  requestId!: number | null;

  @Column({ name: 'to_address', type: 'text' })
  toAddress!: string;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ name: 'text_body', type: 'text' })
  textBody!: string;

  @Column({ name: 'html_body', type: 'text' })
  htmlBody!: string;

  /** Fixed when the row is written, so a resend after a crash carries the same Message-ID. */
  @Column({ name: 'message_id', type: 'text', unique: true })
  messageId!: string;

  @Column({ name: 'in_reply_to', type: 'text', nullable: true })
  inReplyTo!: string | null;

  @Column({ name: 'references', type: 'text', array: true, default: '{}' })
  references!: string[];

  @Column({ name: 'auto_submitted', type: 'boolean', default: true })
  autoSubmitted!: boolean;

  @Column({ type: 'text', default: 'queued' })
  status!: OutboundStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
