/** The longest wait between two attempts, however many have failed. */
export const MAX_RETRY_DELAY_MS = 6 * 60 * 60 * 1000;

/**
 * How long to wait before the next attempt after `attempt` failed attempts (1 for the first
 * failure). The ceiling doubles from baseMs with each failure up to capMs, and the delay is
 * drawn uniformly below it ("full jitter"), so many emails failing together do not all retry
 * at the same moment.
 */
export function retryDelayMs(
  attempt: number,
  baseMs: number,
  rng: () => number = Math.random,
  capMs: number = MAX_RETRY_DELAY_MS,
): number {
  const failures = Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1;
  const base = Math.max(0, baseMs);

  // 2 ** 60 overflows nothing in floating point, and any base past 1 ms reaches the cap first.
  const ceiling = Math.min(capMs, base * 2 ** Math.min(failures - 1, 60));
  const draw = Math.min(Math.max(rng(), 0), 1);
  return Math.floor(draw * ceiling);
}
