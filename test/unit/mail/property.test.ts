import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseEmail } from '../../../src/mail';
import type { ParsedEmail } from '../../../src/mail';
import { buildMessage, CTX } from './factories';

/*
 * Malformed mail must never crash or hang the worker: every mutated message yields a kind
 * within a time bound. The deadline given to the parser is generous; the bound we assert is
 * what a worker can afford per message.
 */

const KINDS = ['unlock_request', 'reply', 'auto_reply', 'bounce', 'ignored'];
const BOUND_MS = 2_000;

const corpusDir = join(__dirname, '../../fixtures/corpus');
const seeds: Buffer[] = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.eml'))
  .map((f) => readFileSync(join(corpusDir, f)));

type Mutation = (raw: Buffer) => Buffer;

const truncate =
  (at: number): Mutation =>
  (raw) =>
    raw.subarray(0, Math.floor(raw.length * at));
const nulBytes =
  (at: number): Mutation =>
  (raw) => {
    const copy = Buffer.from(raw);
    for (let i = Math.floor(copy.length * at); i < copy.length; i += 7) copy[i] = 0;
    return copy;
  };
const badBase64: Mutation = (raw) =>
  Buffer.from(
    raw
      .toString('latin1')
      .replace(/Content-Transfer-Encoding: [\w-]+/gi, 'Content-Transfer-Encoding: base64')
      .replace(/\r\n\r\n/, '\r\n\r\n!!@@##==**%%\u00ff\u00fe'),
    'latin1',
  );
const unknownCharset: Mutation = (raw) =>
  Buffer.from(
    raw.toString('latin1').replace(/charset="?[\w-]+"?/gi, 'charset=x-no-such-42'),
    'latin1',
  );
const longHeader: Mutation = (raw) =>
  Buffer.concat([Buffer.from(`X-Long: ${'a'.repeat(100 * 1024)}\r\n`), raw]);
const noClosingBoundary: Mutation = (raw) =>
  Buffer.from(raw.toString('latin1').replace(/\r\n--[^\r\n]+--\s*$/, '\r\n'), 'latin1');
const flipBytes =
  (seed: number): Mutation =>
  (raw) => {
    const copy = Buffer.from(raw);
    for (let i = seed % 97; i < copy.length; i += 97) copy[i] = (copy[i] + seed) & 0xff;
    return copy;
  };

function manyParts(count: number): Buffer {
  const part = '--p\r\nContent-Type: text/plain\r\n\r\nx\r\n';
  return buildMessage({
    contentType: 'multipart/mixed; boundary="p"',
    body: Buffer.from(part.repeat(count) + '--p--\r\n'),
  });
}

function nestedParts(depth: number): Buffer {
  let body = 'Full name: Jane Doe\r\n';
  for (let i = depth; i > 0; i--) {
    body = `--b${i}\r\nContent-Type: multipart/mixed; boundary="b${i + 1}"\r\n\r\n${body}\r\n--b${i}--\r\n`;
  }
  return buildMessage({ contentType: 'multipart/mixed; boundary="b1"', body: Buffer.from(body) });
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }).map(truncate),
  fc.double({ min: 0, max: 1, noNaN: true }).map(nulBytes),
  fc.constant(badBase64),
  fc.constant(unknownCharset),
  fc.constant(longHeader),
  fc.constant(noClosingBoundary),
  fc.integer({ min: 1, max: 255 }).map(flipBytes),
);

async function timedParse(raw: Buffer): Promise<{ parsed: ParsedEmail; ms: number }> {
  const started = performance.now();
  const parsed = await parseEmail(raw, CTX, { timeoutMs: BOUND_MS });
  return { parsed, ms: performance.now() - started };
}

describe('parseEmail on malformed mail', () => {
  it('yields a kind for every mutated corpus message within the bound', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...seeds),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        async (seed, mutations) => {
          const raw = mutations.reduce((acc, m) => m(acc), seed);

          const { parsed, ms } = await timedParse(raw);

          expect(KINDS).toContain(parsed.kind);
          expect(ms).toBeLessThan(BOUND_MS);
        },
      ),
      { numRuns: 300 },
    );
  }, 20_000);

  it('yields a kind for arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4000 }), async (bytes) => {
        const { parsed } = await timedParse(Buffer.from(bytes));

        expect(KINDS).toContain(parsed.kind);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['a long word', 'text/plain', 'a'.repeat(300_000)],
    ['a long run of spaces', 'text/plain', `Name${' '.repeat(300_000)}x`],
    ['many sign-offs', 'text/plain', 'Thanks\r\n'.repeat(30_000)],
    ['many attributions', 'text/plain', 'On x\r\n'.repeat(30_000)],
    ['unclosed tags', 'text/html', '<a '.repeat(100_000)],
    ['deeply nested HTML', 'text/html', `${'<div>'.repeat(50_000)}x${'</div>'.repeat(50_000)}`],
  ])('stays fast on %s', async (_name, contentType, body) => {
    const { parsed, ms } = await timedParse(buildMessage({ contentType, body: Buffer.from(body) }));

    expect(KINDS).toContain(parsed.kind);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('reads the headers of a message with thousands of parts', async () => {
    const { parsed, ms } = await timedParse(manyParts(5000));

    expect(parsed.kind).toBe('unlock_request');
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('survives deeply nested multiparts', async () => {
    const { parsed, ms } = await timedParse(nestedParts(300));

    expect(KINDS).toContain(parsed.kind);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('counts a 25 MB attachment without opening it', async () => {
    const attachment = Buffer.alloc(25 * 1024 * 1024, 7)
      .toString('base64')
      .replace(/(.{76})/g, '$1\r\n');
    const body =
      '--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nFull name: Jane Doe\r\nRegistered email: jane.doe@example.com\r\nDescription: locked\r\n' +
      `--m\r\nContent-Type: application/zip; name="big.zip"\r\nContent-Disposition: attachment; filename="big.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--m--\r\n`;
    const raw = buildMessage({
      contentType: 'multipart/mixed; boundary="m"',
      body: Buffer.from(body),
    });

    const started = performance.now();
    const parsed = await parseEmail(raw, CTX, { timeoutMs: 20_000 });
    const ms = performance.now() - started;

    expect(parsed.kind).toBe('unlock_request');
    expect(parsed.attachments).toBe(1);
    expect(parsed.fullName).toBe('Jane Doe');
    expect(ms).toBeLessThan(10_000);
  }, 30_000);

  it('rejects with PARSE_TIMEOUT when the deadline passes', async () => {
    await expect(parseEmail(manyParts(800), CTX, { timeoutMs: 1 })).rejects.toMatchObject({
      code: 'PARSE_TIMEOUT',
    });
  });
});
