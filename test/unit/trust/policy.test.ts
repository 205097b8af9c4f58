import {
  decideApprovalPath,
  namesMatch,
  type TrustCaps,
  type TrustSignals,
} from '../../../src/trust';

const CAPS: TrustCaps = { accountUnlocks24h: 1, accountUnlocks30d: 3, senderRequests24h: 3 };

/** Every check passes: the normal path. */
function signals(overrides: Partial<TrustSignals> = {}): TrustSignals {
  return {
    accountFound: true,
    accountLocked: true,
    senderMatchesRegistered: true,
    dmarcAligned: true,
    dmarcFail: false,
    nameMatchesAccount: true,
    privilegedAccount: false,
    senderUnverifiable: false,
    accountUnlocks24h: 0,
    accountUnlocks30d: 0,
    senderRequests24h: 0,
    ...overrides,
  };
}

describe('decideApprovalPath', () => {
  it('takes the normal path when every check passes', () => {
    expect(decideApprovalPath(signals(), CAPS)).toEqual({ path: 'normal', rules: [] });
  });

  it.each<[string, Partial<TrustSignals>, string]>([
    [
      'a sender other than the registered one',
      { senderMatchesRegistered: false },
      'sender differs from registered address',
    ],
    [
      'no aligned DMARC pass',
      { dmarcAligned: false },
      'sender not authenticated (no aligned DMARC pass)',
    ],
    ['a company admin account', { privilegedAccount: true }, 'company admin account'],
    [
      'an ambiguous From header',
      { senderUnverifiable: true },
      'sender cannot be verified (ambiguous From header)',
    ],
    ['an account that is not locked', { accountLocked: false }, 'account is not locked'],
    [
      'an unlock in the last 24 hours',
      { accountUnlocks24h: 1 },
      'account unlock cap reached (1 in 24h)',
    ],
    ['three unlocks in 30 days', { accountUnlocks30d: 3 }, 'account unlock cap reached (3 in 30d)'],
    [
      'three earlier requests from the sender today',
      { senderRequests24h: 3 },
      'sender request cap reached (3 in 24h)',
    ],
  ])('elevates %s', (_label, overrides, rule) => {
    const decision = decideApprovalPath(signals(overrides), CAPS);

    expect(decision).toEqual({ path: 'elevated', rules: [rule] });
  });

  it('stays normal just below each cap', () => {
    const below = signals({ accountUnlocks24h: 0, accountUnlocks30d: 2, senderRequests24h: 2 });

    expect(decideApprovalPath(below, CAPS).path).toBe('normal');
  });

  it('lists every reason for elevation', () => {
    const decision = decideApprovalPath(
      signals({ senderMatchesRegistered: false, dmarcAligned: false, privilegedAccount: true }),
      CAPS,
    );

    expect(decision.path).toBe('elevated');
    expect(decision.rules).toHaveLength(3);
  });

  it('refuses a DMARC fail whatever else holds', () => {
    const decision = decideApprovalPath(signals({ dmarcFail: true }), CAPS);

    expect(decision).toEqual({ path: 'refused', rules: ['DMARC fail is never approvable'] });
  });

  it('refuses when there is no account to unlock', () => {
    const decision = decideApprovalPath(
      signals({ accountFound: false, accountLocked: false }),
      CAPS,
    );

    expect(decision).toEqual({ path: 'refused', rules: ['account not found (nothing to unlock)'] });
  });

  it('never lets a name mismatch change the path', () => {
    expect(decideApprovalPath(signals({ nameMatchesAccount: false }), CAPS).path).toBe('normal');
  });

  it('elevates everything when a cap is set to zero', () => {
    const decision = decideApprovalPath(signals(), { ...CAPS, accountUnlocks24h: 0 });

    expect(decision.path).toBe('elevated');
  });
});

describe('namesMatch', () => {
  it.each<[string, string]>([
    ['Siân Evans', 'Sian Evans'],
    ['Doe, Jane', 'Jane Doe'],
    ['  jane   DOE ', 'Jane Doe'],
    ['Łukasz Wiśniewski', 'lukasz wisniewski'],
    ['Zoë Müller-Lüdenscheidt', 'Zoe Muller Ludenscheidt'],
    ["Aoife O'Brien", 'Aoife OBrien'],
    ['Jürgen Groß', 'Jurgen Gross'],
  ])('matches %p with %p', (claimed, accountName) => {
    expect(namesMatch(claimed, accountName)).toBe(true);
  });

  it.each<[string, string]>([
    ['Jane Doe', 'John Doe'],
    ['Jane Mary Doe', 'Jane Doe'],
    ['Jane', 'Jane Doe'],
    ['Jane Doe', ''],
  ])('does not match %p with %p', (claimed, accountName) => {
    expect(namesMatch(claimed, accountName)).toBe(false);
  });

  it('has no answer when no name was claimed', () => {
    expect(namesMatch(null, 'Jane Doe')).toBeNull();
    expect(namesMatch('  , ', 'Jane Doe')).toBeNull();
  });
});
