import { generateKeyPairSync } from 'node:crypto';

import { dkimSign } from 'mailauth';

import type { DnsResolver } from '../../../src/trust';

/** DNS answers by "name TYPE"; TXT answers are string[][] like dns.promises.resolve gives. */
export type DnsRecords = Record<string, string[][]>;

/** A resolver over fixed records that counts its lookups; a missing name is ENOTFOUND. */
export function fakeResolver(records: DnsRecords): DnsResolver & { lookups: string[] } {
  const lookups: string[] = [];
  const resolver = async (name: string, rrtype: string): Promise<string[][]> => {
    const key = `${name.toLowerCase()} ${rrtype}`;
    lookups.push(key);
    const answer = records[key];
    if (!answer) throw Object.assign(new Error(`query ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return answer;
  };
  return Object.assign(resolver, { lookups });
}

export interface SigningKey {
  privateKey: string;
  /** The TXT record to publish at <selector>._domainkey.<domain>. */
  dnsRecord: string[][];
}

export function createSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    dnsRecord: [[`v=DKIM1; k=rsa; p=${spki}`]],
  };
}

export interface MessageParts {
  from?: string;
  extraHeaders?: string[];
  body?: string;
}

/** A small request message with CRLF line ends, as read from the mailbox. */
export function buildMessage(parts: MessageParts = {}): string {
  const headers = [
    ...(parts.extraHeaders ?? []),
    `From: ${parts.from ?? 'Jane Doe <jane@example.com>'}`,
    'To: support@ams-support.example',
    'Subject: AMS Account Unlock Request',
    'Date: Thu, 6 Mar 2025 07:22:03 +0000',
    'Message-ID: <test-1@example.com>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
  ];
  const body = parts.body ?? 'Full name: Jane Doe\r\nRegistered email: jane@example.com\r\n';
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}

/** Prepends a DKIM-Signature made with `key` for d=`domain`, s=sel. */
export async function signMessage(
  message: string,
  key: SigningKey,
  domain: string,
): Promise<string> {
  // mailauth signs with the entries of signatureData; its types also ask for the top-level fields.
  const signature = { signingDomain: domain, selector: 'sel', privateKey: key.privateKey };
  const signed = await dkimSign(message, { ...signature, signatureData: [signature] });
  if (signed.errors.length > 0) throw signed.errors[0];
  return signed.signatures + message;
}
