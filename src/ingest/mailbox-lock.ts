import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// Renew and release only while the lock is still ours: a holder that stalled past its expiry
// must not extend or remove the lock a successor has since taken.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A lock with expiry in Redis, so only one worker process reads the mailbox at a time and
 * another takes over within `ttlMs` when the holder dies.
 */
export class MailboxLock {
  private readonly token = randomUUID();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  async acquire(): Promise<boolean> {
    const result = await this.redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX');
    return result === 'OK';
  }

  /** False when the lock was lost (expired and taken): the holder must stop at once. */
  async renew(): Promise<boolean> {
    const result = await this.redis.eval(RENEW, 1, this.key, this.token, String(this.ttlMs));
    return result === 1;
  }

  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, this.token);
  }
}
