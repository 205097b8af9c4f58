import { AppError } from '../../../src/errors';
import { formatInstant } from '../../../src/requests/desk';
import { normaliseReference } from '../../../src/requests/review';
import {
  assertTransition,
  canTransition,
  isRequestStatus,
  OPEN_STATUSES,
  REQUEST_STATUSES,
} from '../../../src/requests/transitions';

describe('request transitions', () => {
  it('lets an open request be decided and a closed one never change again', () => {
    expect(canTransition('pending_review', 'unlocked')).toBe(true);
    expect(canTransition('approved', 'reset_sent')).toBe(true);
    expect(canTransition('received', 'pending_review')).toBe(true);

    for (const closed of REQUEST_STATUSES.filter((s) => !OPEN_STATUSES.includes(s))) {
      for (const to of REQUEST_STATUSES) expect(canTransition(closed, to)).toBe(false);
    }
  });

  it('refuses a change with INVALID_TRANSITION naming both statuses', () => {
    const attempt = () => assertTransition('AMS-1042', 'unlocked', 'rejected');

    expect(attempt).toThrow(AppError);
    expect(attempt).toThrow('AMS-1042 is unlocked; it cannot become rejected');
  });

  it('knows the status names the issue fixes', () => {
    for (const name of [
      'received',
      'needs_info',
      'pending_review',
      'approved',
      'unlocked',
      'rejected',
      'duplicate',
    ]) {
      expect(isRequestStatus(name)).toBe(true);
    }
    expect(isRequestStatus('open')).toBe(false);
  });
});

describe('normaliseReference', () => {
  it('accepts the reference in the forms agents type it', () => {
    expect(normaliseReference('AMS-1042')).toBe('AMS-1042');
    expect(normaliseReference(' ams-1042 ')).toBe('AMS-1042');
    expect(normaliseReference('1042')).toBe('AMS-1042');
    expect(normaliseReference('ams1042')).toBe('AMS-1042');
    expect(normaliseReference('TICKET-9')).toBe('TICKET-9');
  });
});

describe('formatInstant', () => {
  it('shows a moment in the calendar zone, summer time included', () => {
    expect(formatInstant(new Date('2026-12-04T18:05:00Z'), 'Europe/London')).toBe(
      '4 December 2026, 18:05',
    );
    expect(formatInstant(new Date('2026-07-01T08:30:00Z'), 'Europe/London')).toBe(
      '1 July 2026, 09:30',
    );
  });
});
