import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An AMS user. The email is unique whatever its case (a unique index on lower(email)). */
@Entity({ name: 'accounts' })
export class Account {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'text' })
  email!: string;

  @Column({ name: 'full_name', type: 'text' })
  fullName!: string;

  @Column({ type: 'text', nullable: true })
  company!: string | null;

  /** Company admins are privileged: unlocking one always needs a second agent. */
  @Column({ name: 'is_company_admin', type: 'boolean', default: false })
  isCompanyAdmin!: boolean;

  @Column({ type: 'boolean', default: false })
  locked!: boolean;

  @Column({ name: 'failed_attempts', type: 'integer', default: 0 })
  failedAttempts!: number;

  @Column({ name: 'locked_at', type: 'timestamptz', nullable: true })
  lockedAt!: Date | null;

  /** Bumped on every lock, so an approval given for one lockout cannot act on the next. */
  @Column({ name: 'lock_version', type: 'integer', default: 0 })
  lockVersion!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
