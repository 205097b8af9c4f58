import type { DataSource } from 'typeorm';
import type { Logger } from '../log';
import { findDueEmails } from '../notify/deliver';
import type { Desk } from '../requests/desk';
import {
  expireApprovals,
  findWaitingReviews,
  promoteDueReviews,
  recomputeReviewTimes,
} from '../requests/schedule';
import type { QueueSet } from './queues';
import { jobIds } from './queues';
import { addInboundJobs } from './scheduler';

async function openInboundIds(dataSource: DataSource): Promise<number[]> {
  const rows: Array<{ id: number }> = await dataSource.query(
    `SELECT id FROM inbound_messages WHERE status = 'stored' ORDER BY id LIMIT 5000`,
  );
  return rows.map((r) => r.id);
}

/**
 * Rebuilds the schedule from PostgreSQL: every open inbound message, due email and waiting
 * review gets its job again (deterministic ids make this a no-op when the job exists), and
 * overdue work runs now. Redis can therefore be emptied or restarted without losing anything.
 */
export async function reconcile(desk: Desk, queues: QueueSet, log: Logger): Promise<void> {
  await addInboundJobs(queues, await openInboundIds(desk.dataSource));

  const emails = await findDueEmails(desk.dataSource);
  if (emails.length > 0) {
    await queues.queues.email.addBulk(
      emails.map((e) => ({
        name: 'send',
        data: { outboxId: e.id },
        opts: { jobId: jobIds.email(e.id, e.attempts) },
      })),
    );
  }

  const promoted = await promoteDueReviews(desk);
  const expired = await expireApprovals(desk);
  await recomputeReviewTimes(desk);
  for (const review of await findWaitingReviews(desk)) {
    await desk.scheduler.reviewAt(review.id, review.at);
  }
  if (promoted.length + expired.length > 0) {
    log.info({ promoted, expired }, 'reconciler moved requests on');
  }
}
