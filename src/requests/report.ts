import type { Desk } from './desk';
import type { RequestStatus } from './transitions';

export interface OverdueRequest {
  reference: string;
  status: RequestStatus;
  receivedAt: string;
  resolvedAt: string | null;
  /** Working minutes from arrival to resolution, or to now while still open. */
  workingMinutes: number;
  targetMinutes: number;
}

/**
 * Requests that passed the resolution target, counted in working minutes: resolved late, or
 * still open past it. Merged duplicates are left out; their original is counted.
 */
export async function reportOverdue(
  desk: Desk,
  options: { targetMinutes: number; sinceDays: number },
): Promise<OverdueRequest[]> {
  const rows: Array<{
    reference: string;
    status: RequestStatus;
    received_at: Date;
    resolved_at: Date | null;
  }> = await desk.dataSource.query(
    `SELECT reference, status, received_at, resolved_at FROM unlock_requests
        WHERE status <> 'duplicate' AND received_at > now() - make_interval(days => $1)
        ORDER BY received_at`,
    [options.sinceDays],
  );
  const now = desk.now();
  return rows
    .map((r) => ({
      reference: r.reference,
      status: r.status,
      receivedAt: r.received_at.toISOString(),
      resolvedAt: r.resolved_at?.toISOString() ?? null,
      workingMinutes: desk.calendar.workingMinutesBetween(r.received_at, r.resolved_at ?? now),
      targetMinutes: options.targetMinutes,
    }))
    .filter((r) => r.workingMinutes > options.targetMinutes);
}
