import type { Job, Worker } from 'bullmq';
import { openApp, type App } from '../src/app';
import type { Config } from '../src/config';
import { mailboxOf } from '../src/ingest/append-messages';
import { MailboxPoller } from '../src/ingest/mailbox-poller';
import type { Logger } from '../src/log';
import { deliverOutboundEmail } from '../src/notify/deliver';
import { createSmtpSender } from '../src/notify/smtp-sender';
import { createWorker } from '../src/queue/queues';
import { reconcile } from '../src/queue/reconciler';
import { addEmailRetry, addInboundJobs } from '../src/queue/scheduler';
import { processInboundMessage } from '../src/requests/intake';
import { promoteDueReviews } from '../src/requests/schedule';
import { startHealthServer } from '../src/web/health-server';
import { createServiceMetrics } from '../src/web/metrics';

export interface RunningService {
  /** Stops intake, lets work in flight finish, closes every connection. Idempotent. */
  shutdown(): Promise<void>;
  poller: MailboxPoller;
  app: App;
}

/**
 * The `start` command: the mailbox poller, the three queue workers, the reconciler and the
 * health endpoint in one process. Several processes may run against the same services: the
 * mailbox lock lets one read the mailbox, and all share the queue work.
 */
export async function startService(
  config: Config,
  log: Logger,
  options: { now?: () => Date } = {},
): Promise<RunningService> {
  const app = await openApp(config, log, { now: options.now });
  const { desk, queues } = app;
  const smtp = createSmtpSender(config.SMTP_URL, { timeoutMs: 30_000 });

  const poller = new MailboxPoller(
    {
      ...mailboxOf(config),
      processedFolder: config.IMAP_PROCESSED_FOLDER,
      unprocessedFolder: config.IMAP_UNPROCESSED_FOLDER,
      fetchBatch: config.IMAP_FETCH_BATCH,
      idleRestartMs: config.IMAP_IDLE_RESTART_MS,
      reconcileMs: config.IMAP_RECONCILE_MS,
      timeoutMs: config.IMAP_TIMEOUT_MS,
      maxMessageBytes: config.MAX_MESSAGE_BYTES,
      lockKey: `${config.QUEUE_PREFIX}:mailbox-lock:${config.IMAP_USER}:${config.IMAP_MAILBOX}`,
      lockTtlMs: config.IMAP_LOCK_TTL_MS,
    },
    {
      dataSource: desk.dataSource,
      redis: app.redis,
      log: log.child({ component: 'poller' }),
      onStored: (ids) => addInboundJobs(queues, ids),
    },
  );

  const metrics = createServiceMetrics(desk, config.RESOLUTION_TARGET_MINUTES);

  const workers: Worker[] = [
    createWorker<{ inboundId: number }>(
      'inbound',
      app.redis,
      config.QUEUE_PREFIX,
      async (job: Job<{ inboundId: number }>) => {
        const result = await processInboundMessage(desk, job.data.inboundId);
        metrics.inbound.inc({ outcome: result.outcome });
        poller.wake();
      },
    ),
    createWorker<{ outboxId: number }>(
      'email',
      app.redis,
      config.QUEUE_PREFIX,
      async (job: Job<{ outboxId: number }>) => {
        const result = await deliverOutboundEmail(
          desk.dataSource,
          smtp,
          job.data.outboxId,
          {
            supportAddress: config.SUPPORT_ADDRESS,
            supportName: config.SUPPORT_NAME,
            retryBaseMs: config.SMTP_RETRY_BASE_MS,
            maxAttempts: config.SMTP_MAX_ATTEMPTS,
            staleSendingMs: config.SMTP_STALE_SEND_MS,
          },
          log.child({ component: 'sender' }),
        );
        metrics.emails.inc({ outcome: result.outcome });
        if (result.outcome === 'retry')
          await addEmailRetry(queues, job.data.outboxId, result.attempt, result.at);
      },
    ),
    createWorker<{ requestId: number }>('review', app.redis, config.QUEUE_PREFIX, async () => {
      await promoteDueReviews(desk);
    }),
  ];
  for (const worker of workers) {
    worker.on('error', (err) => log.warn({ err, queue: worker.name }, 'queue worker error'));
    worker.on('failed', (job, err) =>
      log.warn({ err, queue: worker.name, jobId: job?.id }, 'job failed'),
    );
    void worker.run();
  }

  const reconcileNow = () =>
    reconcile(desk, queues, log).catch((err: Error) => log.warn({ err }, 'reconcile failed'));
  await reconcileNow();
  const reconcileTimer = setInterval(reconcileNow, config.RECONCILE_INTERVAL_MS);
  reconcileTimer.unref();
  poller.start();

  const health =
    config.HTTP_PORT > 0
      ? startHealthServer(
          config.HTTP_HOST,
          config.HTTP_PORT,
          {
            liveness: () => {
              const state = poller.health();
              if (!state.holdsMailbox)
                return { ok: true, detail: 'standby: another worker reads the mailbox' };
              const age = state.lastPassAt ? Date.now() - state.lastPassAt.getTime() : Infinity;
              return age <= config.IMAP_STALL_MS
                ? { ok: true, detail: `last mailbox pass ${Math.round(age / 1000)} s ago` }
                : { ok: false, detail: `mailbox loop stalled for ${Math.round(age / 1000)} s` };
            },
            readiness: {
              database: async () => (
                await desk.dataSource.query('SELECT 1'),
                { ok: true, detail: 'ok' }
              ),
              redis: async () => ({ ok: (await app.redis.ping()) === 'PONG', detail: 'ok' }),
              imap: async () => {
                const state = poller.health();
                if (!state.holdsMailbox) return { ok: true, detail: 'standby' };
                return {
                  ok: state.connected,
                  detail: state.connected ? 'connected' : (state.lastError ?? 'connecting'),
                };
              },
              smtp: async () => (await smtp.verify(), { ok: true, detail: 'ok' }),
            },
          },
          log,
        )
      : null;
  if (health) {
    metrics.register(health.registry);
  }
  log.info({ httpPort: config.HTTP_PORT }, 'service started');

  // Intake and in-flight work get most of the grace period; what is left closes connections.
  const drainMs = Math.max(1_000, config.SHUTDOWN_GRACE_MS - 3_000);
  const closeWorkers = () => Promise.all(workers.map((w) => w.close()));

  let stopped: Promise<void> | null = null;
  const shutdown = () =>
    (stopped ??= (async () => {
      clearInterval(reconcileTimer);
      const steps: Array<[string, () => Promise<unknown>]> = [
        ['poller', () => within(drainMs / 2, poller.stop())],
        ['workers', () => releaseWork(closeWorkers(), drainMs, smtp, workers, log)],
        ['health', () => health?.close() ?? Promise.resolve()],
        ['smtp', async () => smtp.close()],
        ['app', () => app.close()],
      ];
      for (const [name, step] of steps) {
        await step().catch((err: Error) => log.warn({ err, step: name }, 'shutdown step failed'));
      }
      log.info({}, 'service stopped');
    })());
  return { shutdown, poller, app };
}

/** Resolves true when the work settles within `ms`, false when the time runs out first. */
function within(ms: number, work: Promise<unknown>): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const settled = () => {
      clearTimeout(timer);
      resolve(true);
    };
    work.then(settled, settled);
  });
}

/**
 * Lets jobs in flight finish; if one is stuck (an SMTP server that never answers), closing the
 * sender aborts its send, which the outbox records as uncertain or queued, so the job ends and
 * the email goes out again, with the same Message-ID, after a restart.
 */
async function releaseWork(
  closing: Promise<unknown>,
  drainMs: number,
  smtp: { close(): void },
  workers: Worker[],
  log: Logger,
): Promise<void> {
  if (await within(drainMs, closing)) return;
  log.warn({ drainMs }, 'work in flight did not finish in time; releasing it');
  smtp.close();
  if (await within(2_000, closing)) return;
  await Promise.all(workers.map((w) => w.close(true)));
}
