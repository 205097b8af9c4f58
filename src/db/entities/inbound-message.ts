import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type InboundStatus = 'stored' | 'processed' | 'ignored' | 'quarantined';

/** Every email that reached the mailbox, kept raw so it can be parsed again after a fix. */
@Entity({ name: 'inbound_messages' })
export class InboundMessage {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** The Message-ID, or a hash of the header block when there is none. */
  @Column({ name: 'dedupe_key', type: 'text', unique: true })
  dedupeKey!: string;

  @Column({ name: 'message_id', type: 'text', nullable: true })
  messageId!: string | null;

  /** Null only for a message over the size limit, whose body is never loaded. */
  @Column({ type: 'bytea', nullable: true })
  raw!: Buffer | null;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  @Column({ name: 'raw_sha256', type: 'text' })
  rawSha256!: string;

  @Column({ type: 'text', default: 'stored' })
  status!: InboundStatus;

  @Column({ type: 'text', nullable: true })
  kind!: string | null;

  /** The strictly parsed From address, once decided; null when unverifiable. */
  @Column({ name: 'sender_address', type: 'text', nullable: true })
  senderAddress!: string | null;

  @Column({ type: 'text', array: true, default: '{}' })
  reasons!: string[];

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'request_id', type: 'integer', nullable: true })
  requestId!: number | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt!: Date | null;
}
