import fc from 'fast-check';
import { MAX_RETRY_DELAY_MS, retryDelayMs } from '../../../src/notify/backoff';

describe('retryDelayMs', () => {
  it('doubles the ceiling with each failure', () => {
    const top = () => 0.999999;

    const delays = [1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 1000, top));

    expect(delays).toEqual([999, 1999, 3999, 7999]);
  });

  it('draws the whole range below the ceiling (full jitter)', () => {
    expect(retryDelayMs(3, 1000, () => 0)).toBe(0);
    expect(retryDelayMs(3, 1000, () => 0.5)).toBe(2000);
  });

  it('never waits longer than the cap, however many attempts failed', () => {
    expect(retryDelayMs(1_000, 30_000, () => 0.999999)).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(5, 1000, () => 0.999999, 5000)).toBe(4999);
  });

  it('treats attempt 0, a negative or a non-number as the first failure', () => {
    const half = () => 0.5;

    expect(retryDelayMs(0, 1000, half)).toBe(500);
    expect(retryDelayMs(-3, 1000, half)).toBe(500);
    expect(retryDelayMs(Number.NaN, 1000, half)).toBe(500);
  });

  it('stays a whole number of milliseconds within [0, cap] for any input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, baseMs, draw) => {
          const delay = retryDelayMs(attempt, baseMs, () => draw);

          return Number.isInteger(delay) && delay >= 0 && delay <= MAX_RETRY_DELAY_MS;
        },
      ),
    );
  });
});
