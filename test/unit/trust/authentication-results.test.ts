import { isDmarcFail, parseAuthenticationResults } from '../../../src/trust';
import { buildMessage } from './factories';

const OUR_ID = 'mx.ams-support.example';

function withHeaders(...headers: string[]): string {
  return buildMessage({ extraHeaders: headers });
}

describe('parseAuthenticationResults', () => {
  it('reads every method of our header', () => {
    const raw = withHeaders(
      `Authentication-Results: ${OUR_ID}; dkim=pass header.d=example.com header.s=sel;` +
        ' spf=pass smtp.mailfrom=jane@example.com; dmarc=pass header.from=example.com',
    );

    const verdict = parseAuthenticationResults(raw, OUR_ID);

    expect(verdict).toMatchObject({
      source: 'authentication-results',
      dkim: 'pass',
      spf: 'pass',
      dmarc: 'pass',
      fromDomain: 'example.com',
      aligned: true,
    });
    expect(verdict?.evidence).toContain(
      `Authentication-Results from ${OUR_ID}: dmarc=pass header.from=example.com`,
    );
  });

  it('returns null when only foreign servers wrote the header', () => {
    const raw = withHeaders(
      'Authentication-Results: mx.evil.example; dmarc=pass header.from=example.com',
    );

    expect(parseAuthenticationResults(raw, OUR_ID)).toBeNull();
  });

  it('ignores a foreign header above ours and records it', () => {
    const raw = withHeaders(
      'Authentication-Results: mx.evil.example; dmarc=pass header.from=example.com',
      `Authentication-Results: ${OUR_ID}; dmarc=fail header.from=example.com`,
    );

    const verdict = parseAuthenticationResults(raw, OUR_ID);

    expect(verdict).toMatchObject({ dmarc: 'fail', aligned: false });
    expect(verdict?.evidence).toContain(
      'ignored Authentication-Results from mx.evil.example (not our server)',
    );
  });

  it('lets the topmost of our headers win over a lower forged one', () => {
    const raw = withHeaders(
      `Authentication-Results: ${OUR_ID}; dmarc=fail header.from=example.com`,
      `Authentication-Results: ${OUR_ID}; dmarc=pass header.from=example.com`,
    );

    const verdict = parseAuthenticationResults(raw, OUR_ID);

    expect(verdict?.dmarc).toBe('fail');
    expect(verdict?.evidence).toContain(`ignored a lower Authentication-Results from ${OUR_ID}`);
  });

  it('matches the authserv-id without regard to case and skips a version number', () => {
    const raw = withHeaders(
      'Authentication-Results: MX.AMS-Support.Example 1; dmarc=pass header.from=example.com',
    );

    expect(parseAuthenticationResults(raw, OUR_ID)?.aligned).toBe(true);
  });

  it('does not accept an id that merely starts with ours', () => {
    const raw = withHeaders(
      `Authentication-Results: ${OUR_ID}.evil.example; dmarc=pass header.from=example.com`,
    );

    expect(parseAuthenticationResults(raw, OUR_ID)).toBeNull();
  });

  it('skips comments, even ones holding ";" "=" and nested parentheses', () => {
    const raw = withHeaders(
      `Authentication-Results: ${OUR_ID} (postfix; dmarc=pass);` +
        ' dmarc=fail (p=reject; sp=none (strict) dis=none) header.from=example.com',
    );

    const verdict = parseAuthenticationResults(raw, OUR_ID);

    expect(verdict).toMatchObject({ dmarc: 'fail', aligned: false });
  });

  it('unfolds a header spread over several lines', () => {
    const raw = withHeaders(
      `Authentication-Results: ${OUR_ID};\r\n\tdkim=pass\r\n header.d=example.com;\r\n` +
        '  spf=softfail smtp.mailfrom=example.com;\r\n dmarc=pass\r\n   header.from=example.com',
    );

    const verdict = parseAuthenticationResults(raw, OUR_ID);

    expect(verdict).toMatchObject({ dkim: 'pass', spf: 'softfail', dmarc: 'pass', aligned: true });
  });

  it('reads quoted values, even ones holding ";"', () => {
    const raw = withHeaders(
      `Authentication-Results: ${OUR_ID}; dkim=fail reason="bad; very bad" header.d=example.com;` +
        ' dmarc=pass header.from="example.com"',
    );

    const verdict = parseAuthenticationResults(raw, OUR_ID);

    expect(verdict).toMatchObject({ dkim: 'fail', dmarc: 'pass', aligned: true });
  });

  it('treats "none" as no result for every method', () => {
    const raw = withHeaders(`Authentication-Results: ${OUR_ID}; none`);

    const verdict = parseAuthenticationResults(raw, OUR_ID);

    expect(verdict).toMatchObject({ dkim: 'none', spf: 'none', dmarc: 'none', aligned: false });
  });

  it('marks dmarc=fail as never approvable', () => {
    const raw = withHeaders(
      `Authentication-Results: ${OUR_ID}; dmarc=fail header.from=example.com`,
    );

    const verdict = parseAuthenticationResults(raw, OUR_ID);

    expect(verdict && isDmarcFail(verdict)).toBe(true);
  });

  it('is not aligned when DMARC passed for another domain than the From domain', () => {
    const raw = withHeaders(
      `Authentication-Results: ${OUR_ID}; dmarc=pass header.from=other.example`,
    );

    const verdict = parseAuthenticationResults(raw, OUR_ID);

    expect(verdict).toMatchObject({ dmarc: 'pass', aligned: false });
  });

  it('counts one passing DKIM signature but lets any DMARC failure spoil a pass', () => {
    const raw = withHeaders(
      `Authentication-Results: ${OUR_ID}; dkim=fail header.d=list.example;` +
        ' dkim=pass header.d=example.com; dmarc=pass header.from=example.com;' +
        ' dmarc=fail header.from=example.com',
    );

    const verdict = parseAuthenticationResults(raw, OUR_ID);

    expect(verdict).toMatchObject({ dkim: 'pass', dmarc: 'fail', aligned: false });
  });

  it('reads old and unknown result words safely', () => {
    const raw = withHeaders(
      `Authentication-Results: ${OUR_ID}; spf=hardfail; dkim=temperr; dmarc=constructor`,
    );

    const verdict = parseAuthenticationResults(raw, OUR_ID);

    expect(verdict).toMatchObject({ spf: 'fail', dkim: 'temperror', dmarc: 'neutral' });
  });

  it('is not aligned when the From header hides a second address in its display name', () => {
    const raw = buildMessage({
      from: 'boss@example.com <mallory@example.com>',
      extraHeaders: [`Authentication-Results: ${OUR_ID}; dmarc=pass header.from=example.com`],
    });

    const verdict = parseAuthenticationResults(raw, OUR_ID);

    expect(verdict).toMatchObject({ dmarc: 'pass', fromDomain: null, aligned: false });
  });

  it('is not aligned when the message has two From headers', () => {
    const raw = withHeaders(
      'From: mallory@evil.example',
      `Authentication-Results: ${OUR_ID}; dmarc=pass header.from=example.com`,
    );

    expect(parseAuthenticationResults(raw, OUR_ID)?.aligned).toBe(false);
  });

  it('never reads a look-alike header from the body', () => {
    const raw = buildMessage({
      body: `Authentication-Results: ${OUR_ID}; dmarc=pass header.from=example.com\r\n`,
    });

    expect(parseAuthenticationResults(Buffer.from(raw), OUR_ID)).toBeNull();
  });

  it('keeps evidence on one line even when the header carries control characters', () => {
    const raw = withHeaders(
      `Authentication-Results: ${OUR_ID}; dmarc=pass header.from=example.com policy.x=a\u0000b`,
    );

    const evidence = parseAuthenticationResults(raw, OUR_ID)?.evidence ?? [];

    expect(evidence.join('')).not.toMatch(/[\u0000-\u001f]/);
  });

  it.each<[string, string]>([
    ['a long key run', 'a'],
    ['escaped quotes that never close', '"\\'],
    ['unbalanced comments', '(('],
    ['key = value fragments', 'a= "'],
  ])('reads a 200 kB header of %s in linear time', (_label, unit) => {
    const value = unit.repeat(200_000 / unit.length);
    const raw = buildMessage({
      from: `"${value}" <jane@example.com>`,
      extraHeaders: [`Authentication-Results: ${OUR_ID}; dkim${value}`],
    });
    const started = Date.now();

    parseAuthenticationResults(raw, OUR_ID);

    expect(Date.now() - started).toBeLessThan(500);
  });
});
