/** A result keyword from RFC 8601 (Authentication-Results), shared by DKIM, SPF and DMARC. */
export type AuthResult =
  'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy';

/** What we know about who sent a message, with the evidence an agent or auditor can read. */
export interface AuthVerdict {
  /**
   * Where the verdict came from: the Authentication-Results header written by our own receiving
   * server, our own check with mailauth, or nothing (no usable From address).
   */
  source: 'authentication-results' | 'verified' | 'none';
  dmarc: AuthResult;
  spf: AuthResult;
  dkim: AuthResult;
  /** Domain of the From address the verdict is about, lower case. */
  fromDomain: string | null;
  /** DMARC passed (aligned SPF or DKIM) for the From domain. */
  aligned: boolean;
  /** Short one-line statements, safe to store and show. */
  evidence: string[];
}

// A Map, not an object literal: a keyword such as 'constructor' must not find a prototype member.
const RESULT_ALIASES = new Map<string, AuthResult>([
  ['pass', 'pass'],
  ['fail', 'fail'],
  ['hardfail', 'fail'],
  ['softfail', 'softfail'],
  ['neutral', 'neutral'],
  ['none', 'none'],
  ['temperror', 'temperror'],
  ['temperr', 'temperror'],
  ['permerror', 'permerror'],
  ['permerr', 'permerror'],
  ['policy', 'policy'],
]);

/**
 * Maps a result keyword to an AuthResult. Older writers use 'hardfail', 'temperr' and
 * 'permerr'; a keyword we do not know is read as 'neutral', which never counts as a pass.
 */
export function toAuthResult(keyword: string | undefined): AuthResult {
  if (keyword === undefined) return 'none';
  return RESULT_ALIASES.get(keyword.trim().toLowerCase()) ?? 'neutral';
}

/** DMARC said fail: the From domain's owner disowns this message, so it is never approvable. */
export function isDmarcFail(v: AuthVerdict): boolean {
  return v.dmarc === 'fail';
}

/** The verdict for a message without one usable From address: nothing to authenticate. */
export function noSenderVerdict(evidence: string[] = []): AuthVerdict {
  return {
    source: 'none',
    dmarc: 'none',
    spf: 'none',
    dkim: 'none',
    fromDomain: null,
    aligned: false,
    evidence: [...evidence, 'no single From address, so there is no sender to authenticate'],
  };
}
