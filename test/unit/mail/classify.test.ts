import { extractReferenceTag, matchesRequestSubject } from '../../../src/mail';
import { parse, SUPPORT } from './factories';

const REQUEST_BODY =
  'Full name: Jane Doe\nRegistered email: jane.doe@example.com\nDescription: locked\n';

describe('matchesRequestSubject', () => {
  it.each([
    'AMS Account Unlock Request',
    'ams account unlock request',
    '  AMS   Account\tUnlock  Request ',
    'URGENT: AMS Account Unlock Request for Jane Doe',
    'Re: AMS Account Unlock Request [AMS-1042]',
    'AMS Account Unlock-Request',
    'AMS\u00a0Account Unlock Request',
  ])('matches %j', (subject) => {
    expect(matchesRequestSubject(subject)).toBe(true);
  });

  it.each(['Account Unlock Request', 'AMS account locked', 'Unlock request', 'AMS Account Unlock'])(
    'does not match %j',
    (subject) => {
      expect(matchesRequestSubject(subject)).toBe(false);
    },
  );
});

describe('extractReferenceTag', () => {
  it.each([
    ['Re: AMS Account Unlock Request [AMS-1042]', 'AMS-1042'],
    ['AW: Your request AMS-77 was received', 'AMS-77'],
    ['re: [ams-5] more info', 'AMS-5'],
    ['AMS Account Unlock Request', null],
    ['DAMS-12 upgrade', null],
  ])('%j gives %j', (subject, tag) => {
    expect(extractReferenceTag(subject)).toBe(tag);
  });
});

describe('auto replies', () => {
  it.each([
    'Automatic reply: AMS Account Unlock Request',
    'Auto Reply: AMS Account Unlock Request',
    'Autoreply: AMS Account Unlock Request',
    'Out of Office: AMS Account Unlock Request',
    'Out of office reply: AMS Account Unlock Request',
    'OOO: AMS Account Unlock Request',
    'Automatische Antwort: AMS Account Unlock Request',
    'Abwesenheitsnotiz: AMS Account Unlock Request',
    'Réponse automatique : AMS Account Unlock Request',
    'Absence du bureau : AMS Account Unlock Request',
    'Respuesta automática: AMS Account Unlock Request',
    'Fuera de la oficina: AMS Account Unlock Request',
    'Risposta automatica: AMS Account Unlock Request',
    'Automatisch antwoord: AMS Account Unlock Request',
    'Afwezig: AMS Account Unlock Request',
    'Automatiskt svar: AMS Account Unlock Request',
    'Autosvar: AMS Account Unlock Request',
    'Resposta automática: AMS Account Unlock Request',
    'Automatyczna odpowiedź: AMS Account Unlock Request',
    'RE: Automatic reply: AMS Account Unlock Request',
  ])('recognises the subject %j', async (subject) => {
    const parsed = await parse({ subject, body: REQUEST_BODY });

    expect(parsed.kind).toBe('auto_reply');
    expect(parsed.autoSubmitted).toBe(true);
    expect(parsed.fullName).toBeNull();
  });

  it.each([
    ['Auto-Submitted: auto-replied', 'header Auto-Submitted: auto-replied'],
    ['Auto-Submitted: auto-generated; type=vacation', 'header Auto-Submitted: auto-generated'],
    ['X-Autoreply: yes', 'header x-autoreply'],
    ['X-Autorespond: 1', 'header x-autorespond'],
    ['Precedence: auto_reply', 'header precedence: auto_reply'],
  ])('recognises the header %j', async (header, reason) => {
    const parsed = await parse({ subject: 'Re: AMS Account Unlock Request', headers: [header] });

    expect(parsed.kind).toBe('auto_reply');
    expect(parsed.reasons).toContain(reason);
  });

  it('does not treat Auto-Submitted: no as automatic', async () => {
    const parsed = await parse({ headers: ['Auto-Submitted: no'], body: REQUEST_BODY });

    expect(parsed.kind).toBe('unlock_request');
    expect(parsed.autoSubmitted).toBe(false);
  });
});

describe('bounces', () => {
  it('recognises a plain-text bounce from MAILER-DAEMON', async () => {
    const parsed = await parse({
      from: 'Mail Delivery Subsystem <MAILER-DAEMON@mail.example.com>',
      subject: 'Mail delivery failed: returning message to sender',
      body: 'This message was created automatically by mail delivery software.\n',
    });

    expect(parsed.kind).toBe('bounce');
    expect(parsed.reasons).toContain('sender mailer-daemon');
  });

  it('recognises an Exchange NDR from postmaster', async () => {
    const parsed = await parse({
      from: 'postmaster@corp.example',
      subject: 'Undeliverable: AMS Account Unlock Request',
      body: 'Delivery has failed to these recipients or groups.\n',
    });

    expect(parsed.kind).toBe('bounce');
  });

  it('recognises a null return path', async () => {
    const raw = await parse({ headers: [], subject: 'Delivery Status Notification (Failure)' });
    const nullPath = await parse({ subject: 'Returned message', returnPath: '<>' });

    expect(raw.kind).toBe('bounce');
    expect(nullPath.kind).toBe('bounce');
    expect(nullPath.nullReturnPath).toBe(true);
    expect(nullPath.returnPath).toBeNull();
  });

  it('lets a bounce outrank an auto reply', async () => {
    const parsed = await parse({
      from: 'MAILER-DAEMON@mx.example.net',
      subject: 'Automatic reply: Undelivered Mail',
      headers: ['Auto-Submitted: auto-replied'],
    });

    expect(parsed.kind).toBe('bounce');
  });

  it('recognises a multipart/report delivery-status without a daemon sender', async () => {
    const body =
      '--r\nContent-Type: text/plain\n\nfailed\n--r\nContent-Type: message/delivery-status\n\nAction: failed\nStatus: 5.1.1\n--r--\n';

    const parsed = await parse({
      from: 'Mail System <mail@mx.example.net>',
      subject: 'Delivery report',
      contentType: 'multipart/report; report-type=delivery-status; boundary="r"',
      body,
    });

    expect(parsed.kind).toBe('bounce');
  });
});

describe('bulk mail', () => {
  it.each([
    'Precedence: bulk',
    'Precedence: list',
    'Precedence: junk',
    'List-Id: <news.example.com>',
    'List-Unsubscribe: <mailto:u@example.com>',
  ])('ignores request-subject mail with %j', async (header) => {
    const parsed = await parse({ headers: [header], body: REQUEST_BODY });

    expect(parsed.kind).toBe('ignored');
    expect(parsed.bulk).toBe(true);
  });
});

describe('loops, replies and requests', () => {
  it('ignores mail from our own address', async () => {
    const parsed = await parse({ from: `AMS Support <${SUPPORT}>`, body: REQUEST_BODY });

    expect(parsed.kind).toBe('ignored');
    expect(parsed.reasons).toEqual(['from our own address']);
  });

  it('recognises a reply by our reference tag', async () => {
    const parsed = await parse({ subject: 'AW: AMS Account Unlock Request [AMS-1042]' });

    expect(parsed.kind).toBe('reply');
    expect(parsed.referenceTag).toBe('AMS-1042');
  });

  it('recognises a reply by In-Reply-To when the store knows the id', async () => {
    const spec = {
      subject: 'SV: AMS Account Unlock Request',
      headers: [
        'In-Reply-To: <ack-7@ams-support.example>',
        'References: <ack-7@ams-support.example>',
      ],
    };

    const known = await parse(spec, { supportAddress: SUPPORT, knownMessageIds: () => true });
    const unknown = await parse(spec, { supportAddress: SUPPORT, knownMessageIds: () => false });

    expect(known.kind).toBe('reply');
    expect(known.inReplyTo).toBe('ack-7@ams-support.example');
    expect(unknown.kind).toBe('unlock_request');
  });

  it('treats Re: on an unknown thread as a new request', async () => {
    const parsed = await parse({ subject: 'Re: AMS Account Unlock Request', body: REQUEST_BODY });

    expect(parsed.kind).toBe('unlock_request');
  });

  it('treats a forward as a request', async () => {
    const parsed = await parse({ subject: 'Fwd: AMS Account Unlock Request', body: REQUEST_BODY });

    expect(parsed.kind).toBe('unlock_request');
  });

  it('ignores mail without the phrase', async () => {
    const parsed = await parse({ subject: 'Account locked', body: REQUEST_BODY });

    expect(parsed.kind).toBe('ignored');
    expect(parsed.fullName).toBeNull();
    expect(parsed.missing).toEqual([]);
  });

  it('records the headers it does not trust', async () => {
    const parsed = await parse({
      headers: ['Reply-To: Someone <Other@Example.com>', 'Sender: relay@example.org'],
      body: REQUEST_BODY,
    });

    expect(parsed.replyTo).toBe('other@example.com');
    expect(parsed.senderHeader).toBe('relay@example.org');
    expect(parsed.returnPath).toBe('jane.doe@example.com');
    expect(parsed.date).toBe('2025-03-03T09:12:31.000Z');
    expect(parsed.messageId).toBe('test.1@mail.example.com');
  });
});

describe('strict From', () => {
  it.each([
    [['a@example.com', 'b@example.com'], 'several From headers'],
    ['Team: a@example.com, b@example.com;', 'group syntax'],
    ['a@example.com, b@example.com', 'several mailboxes'],
    ['"ceo@bank.example" <attacker@evil.example>', 'display name contains another address'],
    [null, 'no From'],
    ['Jane Doe', 'no valid address'],
  ])('gives no address for %j (%s)', async (from, problem) => {
    const parsed = await parse({ from, body: REQUEST_BODY });

    expect(parsed.from).toBeNull();
    expect(parsed.sender.problem).toBe(problem);
    expect(parsed.senderMatchesRegistered).toBe(false);
  });

  it.each([
    ['"Doe, Jane" <Jane.Doe@Example.com>', 'jane.doe@example.com', 'Doe, Jane'],
    ['jane.doe@example.com (Jane Doe)', 'jane.doe@example.com', 'Jane Doe'],
    [
      '"jane.doe@example.com" <jane.doe@example.com>',
      'jane.doe@example.com',
      'jane.doe@example.com',
    ],
    ['=?UTF-8?B?Wm/DqyBPJ0JyaWVu?= <zoe@example.com>', 'zoe@example.com', "Zoë O'Brien"],
  ])('reads %j', async (from, address, displayName) => {
    const parsed = await parse({ from, body: REQUEST_BODY });

    expect(parsed.from).toBe(address);
    expect(parsed.sender).toEqual({ address, displayName, problem: null });
  });
});

describe('more automatic answers', () => {
  it.each(['自動応答：AMS Account Unlock Request', 'Auto: AMS Account Unlock Request'])(
    'recognises %j',
    async (subject) => {
      const parsed = await parse({ subject, body: REQUEST_BODY });

      expect(parsed.kind).toBe('auto_reply');
    },
  );

  it.each([
    'Message not delivered',
    'failure notice',
    'Returned mail: see transcript for details',
    'Unzustellbar: AMS Account Unlock Request',
  ])('recognises the bounce subject %j', async (subject) => {
    const parsed = await parse({ subject, returnPath: '<>' });

    expect(parsed.kind).toBe('bounce');
  });

  it('reads an auto reply sent from the null path as an auto reply (RFC 3834)', async () => {
    const parsed = await parse({
      subject: 'Out of Office: AMS Account Unlock Request',
      returnPath: '<>',
      headers: ['Auto-Submitted: auto-replied (vacation)'],
    });

    expect(parsed.kind).toBe('auto_reply');
    expect(parsed.reasons).toContain('header Auto-Submitted: auto-replied');
  });
});
