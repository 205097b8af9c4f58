import { type AuthResult, type AuthVerdict, toAuthResult } from './auth-verdict';
import { safeHeaderText } from './header-safety';
import {
  type HeaderField,
  domainOfAddress,
  fromHeaderDomain,
  readHeaderFields,
  removeComments,
} from './message-headers';

/** One "method=result" statement of an Authentication-Results header, with its properties. */
interface MethodResult {
  method: string;
  result: AuthResult;
  /** Lower-case "ptype.property" (and "reason") to value, in the order written. */
  properties: Map<string, string>;
}

/** One Authentication-Results header, read per RFC 8601 section 2.2. */
interface AuthResultsHeader {
  authservId: string;
  methods: MethodResult[];
}

/** The trusted header, if any, and what was noticed while looking for it. */
interface TrustedResults {
  chosen: AuthResultsHeader | null;
  evidence: string[];
}

/**
 * A "key=value" pair; the value may be a quoted string or an address. The lookbehind lets a key
 * start only where a run of key characters starts, which keeps matching linear on a long run.
 */
const PAIR = /(?<![A-Za-z0-9_./-])([A-Za-z0-9_./-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"]+)/g;

/**
 * Reads the sender verdict from a raw message's Authentication-Results headers. Only headers whose
 * authserv-id equals `authservId` (ignoring case) count, and of those only the topmost: our
 * receiving server adds its header above anything the message arrived with. Returns null when no
 * header from `authservId` is present.
 *
 * A header that names our authserv-id but was written by someone else is trusted when it is the
 * topmost; this is safe only while our receiving server always adds its own header (RFC 8601
 * section 5 asks it to remove forged ones too).
 */
export function parseAuthenticationResults(
  raw: Buffer | string,
  authservId: string,
): AuthVerdict | null {
  const fields = readHeaderFields(raw);
  return readTrustedVerdict(fields, authservId, fromHeaderDomain(fields)).verdict;
}

/**
 * The verdict of the topmost Authentication-Results header from `authservId` about `fromDomain`,
 * or null when there is none; `evidence` always lists the headers passed over.
 */
export function readTrustedVerdict(
  fields: HeaderField[],
  authservId: string,
  fromDomain: string | null,
): { verdict: AuthVerdict | null; evidence: string[] } {
  const { chosen, evidence } = findTrustedResults(fields, authservId);
  if (!chosen) return { verdict: null, evidence };
  return { verdict: verdictFromHeader(chosen, fromDomain, evidence), evidence };
}

/**
 * Picks the topmost Authentication-Results header from `authservId`, noting each header passed
 * over, so the evidence shows what else the message claimed.
 */
function findTrustedResults(fields: HeaderField[], authservId: string): TrustedResults {
  const wanted = authservId.trim().toLowerCase();
  const evidence: string[] = [];
  let chosen: AuthResultsHeader | null = null;

  for (const field of fields.filter((f) => f.name === 'authentication-results')) {
    const header = readAuthResultsValue(field.value);
    if (!header) {
      evidence.push('ignored an unreadable Authentication-Results header');
    } else if (header.authservId.toLowerCase() !== wanted) {
      evidence.push(`ignored Authentication-Results from ${shortId(header)} (not our server)`);
    } else if (chosen) {
      evidence.push(`ignored a lower Authentication-Results from ${shortId(header)}`);
    } else {
      chosen = header;
    }
  }
  return { chosen, evidence };
}

/** Turns the trusted header into a verdict about `fromDomain`. */
function verdictFromHeader(
  header: AuthResultsHeader,
  fromDomain: string | null,
  earlierEvidence: string[] = [],
): AuthVerdict {
  const dmarc = combinedResult(header, 'dmarc');
  const dmarcDomain = dmarcHeaderFrom(header);
  const domainMatches = dmarcDomain === null || dmarcDomain === fromDomain;
  const aligned = dmarc === 'pass' && fromDomain !== null && domainMatches;

  const evidence = [...header.methods.map((m) => describeMethod(header, m)), ...earlierEvidence];
  if (header.methods.length === 0) {
    evidence.unshift(`Authentication-Results from ${shortId(header)}: none`);
  }
  if (dmarc === 'pass' && !domainMatches) {
    evidence.push(
      safeHeaderText(`DMARC passed for ${dmarcDomain}, not for the From domain ${fromDomain}`),
    );
  }

  return {
    source: 'authentication-results',
    dmarc,
    spf: combinedResult(header, 'spf'),
    dkim: combinedResult(header, 'dkim'),
    fromDomain,
    aligned,
    evidence,
  };
}

/**
 * One result per method. For DKIM one passing signature is enough (others may be broken by a
 * mailing list); for SPF and DMARC any entry that is not a pass spoils the pass.
 */
function combinedResult(header: AuthResultsHeader, method: string): AuthResult {
  const results = header.methods.filter((m) => m.method === method).map((m) => m.result);
  if (results.length === 0) return 'none';
  if (method === 'dkim') return results.includes('pass') ? 'pass' : results[0];
  return results.find((r) => r !== 'pass') ?? 'pass';
}

function dmarcHeaderFrom(header: AuthResultsHeader): string | null {
  const value = header.methods.find((m) => m.method === 'dmarc')?.properties.get('header.from');
  if (value === undefined) return null;
  if (value.includes('@')) return domainOfAddress(value);
  return value.toLowerCase().replace(/\.$/, '');
}

function describeMethod(header: AuthResultsHeader, m: MethodResult): string {
  const props = [...m.properties].map(([k, v]) => `${k}=${v}`).join(' ');
  const text = `Authentication-Results from ${header.authservId}: ${m.method}=${m.result} ${props}`;
  return safeHeaderText(text);
}

function shortId(header: AuthResultsHeader): string {
  return safeHeaderText(header.authservId, 100);
}

/**
 * Reads one header value: "authserv-id [version]; method=result [reason=..] [ptype.prop=value]..;"
 * or "authserv-id; none". Returns null when there is no authserv-id.
 */
function readAuthResultsValue(value: string): AuthResultsHeader | null {
  const [idPart, ...statements] = splitOutsideQuotes(removeComments(value), ';');
  const authservId = idPart.trim().split(/\s+/)[0];
  if (!authservId) return null;

  const methods = statements.map(readMethodResult).filter((m): m is MethodResult => m !== null);
  return { authservId, methods };
}

function readMethodResult(statement: string): MethodResult | null {
  const [first, ...rest] = [...statement.matchAll(PAIR)];
  if (!first) return null;

  const method = first[1].split('/')[0].toLowerCase();
  const properties = new Map<string, string>();
  for (const pair of rest) properties.set(pair[1].toLowerCase(), unquote(pair[2]));
  return { method, result: toAuthResult(unquote(first[2])), properties };
}

function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  return value.slice(1, -1).replace(/\\(.)/g, '$1');
}

function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let inQuote = false;

  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (inQuote && c === '\\') {
      current += c + (value[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inQuote = !inQuote;
    if (c === separator && !inQuote) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}
