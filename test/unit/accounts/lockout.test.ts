import { isEmailAddress, isLockedOut, normaliseEmail } from '../../../src/accounts/lockout';

describe('isLockedOut', () => {
  it('locks after more than the allowed failures, not at them', () => {
    expect(isLockedOut(5, 5)).toBe(false);
    expect(isLockedOut(6, 5)).toBe(true);
    expect(isLockedOut(2, 1)).toBe(true);
  });
});

describe('account emails', () => {
  it('are matched lower-cased and trimmed', () => {
    expect(normaliseEmail('  Jane.Doe@Example.COM ')).toBe('jane.doe@example.com');
  });

  it('must look like one address', () => {
    expect(isEmailAddress('jane.doe@example.com')).toBe(true);
    expect(isEmailAddress('Jane <jane@example.com>')).toBe(false);
    expect(isEmailAddress('a@b.example, c@d.example')).toBe(false);
    expect(isEmailAddress('no-at-sign.example')).toBe(false);
  });
});
