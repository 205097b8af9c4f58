import type { AppError } from '../../../src/errors';
import { buildMessage } from '../../../src/notify/message';
import { createSmtpSender, type SmtpSender } from '../../../src/notify/smtp-sender';
import {
  closedPort,
  headerValue,
  messageInput,
  SmtpReplyError,
  startSmtpServer,
  type SmtpBehaviour,
  type TestSmtpServer,
} from './factories';

let server: TestSmtpServer | null = null;
let sender: SmtpSender | null = null;

async function setUp(behaviour: SmtpBehaviour = {}, timeoutMs = 5000): Promise<SmtpSender> {
  server = await startSmtpServer(behaviour);
  sender = createSmtpSender(server.url, { timeoutMs });
  return sender;
}

async function failureOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected the send to fail');
}

afterEach(async () => {
  sender?.close();
  await server?.close();
  sender = null;
  server = null;
});

describe('createSmtpSender send', () => {
  it('delivers the message with our Message-ID and threading headers', async () => {
    const smtp = await setUp();
    const mail = buildMessage(messageInput({ messageId: 'row-7.unlock-desk@ams.example' }));

    const result = await smtp.send(mail);

    expect(result.messageId).toBe('row-7.unlock-desk@ams.example');
    expect(result.response).toMatch(/^250/);
    expect(server?.received).toHaveLength(1);
    const raw = server?.received[0] ?? '';
    expect(headerValue(raw, 'Message-ID')).toBe('<row-7.unlock-desk@ams.example>');
    expect(headerValue(raw, 'In-Reply-To')).toBe('<user-1@customer.example>');
    expect(headerValue(raw, 'Auto-Submitted')).toBe('auto-replied');
  });

  it('sends a resend with the same Message-ID', async () => {
    const smtp = await setUp();
    const mail = buildMessage(messageInput());

    await smtp.send(mail);
    await smtp.send(buildMessage(messageInput()));

    const ids = server?.received.map((raw) => headerValue(raw, 'Message-ID'));
    expect(ids).toEqual([ids?.[0], ids?.[0]]);
  });

  it('fails SMTP_PERMANENT when the server refuses the recipient with 550', async () => {
    const smtp = await setUp({
      onRcptTo: (_address, callback) => callback(new SmtpReplyError(550, 'No such user')),
    });

    const err = await failureOf(smtp.send(buildMessage(messageInput())));

    expect(err.code).toBe('SMTP_PERMANENT');
    expect(err.details).toMatchObject({ responseCode: 550, command: 'RCPT TO', dataSent: false });
  });

  it('fails SMTP_TRANSIENT when the server defers the recipient with 451', async () => {
    const smtp = await setUp({
      onRcptTo: (_address, callback) => callback(new SmtpReplyError(451, 'Try again later')),
    });

    const err = await failureOf(smtp.send(buildMessage(messageInput())));

    expect(err.code).toBe('SMTP_TRANSIENT');
    expect(err.details).toMatchObject({ responseCode: 451 });
  });

  it('fails SMTP_PERMANENT when the server refuses the message data with 554', async () => {
    const smtp = await setUp({
      afterData: (callback) => callback(new SmtpReplyError(554, 'Message refused')),
    });

    const err = await failureOf(smtp.send(buildMessage(messageInput())));

    expect(err.code).toBe('SMTP_PERMANENT');
    expect(err.details).toMatchObject({ responseCode: 554, command: 'DATA', dataSent: true });
  });

  it('fails SMTP_TRANSIENT when the server answers the message data with 451', async () => {
    const smtp = await setUp({
      afterData: (callback) => callback(new SmtpReplyError(451, 'Local problem')),
    });

    const err = await failureOf(smtp.send(buildMessage(messageInput())));

    expect(err.code).toBe('SMTP_TRANSIENT');
  });

  it('fails SMTP_UNCERTAIN when the server drops the connection after the data, before replying', async () => {
    const smtp = await setUp({ afterData: (_callback, self) => self.dropConnections() });

    const err = await failureOf(smtp.send(buildMessage(messageInput())));

    expect(err.code).toBe('SMTP_UNCERTAIN');
    expect(err.details).toMatchObject({ dataSent: true });
  });

  it('fails SMTP_UNCERTAIN when no reply to the data comes before the deadline', async () => {
    const smtp = await setUp({ afterData: () => undefined }, 300);

    const err = await failureOf(smtp.send(buildMessage(messageInput())));

    expect(err.code).toBe('SMTP_UNCERTAIN');
    expect(err.details).toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('fails SMTP_TRANSIENT when the server drops the connection before the data', async () => {
    const smtp = await setUp({ onRcptTo: () => server?.dropConnections() });

    const err = await failureOf(smtp.send(buildMessage(messageInput())));

    expect(err.code).toBe('SMTP_TRANSIENT');
    expect(err.details).toMatchObject({ dataSent: false });
  });

  it('fails SMTP_TRANSIENT when the connection is refused', async () => {
    sender = createSmtpSender(`smtp://127.0.0.1:${await closedPort()}`, { timeoutMs: 2000 });

    const err = await failureOf(sender.send(buildMessage(messageInput())));

    expect(err.code).toBe('SMTP_TRANSIENT');
    expect(err.details).toMatchObject({ dataSent: false });
  });
});

describe('createSmtpSender close', () => {
  it('settles a send waiting on the envelope with SHUTDOWN', async () => {
    const smtp = await setUp({ onRcptTo: () => undefined });
    const sending = failureOf(smtp.send(buildMessage(messageInput())));
    await new Promise((resolve) => setTimeout(resolve, 200));

    smtp.close();

    expect((await sending).code).toBe('SHUTDOWN');
  });

  it('settles a send whose data went out as SMTP_UNCERTAIN', async () => {
    const smtp = await setUp({ afterData: () => undefined });
    const sending = failureOf(smtp.send(buildMessage(messageInput())));
    await server?.dataReceived;

    smtp.close();

    expect((await sending).code).toBe('SMTP_UNCERTAIN');
  });

  it('refuses sends after close', async () => {
    const smtp = await setUp();
    smtp.close();

    const err = await failureOf(smtp.send(buildMessage(messageInput())));

    expect(err.code).toBe('SHUTDOWN');
    expect(server?.received).toHaveLength(0);
  });
});

describe('createSmtpSender verify', () => {
  it('resolves against a live server', async () => {
    const smtp = await setUp();

    await expect(smtp.verify()).resolves.toBeUndefined();
  });

  it('fails SMTP_TRANSIENT when nothing listens', async () => {
    sender = createSmtpSender(`smtp://127.0.0.1:${await closedPort()}`, { timeoutMs: 2000 });

    const err = await failureOf(sender.verify());

    expect(err.code).toBe('SMTP_TRANSIENT');
  });
});

describe('createSmtpSender settings', () => {
  it('refuses a URL that is not smtp:// or smtps:// without echoing its password', () => {
    expect(() => createSmtpSender('http://user:secret@mail.example:25')).toThrow(/smtp:\/\//);
    expect(() => createSmtpSender('http://user:secret@mail.example:25')).not.toThrow(/secret/);
  });
});
