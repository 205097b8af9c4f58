import { buildMessage, multipart, parse, squash } from './factories';
import { parseEmail } from '../../../src/mail';

function latin1(text: string): Buffer {
  return Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1');
}

function cp1252(text: string): Buffer {
  const map: Record<string, number> = {
    '’': 0x92,
    '‘': 0x91,
    '“': 0x93,
    '”': 0x94,
    '–': 0x96,
    '€': 0x80,
  };
  const bytes = [...text.replace(/\n/g, '\r\n')].map((c) => map[c] ?? c.charCodeAt(0));
  return Buffer.from(bytes);
}

describe('charset decoding', () => {
  it('reads a raw 8bit ISO-8859-1 body', async () => {
    const body = latin1(
      'Full name: Siân Llewellyn\nRegistered email: sian@example.com\nDescription: Locked out in Llandeilo after três attempts.\n',
    );

    const parsed = await parse({ contentType: 'text/plain; charset=ISO-8859-1', body });

    expect(parsed.fullName).toBe('Siân Llewellyn');
    expect(squash(parsed.description)).toContain('três attempts');
  });

  it('reads windows-1252 smart quotes and dashes', async () => {
    const body = cp1252(
      'Full name: Zoë O’Brien\nRegistered email: zoe@example.com\nDescription: It says “Account locked” – since 9am.\n',
    );

    const parsed = await parse({ contentType: 'text/plain; charset=windows-1252', body });

    expect(parsed.fullName).toBe('Zoë O’Brien');
    expect(parsed.description).toContain('“Account locked” – since 9am');
  });

  it('joins quoted-printable soft line breaks in ISO-8859-1', async () => {
    const body =
      'Full name: Jos=E9 =C1lvarez-N=FA=F1ez\nRegistered email: jose.alvarez@example.es\nDescription: Mi cuenta est=E1 bloqueada desde ayer, I tried my pass=\nword five times.\n';

    const parsed = await parse({
      contentType: 'text/plain; charset=iso-8859-1',
      transferEncoding: 'quoted-printable',
      body,
    });

    expect(parsed.fullName).toBe('José Álvarez-Núñez');
    expect(squash(parsed.description)).toContain('tried my password five times');
  });

  it('decodes base64 UTF-8 with a Japanese name', async () => {
    const text =
      'Full name: 佐藤 花子\r\nRegistered email: hanako.sato@example.jp\r\nDescription: ロックされました. Locked after password change.\r\n';
    const body = Buffer.from(text)
      .toString('base64')
      .replace(/(.{76})/g, '$1\r\n');

    const parsed = await parse({ transferEncoding: 'base64', body });

    expect(parsed.fullName).toBe('佐藤 花子');
    expect(parsed.registeredEmail).toBe('hanako.sato@example.jp');
  });

  it('decodes ISO-8859-2 for Polish names', async () => {
    const body = Buffer.from([
      ...Buffer.from('Full name: '),
      0xa3, // Ł
      ...Buffer.from('ukasz Wi'),
      0xb6, // ś
      ...Buffer.from('niewski\r\nRegistered email: lukasz@example.pl\r\nDescription: locked\r\n'),
    ]);

    const parsed = await parse({ contentType: 'text/plain; charset=iso-8859-2', body });

    expect(parsed.fullName).toBe('Łukasz Wiśniewski');
  });

  it('unwraps format=flowed text, including DelSp', async () => {
    const body =
      'Full name: Grace Liu\nRegistered email: grace.liu@example.org\nDescription: It says my account is locked after 5 failed \nattempts, but I only tried twice.\n';
    const delsp =
      'Full name: Grace Liu\nRegistered email: grace.liu@example.org\nDescription: It says my account is loc \nked after five attempts.\n';

    const flowed = await parse({ contentType: 'text/plain; charset=utf-8; format=flowed', body });
    const withDelSp = await parse({
      contentType: 'text/plain; charset=utf-8; format=flowed; delsp=yes',
      body: delsp,
    });

    expect(flowed.description).toContain('after 5 failed attempts, but I only tried twice');
    expect(withDelSp.description).toContain('my account is locked after five attempts');
  });

  it('decodes RFC 2047 words in Subject and From, joining split multi-byte words', async () => {
    const parsed = await parse({
      from: '=?UTF-8?B?U2nDom4gTGxld2VsbHlu?= <sian@example.com>',
      subject:
        '=?UTF-8?Q?AMS_Account_Unlock_Request_=E2=80=93_?= =?UTF-8?Q?Si=C3?= =?UTF-8?Q?=A2n?=',
      body: 'Registered email: sian@example.com\n',
    });

    expect(parsed.subject).toBe('AMS Account Unlock Request – Siân');
    expect(parsed.sender.displayName).toBe('Siân Llewellyn');
    expect(parsed.kind).toBe('unlock_request');
  });

  it('still reads a body in an unknown charset', async () => {
    const parsed = await parse({
      contentType: 'text/plain; charset=x-unknown-42',
      body: 'Full name: Jane Doe\nRegistered email: jane.doe@example.com\nDescription: locked\n',
    });

    expect(parsed.kind).toBe('unlock_request');
    expect(parsed.registeredEmail).toBe('jane.doe@example.com');
  });

  it('reads an HTML-only Latin-1 body with entities', async () => {
    const html = latin1(
      '<p>Full name: Siân Jones</p><p>Registered email: <a href="mailto:sian.jones@example.com">sian.jones@example.com</a></p><p>Description: I can&#39;t log in &ndash; locked.</p>',
    );

    const parsed = await parse({ contentType: 'text/html; charset=iso-8859-1', body: html });

    expect(parsed.fullName).toBe('Siân Jones');
    expect(parsed.registeredEmail).toBe('sian.jones@example.com');
    expect(parsed.description).toContain("can't log in – locked");
  });

  it('prefers the text part of multipart/alternative and falls back to HTML when it is empty', async () => {
    const body = multipart('b1', [
      ['text/plain; charset=utf-8', '7bit', '   '],
      [
        'text/html; charset=utf-8',
        '7bit',
        '<div>Name: Łukasz Nowak</div><div>Email: l.nowak@example.pl</div><div>Issue: locked out</div>',
      ],
    ]);

    const parsed = await parseEmail(
      buildMessage({ contentType: 'multipart/alternative; boundary="b1"', body }),
    );

    expect(parsed.fullName).toBe('Łukasz Nowak');
    expect(parsed.registeredEmail).toBe('l.nowak@example.pl');
  });

  it('repairs windows-1252 punctuation in a body labelled ISO-8859-1', async () => {
    const body = cp1252(
      'Full name: Zoë O’Brien\nRegistered email: zoe@example.com\nDescription: “locked” – again\n',
    );

    const parsed = await parse({ contentType: 'text/plain; charset=iso-8859-1', body });

    expect(parsed.fullName).toBe('Zoë O’Brien');
    expect(parsed.description).toBe('“locked” – again');
  });

  it('decodes an ISO-2022-JP body', async () => {
    const jis = '\x1b$B:4F#\x1b(B \x1b$B2V;R\x1b(B';
    const body = Buffer.from(
      `Full name: ${jis}\r\nRegistered email: hanako@example.jp\r\nDescription: locked\r\n`,
      'latin1',
    );

    const parsed = await parse({
      contentType: 'text/plain; charset=ISO-2022-JP',
      transferEncoding: '7bit',
      body,
    });

    expect(parsed.fullName).toBe('佐藤 花子');
  });

  it('decodes a Shift_JIS subject word and body', async () => {
    const sjis = Buffer.from([0x8d, 0xb2, 0x93, 0xa1, 0x20, 0x89, 0xd4, 0x8e, 0x71]);
    const body = Buffer.concat([
      Buffer.from('Full name: '),
      sjis,
      Buffer.from('\r\nDescription: locked\r\n'),
    ]);

    const parsed = await parse({
      subject: `AMS Account Unlock Request =?Shift_JIS?B?${sjis.toString('base64')}?=`,
      contentType: 'text/plain; charset=Shift_JIS',
      body,
    });

    expect(parsed.subject).toBe('AMS Account Unlock Request 佐藤 花子');
    expect(parsed.fullName).toBe('佐藤 花子');
  });
});
