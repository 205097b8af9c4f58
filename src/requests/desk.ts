import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import type { BusinessCalendar } from '../hours';
import type { Logger } from '../log';
import type { OutboxSettings } from '../notify/outbox';
import type { TrustCaps } from '../trust';

/**
 * What happens after a transaction commits: jobs that carry work forward. PostgreSQL already
 * holds the facts, so a lost call here only delays work until the sweeper finds it.
 */
export interface Scheduler {
  sendEmails(outboxIds: number[]): Promise<void>;
  reviewAt(requestId: number, at: Date): Promise<void>;
}

export interface DeskSettings {
  supportAddress: string;
  authservId?: string;
  approvalTtlMinutes: number;
  caps: TrustCaps;
  parseTimeoutMs: number;
  maxProcessingAttempts: number;
  /** Agents who may act outside working hours, giving a reason. */
  supervisors: readonly string[];
  /** Agents who may decide; empty means any agent email address is accepted. */
  agents: readonly string[];
  processedFolder: string;
  unprocessedFolder: string;
}

/** Everything the request lifecycle needs; every path (worker, CLI, console) passes one in. */
export interface Desk {
  dataSource: DataSource;
  calendar: BusinessCalendar;
  outbox: OutboxSettings;
  scheduler: Scheduler;
  settings: DeskSettings;
  log: Logger;
  now: () => Date;
}

/** Runs the scheduler without letting a Redis outage undo a committed change. */
export async function scheduleQuietly(desk: Desk, work: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('scheduling timed out')), SCHEDULE_TIMEOUT_MS);
  });
  try {
    await Promise.race([work(), deadline]);
  } catch (err) {
    desk.log.warn({ err }, 'could not schedule follow-up work; the sweeper will pick it up');
  } finally {
    clearTimeout(timer);
  }
}

const SCHEDULE_TIMEOUT_MS = 3_000;

/** A moment as users read it in emails: "4 December 2026, 18:05" in the calendar's zone. */
export function formatInstant(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at).setZone(timeZone).toFormat('d LLLL yyyy, HH:mm');
}
