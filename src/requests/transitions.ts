import { AppError } from '../errors';

/** The statuses a request can hold, as shown in JSON and accepted by `--status`. */
export const REQUEST_STATUSES = [
  'received',
  'needs_info',
  'pending_review',
  'approved',
  'unlocked',
  'reset_sent',
  'no_action_needed',
  'rejected',
  'duplicate',
] as const;

export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Statuses in which a request is still open and holds its account. */
export const OPEN_STATUSES: readonly RequestStatus[] = [
  'received',
  'needs_info',
  'pending_review',
  'approved',
];

/**
 * Every allowed change, in one table. `received` waits for working hours; `approved` is a
 * first approval on the elevated path, waiting for a second agent or for its expiry.
 */
const ALLOWED: Record<RequestStatus, readonly RequestStatus[]> = {
  received: [
    'pending_review',
    'needs_info',
    'approved',
    'unlocked',
    'reset_sent',
    'rejected',
    'duplicate',
    'no_action_needed',
  ],
  needs_info: ['received', 'pending_review', 'rejected', 'duplicate', 'no_action_needed'],
  pending_review: ['approved', 'unlocked', 'reset_sent', 'rejected', 'no_action_needed'],
  approved: [
    'approved',
    'unlocked',
    'reset_sent',
    'rejected',
    'no_action_needed',
    'pending_review',
  ],
  unlocked: [],
  reset_sent: [],
  no_action_needed: [],
  rejected: [],
  duplicate: [],
};

export function canTransition(from: RequestStatus, to: RequestStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** Throws INVALID_TRANSITION naming both statuses when the change is not allowed. */
export function assertTransition(reference: string, from: RequestStatus, to: RequestStatus): void {
  if (!canTransition(from, to)) {
    throw new AppError('INVALID_TRANSITION', `${reference} is ${from}; it cannot become ${to}`, {
      reference,
      from,
      to,
    });
  }
}

export function isRequestStatus(value: string): value is RequestStatus {
  return (REQUEST_STATUSES as readonly string[]).includes(value);
}
