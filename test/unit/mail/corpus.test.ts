import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEmail } from '../../../src/mail';
import type { ParseContext } from '../../../src/mail';

interface Expected {
  kind: string;
  fullName: string | null;
  registeredEmail: string | null;
  descriptionContains: string[];
  missing: string[];
  senderMatchesRegistered: boolean | null;
  note: string;
}

const dir = join(__dirname, '../../fixtures/corpus');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.eml'))
  .map((f) => f.replace(/\.eml$/, ''));

/** Our outbound Message-IDs, as the store would report them, taken from the corpus. */
const ourIds = new Set(['ticket-1042.20250304091455.7f3a@ams-support.example']);
const ctx: ParseContext = {
  supportAddress: 'support@ams-support.example',
  knownMessageIds: (ids) => ids.some((id) => ourIds.has(id)),
};

const squash = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();

describe('corpus', () => {
  it('has the example cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(18);
  });

  it.each(cases)('%s', async (name) => {
    const raw = readFileSync(join(dir, `${name}.eml`));
    const expected = JSON.parse(
      readFileSync(join(dir, `${name}.expected.json`), 'utf8'),
    ) as Expected;

    const parsed = await parseEmail(raw, ctx);

    expect(parsed.kind).toBe(expected.kind);
    if (expected.kind !== 'unlock_request') return;
    expect(parsed.fullName).toBe(expected.fullName);
    expect(parsed.registeredEmail).toBe(expected.registeredEmail);
    expect([...parsed.missing].sort()).toEqual([...expected.missing].sort());
    expect(parsed.senderMatchesRegistered).toBe(expected.senderMatchesRegistered);
    for (const phrase of expected.descriptionContains) {
      expect(squash(parsed.description ?? '')).toContain(squash(phrase));
    }
  });
});
