import { Queue, Worker, type JobsOptions, type Processor } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { AppError } from '../errors';
import { redactUrl } from '../log';

/** The queues, by the work they carry. Each entry can be rebuilt from PostgreSQL. */
export const QUEUE_NAMES = ['inbound', 'email', 'review'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * The retry policy of each job kind, in one table. Inbound failures retry with backoff
 * (the database counts attempts and quarantines); email retries are scheduled by the
 * outbox itself, so the job runs once; a review job only promotes what is due.
 */
export const JOB_OPTIONS: Record<QueueName, JobsOptions> = {
  inbound: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { count: 1000 },
    // Removed so the reconciler can add the job again while the row is still open.
    removeOnFail: true,
  },
  email: { attempts: 1, removeOnComplete: { count: 1000 }, removeOnFail: true },
  review: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 5_000 },
    removeOnComplete: { count: 1000 },
    removeOnFail: true,
  },
};

export const WORKER_CONCURRENCY: Record<QueueName, number> = { inbound: 8, email: 4, review: 1 };

/** Deterministic job ids: the same work added twice is one job. */
export const jobIds = {
  inbound: (inboundId: number) => `inbound-${inboundId}`,
  email: (outboxId: number, attempt: number) => `email-${outboxId}-${attempt}`,
  review: (requestId: number, at: Date) => `review-${requestId}-${at.getTime()}`,
};

/**
 * A Redis connection for BullMQ. A worker's commands wait for a reconnect rather than fail;
 * a short-lived command (`failFast`) gives up at once, because its work is already safe in
 * PostgreSQL and the worker's reconciler schedules it.
 */
export function connectRedis(url: string, options: { failFast?: boolean } = {}): Redis {
  const redis = options.failFast
    ? new IORedis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        connectTimeout: 2_000,
        retryStrategy: () => null,
      })
    : new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: true });
  // Connection errors surface through the commands that fail; the event alone must not crash.
  redis.on('error', () => undefined);
  return redis;
}

/** Fails fast at start with a message naming the Redis address when it does not answer. */
export async function checkRedis(url: string, timeoutMs = 5_000): Promise<void> {
  const probe = new IORedis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new AppError(
      'REDIS_UNAVAILABLE',
      `Cannot reach Redis at ${redactUrl(url)}: ${(err as Error).message}`,
    );
  } finally {
    probe.disconnect();
  }
}

export interface QueueSet {
  queues: Record<QueueName, Queue>;
  close(): Promise<void>;
}

export function createQueues(
  connection: Redis,
  prefix: string,
  onError: (err: Error, queue: QueueName) => void = () => undefined,
): QueueSet {
  const make = (name: QueueName) => {
    const queue = new Queue(name, { connection, prefix, defaultJobOptions: JOB_OPTIONS[name] });
    // Without a listener BullMQ prints every connection error itself, outside the logger.
    queue.on('error', (err) => onError(err, name));
    return queue;
  };
  const queues = { inbound: make('inbound'), email: make('email'), review: make('review') };
  return {
    queues,
    close: async () => {
      await Promise.allSettled(Object.values(queues).map((q) => q.close()));
    },
  };
}

export function createWorker<T>(
  name: QueueName,
  connection: Redis,
  prefix: string,
  handler: Processor<T>,
): Worker<T> {
  return new Worker<T>(name, handler, {
    connection,
    prefix,
    concurrency: WORKER_CONCURRENCY[name],
    autorun: false,
  });
}
