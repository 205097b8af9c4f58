import { recordAudit } from '../audit/record-audit';
import { updateReturning } from '../db/update-returning';
import type { Desk } from './desk';

/**
 * Makes requests that waited for working hours visible to agents. Does nothing while
 * support is closed, so a job that fires early (the calendar changed under it) is harmless:
 * it only reports when the request is due now.
 */
export async function promoteDueReviews(desk: Desk): Promise<string[]> {
  const now = desk.now();
  if (!desk.calendar.isOpen(now)) return [];

  return desk.dataSource.transaction(async (db) => {
    const rows = await updateReturning<{ id: number; reference: string }>(
      db,
      `UPDATE unlock_requests SET status = 'pending_review', updated_at = now()
        WHERE status = 'received' AND review_due_at <= $1
        RETURNING id, reference`,
      [now],
    );
    for (const row of rows) {
      await recordAudit(db, {
        action: 'request.pending_review',
        requestId: row.id,
        details: { from: 'received' },
      });
    }
    return rows.map((r) => r.reference);
  });
}

/**
 * Recomputes when each waiting request becomes due, from the calendar as it is now, so a
 * change of hours, zone or holidays takes effect for work already waiting. Returns the
 * requests whose due time moved, for their jobs to be scheduled again. Run it after
 * promoteDueReviews, which empties the waiting list while support is open.
 */
export async function recomputeReviewTimes(desk: Desk): Promise<Array<{ id: number; at: Date }>> {
  const now = desk.now();
  const due = desk.calendar.nextOpening(now);
  const rows = await updateReturning<{ id: number }>(
    desk.dataSource,
    `UPDATE unlock_requests SET review_due_at = $1, updated_at = now()
      WHERE status = 'received' AND review_due_at IS DISTINCT FROM $1
      RETURNING id`,
    [due],
  );
  return rows.map((r) => ({ id: r.id, at: due }));
}

/** Lapsed first approvals go back to review; the next approval starts the two-agent rule again. */
export async function expireApprovals(desk: Desk): Promise<string[]> {
  return desk.dataSource.transaction(async (db) => {
    const rows = await updateReturning<{ id: number; reference: string }>(
      db,
      `UPDATE unlock_requests SET status = 'pending_review', approval_expires_at = NULL,
         updated_at = now()
        WHERE status = 'approved' AND approval_expires_at <= $1
        RETURNING id, reference`,
      [desk.now()],
    );
    for (const row of rows) {
      await recordAudit(db, { action: 'approval.expired', requestId: row.id });
    }
    return rows.map((r) => r.reference);
  });
}

/** Requests still waiting for their review time, for rebuilding lost delayed jobs. */
export async function findWaitingReviews(desk: Desk): Promise<Array<{ id: number; at: Date }>> {
  const rows: Array<{ id: number; review_due_at: Date }> = await desk.dataSource.query(
    `SELECT id, review_due_at FROM unlock_requests
      WHERE status = 'received' AND review_due_at IS NOT NULL`,
  );
  return rows.map((r) => ({ id: r.id, at: r.review_due_at }));
}
