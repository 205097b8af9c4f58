import { authenticateSender, isDmarcFail, type DnsResolver } from '../../../src/trust';
import {
  buildMessage,
  createSigningKey,
  fakeResolver,
  signMessage,
  type DnsRecords,
  type SigningKey,
} from './factories';

const OUR_ID = 'mx.ams-support.example';

let key: SigningKey;
let records: DnsRecords;

beforeAll(() => {
  key = createSigningKey();
  records = {
    'sel._domainkey.example.com TXT': key.dnsRecord,
    '_dmarc.example.com TXT': [['v=DMARC1; p=reject']],
    '_dmarc.example.org TXT': [['v=DMARC1; p=quarantine']],
    '_dmarc.example.net TXT': [['v=DMARC1; p=reject; adkim=s']],
    'sel._domainkey.mail.example.com TXT': key.dnsRecord,
    'sel._domainkey.mail.example.net TXT': key.dnsRecord,
    'example.com TXT': [['v=spf1 ip4:192.0.2.10 -all']],
  };
});

describe('authenticateSender with mailauth', () => {
  it('passes DKIM and DMARC for a message signed by the From domain', async () => {
    const raw = Buffer.from(await signMessage(buildMessage(), key, 'example.com'));

    const verdict = await authenticateSender(raw, 'jane@example.com', {
      resolver: fakeResolver(records),
    });

    expect(verdict).toMatchObject({
      source: 'verified',
      dkim: 'pass',
      dmarc: 'pass',
      spf: 'none',
      fromDomain: 'example.com',
      aligned: true,
    });
    expect(verdict.evidence).toEqual(
      expect.arrayContaining([
        expect.stringContaining('dkim=pass header.d=example.com'),
        expect.stringContaining('dmarc=pass header.from=example.com'),
        'spf not checked: client IP unknown',
      ]),
    );
  });

  it('fails DKIM and DMARC when the body was changed after signing', async () => {
    const signed = await signMessage(buildMessage(), key, 'example.com');
    const tampered = signed.replace('jane@example.com\r\n', 'mallory@example.net\r\n');

    const verdict = await authenticateSender(Buffer.from(tampered), 'jane@example.com', {
      resolver: fakeResolver(records),
    });

    expect(verdict).toMatchObject({ dkim: 'fail', dmarc: 'fail', aligned: false });
    expect(isDmarcFail(verdict)).toBe(true);
    expect(verdict.evidence).toContainEqual(expect.stringContaining('body hash did not verify'));
  });

  it('fails DKIM when a signed header was changed after signing', async () => {
    const signed = await signMessage(buildMessage(), key, 'example.com');
    const tampered = signed.replace('Subject: AMS', 'Subject: Re: AMS');

    const verdict = await authenticateSender(Buffer.from(tampered), 'jane@example.com', {
      resolver: fakeResolver(records),
    });

    expect(verdict).toMatchObject({ dkim: 'fail', dmarc: 'fail', aligned: false });
    expect(verdict.evidence).toContainEqual(expect.stringContaining('bad signature'));
  });

  it('is not aligned when the signing domain differs from the From domain', async () => {
    const message = buildMessage({ from: 'Jane Doe <jane@example.org>' });
    const raw = Buffer.from(await signMessage(message, key, 'example.com'));

    const verdict = await authenticateSender(raw, 'jane@example.org', {
      resolver: fakeResolver(records),
    });

    expect(verdict).toMatchObject({
      dkim: 'pass',
      dmarc: 'fail',
      fromDomain: 'example.org',
      aligned: false,
    });
  });

  it('aligns a subdomain signature under relaxed alignment', async () => {
    const raw = Buffer.from(await signMessage(buildMessage(), key, 'mail.example.com'));

    const verdict = await authenticateSender(raw, 'jane@example.com', {
      resolver: fakeResolver(records),
    });

    expect(verdict).toMatchObject({ dkim: 'pass', dmarc: 'pass', aligned: true });
  });

  it('does not align a subdomain signature when the domain asks for strict alignment', async () => {
    const message = buildMessage({ from: 'Jane Doe <jane@example.net>' });
    const raw = Buffer.from(await signMessage(message, key, 'mail.example.net'));

    const verdict = await authenticateSender(raw, 'jane@example.net', {
      resolver: fakeResolver(records),
    });

    expect(verdict).toMatchObject({ dkim: 'pass', dmarc: 'fail', aligned: false });
  });

  it('reports none for DKIM when the message is not signed', async () => {
    const raw = Buffer.from(buildMessage());

    const verdict = await authenticateSender(raw, 'jane@example.com', {
      resolver: fakeResolver(records),
    });

    expect(verdict).toMatchObject({ dkim: 'none', dmarc: 'fail', aligned: false });
  });

  it('gives temperror, never an exception, when every DNS lookup fails', async () => {
    const raw = Buffer.from(await signMessage(buildMessage(), key, 'example.com'));
    const broken: DnsResolver = async () => {
      throw new Error('connection refused');
    };

    const verdict = await authenticateSender(raw, 'jane@example.com', { resolver: broken });

    expect(verdict).toMatchObject({ dkim: 'temperror', dmarc: 'temperror', aligned: false });
    expect(isDmarcFail(verdict)).toBe(false);
  });

  it('gives temperror at the deadline when DNS never answers', async () => {
    const raw = Buffer.from(await signMessage(buildMessage(), key, 'example.com'));
    const silent: DnsResolver = () => new Promise(() => undefined);
    const started = Date.now();

    const verdict = await authenticateSender(raw, 'jane@example.com', {
      resolver: silent,
      timeoutMs: 100,
    });

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(verdict).toMatchObject({ dkim: 'temperror', dmarc: 'temperror', spf: 'temperror' });
    expect(verdict.evidence).toContain('sender authentication passed its 100 ms deadline');
  });

  it('checks SPF when the client IP is known and lets an SPF pass align DMARC', async () => {
    const raw = Buffer.from(buildMessage());

    const verdict = await authenticateSender(raw, 'jane@example.com', {
      resolver: fakeResolver(records),
      clientIp: '192.0.2.10',
      mailFrom: 'jane@example.com',
    });

    expect(verdict).toMatchObject({ spf: 'pass', dkim: 'none', dmarc: 'pass', aligned: true });
  });

  it('fails SPF for a client the domain does not list', async () => {
    const raw = Buffer.from(buildMessage());

    const verdict = await authenticateSender(raw, 'jane@example.com', {
      resolver: fakeResolver(records),
      clientIp: '198.51.100.7',
      mailFrom: 'jane@example.com',
    });

    expect(verdict).toMatchObject({ spf: 'fail', dmarc: 'fail', aligned: false });
  });

  it('has nothing to check without a From address', async () => {
    const resolver = fakeResolver(records);

    const verdict = await authenticateSender(Buffer.from(buildMessage()), null, { resolver });

    expect(verdict).toMatchObject({
      source: 'none',
      dkim: 'none',
      spf: 'none',
      dmarc: 'none',
      fromDomain: null,
      aligned: false,
    });
    expect(resolver.lookups).toEqual([]);
  });
});

describe('authenticateSender with our Authentication-Results header', () => {
  const ourHeader =
    `Authentication-Results: ${OUR_ID}; dkim=pass header.d=example.com;` +
    ' spf=pass smtp.mailfrom=jane@example.com; dmarc=pass header.from=example.com';

  it('uses the header and looks nothing up', async () => {
    const resolver = fakeResolver(records);
    const raw = Buffer.from(buildMessage({ extraHeaders: [ourHeader] }));

    const verdict = await authenticateSender(raw, 'jane@example.com', {
      authservId: OUR_ID,
      resolver,
    });

    expect(verdict).toMatchObject({
      source: 'authentication-results',
      dmarc: 'pass',
      spf: 'pass',
      dkim: 'pass',
      aligned: true,
    });
    expect(resolver.lookups).toEqual([]);
  });

  it('judges alignment against the given From address, not the header alone', async () => {
    const raw = Buffer.from(buildMessage({ extraHeaders: [ourHeader] }));

    const verdict = await authenticateSender(raw, 'jane@example.org', {
      authservId: OUR_ID,
      resolver: fakeResolver(records),
    });

    expect(verdict).toMatchObject({ dmarc: 'pass', fromDomain: 'example.org', aligned: false });
  });

  it('checks the message itself when only a foreign server vouches for it', async () => {
    const forged = 'Authentication-Results: mx.evil.example; dmarc=pass header.from=example.com';
    const raw = Buffer.from(buildMessage({ extraHeaders: [forged] }));

    const verdict = await authenticateSender(raw, 'jane@example.com', {
      authservId: OUR_ID,
      resolver: fakeResolver(records),
    });

    expect(verdict).toMatchObject({ source: 'verified', dkim: 'none', dmarc: 'fail' });
    expect(verdict.evidence).toEqual(
      expect.arrayContaining([
        `no Authentication-Results from ${OUR_ID}; checked here`,
        'ignored Authentication-Results from mx.evil.example (not our server)',
      ]),
    );
  });
});
