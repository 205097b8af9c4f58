/**
 * The one registry of error codes. Each code says whether retrying can help, so queue
 * processors and the CLI decide what to do from the code alone.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: { retryable: false, exitCode: 78 },
  REQUEST_NOT_FOUND: { retryable: false, exitCode: 4 },
  ACCOUNT_NOT_FOUND: { retryable: false, exitCode: 4 },
  ACCOUNT_EXISTS: { retryable: false, exitCode: 5 },
  INVALID_TRANSITION: { retryable: false, exitCode: 5 },
  INVALID_INPUT: { retryable: false, exitCode: 2 },
  OUTSIDE_HOURS: { retryable: false, exitCode: 6 },
  SECOND_AGENT_REQUIRED: { retryable: false, exitCode: 6 },
  NOT_APPROVABLE: { retryable: false, exitCode: 6 },
  APPROVAL_EXPIRED: { retryable: false, exitCode: 6 },
  MESSAGE_NOT_FOUND: { retryable: false, exitCode: 4 },
  PARSE_TIMEOUT: { retryable: true, exitCode: 1 },
  PARSE_FAILED: { retryable: false, exitCode: 1 },
  MESSAGE_TOO_LARGE: { retryable: false, exitCode: 1 },
  DATABASE_UNAVAILABLE: { retryable: true, exitCode: 69 },
  REDIS_UNAVAILABLE: { retryable: true, exitCode: 69 },
  IMAP_AUTH_FAILED: { retryable: false, exitCode: 69 },
  IMAP_UNAVAILABLE: { retryable: true, exitCode: 69 },
  SMTP_PERMANENT: { retryable: false, exitCode: 1 },
  SMTP_TRANSIENT: { retryable: true, exitCode: 1 },
  SMTP_UNCERTAIN: { retryable: true, exitCode: 1 },
  CALENDAR_INVALID: { retryable: false, exitCode: 78 },
  SHUTDOWN: { retryable: true, exitCode: 1 },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error a user or operator can act on: a stable code and a message naming what is wrong. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }
}

/** True when retrying the failed step later can succeed. Unknown errors count as transient. */
export function isRetryable(err: unknown): boolean {
  return err instanceof AppError ? err.retryable : true;
}

export function hasCode(err: unknown, code: ErrorCode): boolean {
  return err instanceof AppError && err.code === code;
}
