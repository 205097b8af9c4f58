import type { Scheduler } from '../requests/desk';
import { jobIds, type QueueSet } from './queues';

/** Adds the follow-up jobs the request lifecycle asks for. */
export function createQueueScheduler(set: QueueSet): Scheduler {
  return {
    sendEmails: async (outboxIds) => {
      if (outboxIds.length === 0) return;
      await set.queues.email.addBulk(
        outboxIds.map((id) => ({
          name: 'send',
          data: { outboxId: id },
          opts: { jobId: jobIds.email(id, 0) },
        })),
      );
    },
    reviewAt: async (requestId, at) => {
      await set.queues.review.add(
        'review',
        { requestId },
        { jobId: jobIds.review(requestId, at), delay: Math.max(0, at.getTime() - Date.now()) },
      );
    },
  };
}

export async function addInboundJobs(set: QueueSet, inboundIds: number[]): Promise<void> {
  if (inboundIds.length === 0) return;
  await set.queues.inbound.addBulk(
    inboundIds.map((id) => ({
      name: 'process',
      data: { inboundId: id },
      opts: { jobId: jobIds.inbound(id) },
    })),
  );
}

export async function addEmailRetry(
  set: QueueSet,
  outboxId: number,
  attempt: number,
  at: Date,
): Promise<void> {
  await set.queues.email.add(
    'send',
    { outboxId },
    { jobId: jobIds.email(outboxId, attempt), delay: Math.max(0, at.getTime() - Date.now()) },
  );
}
