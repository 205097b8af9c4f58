import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One appearance of a message in the mailbox (mailbox + UIDVALIDITY + UID is unique). */
@Entity({ name: 'mailbox_deliveries' })
export class MailboxDelivery {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'text' })
  mailbox!: string;

  @Column({ name: 'uid_validity', type: 'bigint' })
  uidValidity!: string;

  @Column({ type: 'bigint' })
  uid!: string;

  @Column({ name: 'inbound_message_id', type: 'integer' })
  inboundMessageId!: number;

  /** Where the message goes once decided: the processed or the unprocessed folder. */
  @Column({ name: 'target_folder', type: 'text', nullable: true })
  targetFolder!: string | null;

  @Column({ name: 'moved_at', type: 'timestamptz', nullable: true })
  movedAt!: Date | null;
}
