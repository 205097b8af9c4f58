import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { RequestStatus } from '../../requests/transitions';

/** One unlock request: the source of truth for its queue entries and emails. */
@Entity({ name: 'unlock_requests' })
export class UnlockRequest {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** AMS-1001 onwards; what users and agents quote. */
  @Column({ type: 'text', unique: true })
  reference!: string;

  @Column({ type: 'text' })
  status!: RequestStatus;

  @Column({ name: 'inbound_message_id', type: 'integer' })
  inboundMessageId!: number;

  /** The Message-ID of the email that opened the request; our replies thread to it. */
  @Column({ name: 'message_id', type: 'text', nullable: true })
  messageId!: string | null;

  @Column({ name: 'sender_address', type: 'text', nullable: true })
  senderAddress!: string | null;

  @Column({ name: 'sender_problem', type: 'text', nullable: true })
  senderProblem!: string | null;

  @Column({ name: 'claimed_name', type: 'text', nullable: true })
  claimedName!: string | null;

  @Column({ name: 'claimed_email', type: 'text', nullable: true })
  claimedEmail!: string | null;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'field_sources', type: 'jsonb', default: {} })
  fieldSources!: Record<string, string>;

  @Column({ type: 'text', array: true, default: '{}' })
  missing!: string[];

  @Column({ name: 'account_id', type: 'integer', nullable: true })
  accountId!: number | null;

  @Column({ name: 'auth_verdict', type: 'jsonb', nullable: true })
  authVerdict!: Record<string, unknown> | null;

  /** normal, elevated or refused, with the rules that decided it. */
  @Column({ type: 'text', nullable: true })
  path!: string | null;

  @Column({ name: 'path_rules', type: 'text', array: true, default: '{}' })
  pathRules!: string[];

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  /** When the request becomes visible to agents (the next opening when it came out of hours). */
  @Column({ name: 'review_due_at', type: 'timestamptz', nullable: true })
  reviewDueAt!: Date | null;

  @Column({ name: 'first_response_at', type: 'timestamptz', nullable: true })
  firstResponseAt!: Date | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'merged_into_id', type: 'integer', nullable: true })
  mergedIntoId!: number | null;

  @Column({ name: 'approved_lock_version', type: 'integer', nullable: true })
  approvedLockVersion!: number | null;

  @Column({ name: 'approved_email', type: 'text', nullable: true })
  approvedEmail!: string | null;

  @Column({ name: 'approval_expires_at', type: 'timestamptz', nullable: true })
  approvalExpiresAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
