import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { hasCode } from '../../../src/errors';
import { buildMessage, cleanMessageId, MAX_REFERENCES } from '../../../src/notify/message';
import { headerValue, messageInput } from './factories';

async function rawOf(mail: Mail.Options): Promise<string> {
  return (await new MailComposer(mail).compile().build()).toString('utf8');
}

describe('buildMessage', () => {
  it('fixes the Message-ID from the input', async () => {
    const mail = buildMessage(messageInput({ messageId: 'abc.unlock-desk@ams.example' }));

    const raw = await rawOf(mail);

    expect(headerValue(raw, 'Message-ID')).toBe('<abc.unlock-desk@ams.example>');
  });

  it('gives the same Message-ID every time the same row is built', async () => {
    const first = await rawOf(buildMessage(messageInput()));
    const second = await rawOf(buildMessage(messageInput()));

    expect(headerValue(second, 'Message-ID')).toBe(headerValue(first, 'Message-ID'));
  });

  it('threads the reply with In-Reply-To and References in angle brackets', async () => {
    const mail = buildMessage(
      messageInput({
        inReplyTo: 'user-2@customer.example',
        references: ['<user-1@customer.example>', 'user-2@customer.example'],
      }),
    );

    const raw = await rawOf(mail);

    expect(headerValue(raw, 'In-Reply-To')).toBe('<user-2@customer.example>');
    expect(headerValue(raw, 'References')).toBe(
      '<user-1@customer.example> <user-2@customer.example>',
    );
  });

  it('ends References with the message answered even when the list lacks it', () => {
    const mail = buildMessage(
      messageInput({ inReplyTo: 'b@x.example', references: ['a@x.example'] }),
    );

    expect(mail.references).toEqual(['<a@x.example>', '<b@x.example>']);
  });

  it('keeps only the newest references', () => {
    const references = Array.from({ length: 25 }, (_, i) => `m${i}@x.example`);

    const mail = buildMessage(messageInput({ inReplyTo: null, references }));

    expect(mail.references).toHaveLength(MAX_REFERENCES);
    expect(mail.references).toContain('<m24@x.example>');
    expect(mail.references).not.toContain('<m0@x.example>');
  });

  it('drops an unusable id from another mail system instead of failing', () => {
    const mail = buildMessage(
      messageInput({ inReplyTo: 'no id here\r\nBcc: x@y', references: ['<ok@x.example>'] }),
    );

    expect(mail.inReplyTo).toBeUndefined();
    expect(mail.references).toEqual(['<ok@x.example>']);
  });

  it('leaves out threading headers for a first message', async () => {
    const raw = await rawOf(buildMessage(messageInput({ inReplyTo: null, references: [] })));

    expect(headerValue(raw, 'In-Reply-To')).toBeUndefined();
    expect(headerValue(raw, 'References')).toBeUndefined();
  });

  it('marks automatic replies with Auto-Submitted and suppresses auto-responses', async () => {
    const raw = await rawOf(buildMessage(messageInput({ autoSubmitted: true })));

    expect(headerValue(raw, 'Auto-Submitted')).toBe('auto-replied');
    expect(headerValue(raw, 'X-Auto-Response-Suppress')).toBe('All');
    expect(headerValue(raw, 'Precedence')).toBeUndefined();
  });

  it('leaves Auto-Submitted off an email a person decided to send', async () => {
    const raw = await rawOf(buildMessage(messageInput({ autoSubmitted: false })));

    expect(headerValue(raw, 'Auto-Submitted')).toBeUndefined();
    expect(headerValue(raw, 'X-Auto-Response-Suppress')).toBe('All');
  });

  it('keeps CR/LF in the subject and sender name from starting a header', async () => {
    const mail = buildMessage(
      messageInput({
        subject: 'AMS Account Unlock Request [AMS-1]\r\nBcc: victim@example.com',
        from: { name: 'AMS Support\r\nX-Evil: 1', address: 'support@ams.example' },
      }),
    );

    const raw = await rawOf(mail);

    expect(headerValue(raw, 'Bcc')).toBeUndefined();
    expect(headerValue(raw, 'X-Evil')).toBeUndefined();
    expect(headerValue(raw, 'Subject')).toBe(
      'AMS Account Unlock Request [AMS-1] Bcc: victim@example.com',
    );
  });

  it('addresses the one recipient given', async () => {
    const raw = await rawOf(buildMessage(messageInput({ to: 'jane.doe@customer.example' })));

    expect(headerValue(raw, 'To')).toBe('jane.doe@customer.example');
  });

  it.each([
    ['two addresses', 'a@x.example, b@y.example'],
    ['a display name', 'Jane <jane@x.example>'],
    ['a line break', 'jane@x.example\r\nBcc: b@y.example'],
    ['no domain', 'jane'],
  ])('refuses a recipient with %s', (_label, to) => {
    let caught: unknown;

    try {
      buildMessage(messageInput({ to }));
    } catch (err) {
      caught = err;
    }

    expect(hasCode(caught, 'INVALID_INPUT')).toBe(true);
  });

  it('refuses our own Message-ID in brackets or with spaces', () => {
    expect(() => buildMessage(messageInput({ messageId: '<a@b.example>' }))).toThrow(/Message-ID/);
    expect(() => buildMessage(messageInput({ messageId: 'a b@c.example' }))).toThrow(/Message-ID/);
  });
});

describe('cleanMessageId', () => {
  it('removes brackets and surrounding space', () => {
    expect(cleanMessageId('  <abc@x.example> ')).toBe('abc@x.example');
  });

  it('returns null for an id without @, with spaces, or with brackets inside', () => {
    expect(cleanMessageId('abc')).toBeNull();
    expect(cleanMessageId('<a b@x.example>')).toBeNull();
    expect(cleanMessageId('<a@x.example><b@y.example>')).toBeNull();
  });
});
