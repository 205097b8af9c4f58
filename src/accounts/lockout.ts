/** AMS locks an account after more than `maxFailures` failed sign-ins in a row. */
export function isLockedOut(failedAttempts: number, maxFailures: number): boolean {
  return failedAttempts > maxFailures;
}

/** Lower-cased and trimmed: accounts are matched case-insensitively on their email. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL_SHAPE = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

export function isEmailAddress(value: string): boolean {
  return EMAIL_SHAPE.test(value.trim());
}
