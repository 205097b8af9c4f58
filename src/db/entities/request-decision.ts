import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An agent's approve or reject, kept so a second approval can be told from the first. */
@Entity({ name: 'request_decisions' })
export class RequestDecision {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'request_id', type: 'integer' })
  requestId!: number;

  @Column({ type: 'text' })
  agent!: string;

  @Column({ type: 'text' })
  decision!: 'approve' | 'reject';

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'override_reason', type: 'text', nullable: true })
  overrideReason!: string | null;

  /** Only approvals of the current lock version count towards the two-agent rule. */
  @Column({ name: 'lock_version', type: 'integer', nullable: true })
  lockVersion!: number | null;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
