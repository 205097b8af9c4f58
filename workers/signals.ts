import type { Logger } from '../src/log';
import type { RunningService } from './service';

/**
 * Runs until SIGTERM or SIGINT, then shuts down in order. If shutting down takes longer than
 * the grace period, the process exits anyway (code 1) rather than hang.
 */
export function runUntilSignal(
  service: RunningService,
  graceMs: number,
  log: Logger,
): Promise<number> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal, graceMs }, 'stopping');
      const deadline = setTimeout(() => {
        log.error({ graceMs }, 'shutdown passed its grace period; exiting');
        resolve(1);
      }, graceMs);
      deadline.unref();
      void service.shutdown().then(() => {
        clearTimeout(deadline);
        resolve(0);
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
