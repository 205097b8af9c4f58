import dns from 'node:dns';

import { type DNSResolver, dkimVerify, dmarc, spf } from 'mailauth';

import { type AuthResult, type AuthVerdict, noSenderVerdict, toAuthResult } from './auth-verdict';
import { readTrustedVerdict } from './authentication-results';
import { safeHeaderText } from './header-safety';
import { domainOfAddress, readHeaderFields } from './message-headers';

export type { AuthResult, AuthVerdict } from './auth-verdict';
export { isDmarcFail } from './auth-verdict';
export { parseAuthenticationResults } from './authentication-results';

/** Looks up DNS records the way `dns.promises.resolve` does: TXT answers are string[][]. */
export type DnsResolver = (name: string, rrtype: string) => Promise<unknown>;

/** Settings and connection facts for one sender check. */
export interface AuthenticateOptions {
  /** authserv-id of our receiving server; its topmost Authentication-Results header is trusted. */
  authservId?: string;
  /** DNS lookups go here; the system resolver when absent. Tests inject one. */
  resolver?: DnsResolver;
  /** IP address of the SMTP client that handed the message to us; SPF is checked only with it. */
  clientIp?: string;
  /** The client's HELO/EHLO name. */
  helo?: string;
  /** The SMTP MAIL FROM address (the envelope sender). */
  mailFrom?: string;
  /** Deadline for the whole check, DNS included. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/** The name our own checks give in their comments instead of the host name. */
const CHECKER_NAME = 'ams-unlock-desk';

/** A DKIM signature that verified, as the DMARC check wants it. */
interface PassingSignature {
  domain: string;
  aligned?: boolean;
  underSized?: boolean;
}

type DkimSignatureResult = Awaited<ReturnType<typeof dkimVerify>>['results'][number];
type DmarcResult = Exclude<Awaited<ReturnType<typeof dmarc>>, false>;

interface MethodCheck {
  result: AuthResult;
  evidence: string[];
}

const systemResolver: DnsResolver = (name, rrtype) => dns.promises.resolve(name, rrtype);

/**
 * Decides how far the message's sender `fromAddress` is authenticated. The topmost
 * Authentication-Results header from `opts.authservId` wins when present; otherwise DKIM (always),
 * SPF (when the client IP is known) and DMARC for the From domain are checked with mailauth.
 *
 * Never throws: DNS failures and the deadline give 'temperror' with evidence, and a message with no
 * usable From address gives source 'none'. When the deadline passes, lookups still in flight are
 * abandoned but the signature arithmetic already started runs to its end in the background.
 */
export async function authenticateSender(
  raw: Buffer,
  fromAddress: string | null,
  opts: AuthenticateOptions = {},
): Promise<AuthVerdict> {
  const fromDomain = domainOfAddress(fromAddress);
  if (!fromAddress || !fromDomain) return noSenderVerdict();

  try {
    const verdict = await decideVerdict(raw, fromAddress, fromDomain, opts);
    return { ...verdict, evidence: verdict.evidence.map((e) => safeHeaderText(e)) };
  } catch (err) {
    return unknownVerdict(fromDomain, `sender authentication failed: ${errorText(err)}`);
  }
}

async function decideVerdict(
  raw: Buffer,
  fromAddress: string,
  fromDomain: string,
  opts: AuthenticateOptions,
): Promise<AuthVerdict> {
  const notes: string[] = [];
  if (opts.authservId) {
    const trusted = readTrustedVerdict(readHeaderFields(raw), opts.authservId, fromDomain);
    if (trusted.verdict) return trusted.verdict;
    notes.push(
      `no Authentication-Results from ${opts.authservId}; checked here`,
      ...trusted.evidence,
    );
  }

  const deadline = {
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    resolver: opts.resolver ?? systemResolver,
    fromDomain,
  };
  const verdict = await withinDeadline(deadline, (resolver) =>
    verifyWithMailauth(raw, fromAddress, fromDomain, opts, resolver),
  );
  return { ...verdict, evidence: [...verdict.evidence, ...notes] };
}

/**
 * Runs `check` with a resolver that fails every lookup once `timeoutMs` has passed, and answers
 * with an all-'temperror' verdict at the deadline if the check has not finished by then.
 */
async function withinDeadline(
  deadline: { timeoutMs: number; resolver: DnsResolver; fromDomain: string },
  check: (resolver: DNSResolver) => Promise<AuthVerdict>,
): Promise<AuthVerdict> {
  const { timeoutMs, fromDomain } = deadline;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  timer.unref();

  const expired = new Promise<AuthVerdict>((resolve) => {
    const note = `sender authentication passed its ${timeoutMs} ms deadline`;
    controller.signal.addEventListener('abort', () => resolve(unknownVerdict(fromDomain, note)));
  });

  try {
    return await Promise.race([
      check(boundedResolver(deadline.resolver, controller.signal)),
      expired,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Wraps `resolver` so each lookup fails with ETIMEOUT once `signal` aborts. mailauth reads
 * ETIMEOUT as a temporary DNS error, so late lookups end as 'temperror' instead of hanging.
 */
function boundedResolver(resolver: DnsResolver, signal: AbortSignal): DNSResolver {
  return (name, rrtype) =>
    new Promise((resolve, reject) => {
      const onAbort = (): void => reject(dnsTimeout(name));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });

      // mailauth checks the shape of every answer itself, so the loose type is narrowed unchecked.
      Promise.resolve()
        .then(() => resolver(name, rrtype))
        .then((answer) => resolve(answer as string[][]), reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
}

function dnsTimeout(name: string): Error {
  return Object.assign(new Error(`DNS lookup of ${name} passed the deadline`), {
    code: 'ETIMEOUT',
  });
}

/**
 * Checks the message with mailauth's DKIM, SPF and DMARC steps one by one rather than its
 * `authenticate`: that one always runs SPF (we may not know the client IP), adds ARC and BIMI
 * lookups we do not use, and judges DMARC for its own reading of From instead of the strictly
 * parsed address we were given. DKIM and SPF are independent, so they run side by side.
 *
 * ARC is not evaluated, so a message whose DKIM signature a mailing list or forwarder broke fails
 * DMARC here (when its domain publishes a record) and is refused; only our receiving server's
 * Authentication-Results can vouch for it.
 */
async function verifyWithMailauth(
  raw: Buffer,
  fromAddress: string,
  fromDomain: string,
  opts: AuthenticateOptions,
  resolver: DNSResolver,
): Promise<AuthVerdict> {
  const [dkimCheck, spfCheck] = await Promise.all([
    checkDkim(raw, resolver),
    checkSpf(opts, resolver),
  ]);

  const dmarcCheck = await checkDmarc(
    fromAddress,
    dkimCheck.passing,
    spfCheck.passDomain,
    resolver,
  );

  return {
    source: 'verified',
    dmarc: dmarcCheck.result,
    spf: spfCheck.result,
    dkim: dkimCheck.result,
    fromDomain,
    aligned: dmarcCheck.result === 'pass',
    evidence: [...dmarcCheck.evidence, ...spfCheck.evidence, ...dkimCheck.evidence],
  };
}

/** One passing signature is enough; otherwise the first signature's result stands. */
async function checkDkim(
  raw: Buffer,
  resolver: DNSResolver,
): Promise<MethodCheck & { passing: PassingSignature[] }> {
  try {
    const { results } = await dkimVerify(raw, { resolver });
    const signatures = results.filter((r) => r.signingDomain);
    if (signatures.length === 0) return { result: 'none', passing: [], evidence: ['dkim=none'] };

    const rows = signatures.map((r) => ({ r, result: signatureResult(r) }));
    const passing = rows.filter((row) => row.result === 'pass');
    return {
      result: passing.length > 0 ? 'pass' : rows[0].result,
      passing: passing.map(({ r }) => ({
        domain: r.signingDomain,
        aligned: r.status.aligned,
        underSized: r.status.underSized,
      })),
      evidence: rows.map(({ r, result }) => describeSignature(r, result)),
    };
  } catch (err) {
    return { result: 'temperror', passing: [], evidence: [`dkim check failed: ${errorText(err)}`] };
  }
}

/**
 * mailauth calls a body hash mismatch 'neutral'; RFC 6376 section 6.3 makes it a failed
 * verification, so it is reported here as 'fail': the body was changed after signing.
 */
function signatureResult(r: DkimSignatureResult): AuthResult {
  const bodyChanged =
    'bodyHash' in r && 'bodyHashExpecting' in r && r.bodyHash !== r.bodyHashExpecting;
  return bodyChanged ? 'fail' : toAuthResult(r.status.result);
}

function describeSignature(r: DkimSignatureResult, result: AuthResult): string {
  const comment = r.status.comment ? ` (${r.status.comment})` : '';
  return `dkim=${result} header.d=${r.signingDomain} header.s=${r.selector ?? '?'}${comment}`;
}

/** SPF says which hosts may send for the envelope sender's domain; it needs the client IP. */
async function checkSpf(
  opts: AuthenticateOptions,
  resolver: DNSResolver,
): Promise<MethodCheck & { passDomain: string | null }> {
  const { clientIp, helo } = opts;
  const mailFrom = opts.mailFrom || undefined;
  if (!clientIp) return notChecked('spf not checked: client IP unknown');
  if (!mailFrom && !helo) return notChecked('spf not checked: no envelope sender or HELO');

  try {
    const r = await spf({ ip: clientIp, sender: mailFrom, helo, mta: CHECKER_NAME, resolver });
    const result = toAuthResult(r.status.result);
    const sender = r['envelope-from'] ?? mailFrom;
    return {
      result,
      passDomain: result === 'pass' ? r.domain : null,
      evidence: [`spf=${result} smtp.mailfrom=${sender} client-ip=${clientIp}`],
    };
  } catch (err) {
    return {
      result: 'temperror',
      passDomain: null,
      evidence: [`spf check failed: ${errorText(err)}`],
    };
  }
}

function notChecked(note: string): MethodCheck & { passDomain: null } {
  return { result: 'none', passDomain: null, evidence: [note] };
}

/** DMARC passes when an SPF or DKIM pass is aligned with the From domain (RFC 7489 3.1). */
async function checkDmarc(
  fromAddress: string,
  dkimPassing: PassingSignature[],
  spfPassDomain: string | null,
  resolver: DNSResolver,
): Promise<MethodCheck> {
  try {
    const r = await dmarc({
      headerFrom: fromAddress,
      spfDomains: spfPassDomain ? [spfPassDomain] : [],
      dkimDomains: dkimPassing,
      resolver,
    });
    if (!r) return { result: 'none', evidence: ['dmarc=none (From address unusable)'] };

    const fromDomain = domainOfAddress(fromAddress);
    const result = strictAlignmentHolds(r, fromDomain) ? toAuthResult(r.status.result) : 'fail';
    const policy = r.status.comment ? ` (${r.status.comment})` : '';
    return { result, evidence: [`dmarc=${result} header.from=${fromDomain}${policy}`] };
  } catch (err) {
    return { result: 'temperror', evidence: [`dmarc check failed: ${errorText(err)}`] };
  }
}

/**
 * mailauth 4.13 compares organisational domains even when the record asks for strict alignment
 * (adkim=s, aspf=s), so a pass from mail.example.com would count for example.com. Strict alignment
 * means the same domain exactly (RFC 7489 3.1), and a pass that does not meet it is a fail here.
 */
function strictAlignmentHolds(r: DmarcResult, fromDomain: string | null): boolean {
  if (r.status.result !== 'pass' || !r.alignment) return true;

  const meets = (a: { result: string | false; strict: boolean }): boolean =>
    a.result !== false &&
    a.result !== undefined &&
    (!a.strict || a.result.toLowerCase().replace(/\.$/, '') === fromDomain);
  return meets(r.alignment.dkim) || meets(r.alignment.spf);
}

function unknownVerdict(fromDomain: string, note: string): AuthVerdict {
  return {
    source: 'verified',
    dmarc: 'temperror',
    spf: 'temperror',
    dkim: 'temperror',
    fromDomain,
    aligned: false,
    evidence: [note],
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
