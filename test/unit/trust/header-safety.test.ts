import { safeHeaderText } from '../../../src/trust';

describe('safeHeaderText', () => {
  it.each<[string, string]>([
    ['CRLF', 'Jane\r\nBcc: victim@example.com'],
    ['bare LF', 'Jane\nBcc: victim@example.com'],
    ['bare CR', 'Jane\rBcc: victim@example.com'],
    ['encoded-looking CRLF after decoding', 'Jane\u000d\u000aBcc: victim@example.com'],
    ['Unicode line separator', 'Jane\u2028Bcc: victim@example.com'],
    ['NEL (C1 next line)', 'Jane\u0085Bcc: victim@example.com'],
  ])('keeps a header injection through %s on one line', (_label, attack) => {
    const safe = safeHeaderText(attack);

    expect(safe).toBe('Jane Bcc: victim@example.com');
    expect(safe).not.toMatch(/[\r\n\u2028\u0085]/);
  });

  it('removes NUL, DEL and other control characters', () => {
    expect(safeHeaderText('A\u0000B\u007fC\u001bD')).toBe('A B C D');
  });

  it('removes invisible direction overrides', () => {
    expect(safeHeaderText('Jane\u202eeoD')).toBe('JaneeoD');
  });

  it('collapses whitespace and trims the ends', () => {
    expect(safeHeaderText('  Jane \t\t  Doe  ')).toBe('Jane Doe');
  });

  it('cuts to the maximum length', () => {
    expect(safeHeaderText('x'.repeat(500))).toHaveLength(200);
    expect(safeHeaderText('abcdef', 3)).toBe('abc');
  });

  it('never splits a character made of two UTF-16 units', () => {
    const safe = safeHeaderText('😀😀😀', 2);

    expect(safe).toBe('😀😀');
  });

  it('keeps ordinary non-ASCII text', () => {
    expect(safeHeaderText('Siân Łukasz Zoë')).toBe('Siân Łukasz Zoë');
  });
});
