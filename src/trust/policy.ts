/**
 * The facts about one request that decide who may approve it. Counts are of earlier events and
 * leave out the request being decided.
 */
export interface TrustSignals {
  accountFound: boolean;
  accountLocked: boolean;
  /** The authenticated From address equals the account's registered address. */
  senderMatchesRegistered: boolean;
  /** DMARC passed for the From domain (aligned SPF or DKIM). */
  dmarcAligned: boolean;
  /** DMARC failed: the From domain's owner disowns the message. */
  dmarcFail: boolean;
  /** Shown to agents (a mismatch is a warning); a match adds no trust, so it never decides. */
  nameMatchesAccount: boolean | null;
  /** A company admin or similar account, whose takeover would open other accounts. */
  privilegedAccount: boolean;
  /** The From header was ambiguous (several addresses, a hidden address, group syntax). */
  senderUnverifiable: boolean;
  /** Support unlocks of this account in the last 24 hours. */
  accountUnlocks24h: number;
  /** Support unlocks of this account in the last 30 days. */
  accountUnlocks30d: number;
  /** Earlier requests from this sender in the last 24 hours. */
  senderRequests24h: number;
  /** Shown to agents only; the rule reads accountUnlocks30d. */
  unlocks30d?: number;
}

/** How many events each window allows before a second agent is needed. */
export interface TrustCaps {
  accountUnlocks24h: number;
  accountUnlocks30d: number;
  senderRequests24h: number;
}

/** normal: one agent may unlock; elevated: a second agent, reset email only; refused: never. */
export type ApprovalPath = 'normal' | 'elevated' | 'refused';

export interface PathDecision {
  path: ApprovalPath;
  /** Why the path is not normal, one sentence each; empty for the normal path. */
  rules: string[];
}

/**
 * Chooses the approval path. Refused when DMARC failed or there is no account; normal only when
 * every check passes; elevated otherwise, listing each reason so an auditor sees them all.
 */
export function decideApprovalPath(s: TrustSignals, caps: TrustCaps): PathDecision {
  const refusals = refusalRules(s);
  if (refusals.length > 0) return { path: 'refused', rules: refusals };

  const elevations = [...identityRules(s), ...capRules(s, caps)];
  return { path: elevations.length > 0 ? 'elevated' : 'normal', rules: elevations };
}

function refusalRules(s: TrustSignals): string[] {
  const rules: string[] = [];
  if (s.dmarcFail) rules.push('DMARC fail is never approvable');
  if (!s.accountFound) rules.push('account not found (nothing to unlock)');
  return rules;
}

function identityRules(s: TrustSignals): string[] {
  const rules: string[] = [];
  if (!s.accountLocked) rules.push('account is not locked');
  if (s.senderUnverifiable) rules.push('sender cannot be verified (ambiguous From header)');
  if (!s.senderMatchesRegistered) rules.push('sender differs from registered address');
  if (!s.dmarcAligned) rules.push('sender not authenticated (no aligned DMARC pass)');
  if (s.privilegedAccount) rules.push('company admin account');
  return rules;
}

function capRules(s: TrustSignals, caps: TrustCaps): string[] {
  const rules: string[] = [];
  if (s.accountUnlocks24h >= caps.accountUnlocks24h) {
    rules.push(`account unlock cap reached (${caps.accountUnlocks24h} in 24h)`);
  }
  if (s.accountUnlocks30d >= caps.accountUnlocks30d) {
    rules.push(`account unlock cap reached (${caps.accountUnlocks30d} in 30d)`);
  }
  if (s.senderRequests24h >= caps.senderRequests24h) {
    rules.push(`sender request cap reached (${caps.senderRequests24h} in 24h)`);
  }
  return rules;
}

/**
 * Letters that Unicode does not split into a base letter and a mark, so NFD alone would keep
 * 'Łukasz' and 'Lukasz' apart. Letters outside this list and other scripts compare as written, so
 * a transliterated name ('Юлия' against 'Yulia') shows as a mismatch warning.
 */
const UNSPLIT_LETTERS: ReadonlyArray<[RegExp, string]> = [
  [/ł/g, 'l'],
  [/ø/g, 'o'],
  [/đ/g, 'd'],
  [/ħ/g, 'h'],
  [/ı/g, 'i'],
  [/ß/g, 'ss'],
  [/æ/g, 'ae'],
  [/œ/g, 'oe'],
  [/þ/g, 'th'],
];

/**
 * Whether a claimed name and the account's name are the same person's name, ignoring case,
 * accents, punctuation, spacing and word order ('Doe, Jane' matches 'Jane Doe'). Null when nothing
 * was claimed. A match adds no trust; a mismatch is a warning for the agent.
 */
export function namesMatch(claimed: string | null, accountName: string): boolean | null {
  const claimedTokens = nameTokens(claimed ?? '');
  if (claimedTokens.length === 0) return null;

  const accountTokens = nameTokens(accountName);
  return (
    claimedTokens.length === accountTokens.length &&
    claimedTokens.every((token, i) => token === accountTokens[i])
  );
}

function nameTokens(name: string): string[] {
  let folded = name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  for (const [letter, plain] of UNSPLIT_LETTERS) folded = folded.replace(letter, plain);

  return folded
    .replace(/['’`]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0)
    .sort();
}
