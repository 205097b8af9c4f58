import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runParseCommand } from '../../../src/mail/parse-command';

const dir = join(__dirname, '../../fixtures/corpus');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.eml'))
  .map((f) => join(dir, f));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('runParseCommand', () => {
  it('prints one JSON line per corpus file and exits 0', async () => {
    const { out, err, io } = capture();

    const code = await runParseCommand(
      files,
      { explain: false, supportAddress: 'support@ams-support.example' },
      io,
    );

    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toHaveLength(files.length);
    const first = JSON.parse(out[0]) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual([
      'file',
      'kind',
      'fullName',
      'registeredEmail',
      'description',
      'missing',
      'senderMatchesRegistered',
      'messageId',
      'from',
      'subject',
      'sources',
    ]);
  });

  it('adds reasons, sender, referenceTag and inReplyTo with --explain', async () => {
    const { out, io } = capture();
    const reply = files.find((f) => f.includes('025-'))!;

    await runParseCommand(
      [reply],
      { explain: true, supportAddress: 'support@ams-support.example' },
      io,
    );

    const line = JSON.parse(out[0]) as Record<string, unknown>;
    expect(line.kind).toBe('reply');
    expect(line.referenceTag).toBe('AMS-1042');
    expect(line.inReplyTo).toBe('ticket-1042.20250304091455.7f3a@ams-support.example');
    expect(line.reasons).toEqual(expect.arrayContaining(['subject carries reference AMS-1042']));
    expect(line.sender).toEqual({
      address: 'aisha.bello@example.com',
      displayName: 'Aisha Bello',
      problem: null,
    });
  });

  it('names an unreadable file, carries on and exits 1', async () => {
    const { out, err, io } = capture();

    const code = await runParseCommand(['/nonexistent/x.eml', files[0]], { explain: false }, io);

    expect(code).toBe(1);
    expect(err[0]).toMatch(/^\/nonexistent\/x\.eml: /);
    expect(out).toHaveLength(1);
  });
});
