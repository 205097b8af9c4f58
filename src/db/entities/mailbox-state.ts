import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The UID cursor of a mailbox; a new UIDVALIDITY restarts it. */
@Entity({ name: 'mailbox_state' })
export class MailboxState {
  @PrimaryColumn({ type: 'text' })
  mailbox!: string;

  @Column({ name: 'uid_validity', type: 'bigint' })
  uidValidity!: string;

  @Column({ name: 'last_uid', type: 'bigint' })
  lastUid!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
