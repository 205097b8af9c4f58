import type { EntityManager } from 'typeorm';

export interface AuditRecord {
  action: string;
  requestId?: number | null;
  accountId?: number | null;
  actor?: string | null;
  /** Facts only: never passwords, tokens or message bodies. */
  details?: Record<string, unknown>;
}

/** Appends one audit row inside the caller's transaction, so it stands or falls with the change. */
export async function recordAudit(db: EntityManager, record: AuditRecord): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (action, request_id, account_id, actor, details)
     VALUES ($1, $2, $3, $4, $5)`,
    [
      record.action,
      record.requestId ?? null,
      record.accountId ?? null,
      record.actor ?? null,
      JSON.stringify(record.details ?? {}),
    ],
  );
}
