import {
  domainOfAddress,
  fromHeaderDomain,
  readHeaderFields,
  removeComments,
} from '../../../src/trust/message-headers';

function fromDomainOf(...fromValues: string[]): string | null {
  return fromHeaderDomain(fromValues.map((value) => ({ name: 'from', value })));
}

describe('readHeaderFields', () => {
  it('unfolds continuation lines and stops at the blank line', () => {
    const raw = 'Subject: one\r\n two\r\nX-A: b\r\n\r\nNot-A-Header: body\r\n';

    expect(readHeaderFields(Buffer.from(raw))).toEqual([
      { name: 'subject', value: 'one two' },
      { name: 'x-a', value: 'b' },
    ]);
  });

  it('accepts LF line ends and skips lines that are not fields', () => {
    const raw = 'From someone Thu Mar  6 07:22:03 2025\nTo: a@example.com\n\nbody';

    expect(readHeaderFields(raw)).toEqual([{ name: 'to', value: 'a@example.com' }]);
  });
});

describe('removeComments', () => {
  it('drops nested comments but keeps parentheses inside quotes', () => {
    expect(removeComments('a (b (c) d) "e (f)" g')).toBe('a   "e (f)" g');
  });

  it('honours a backslash-escaped parenthesis inside a comment', () => {
    expect(removeComments('a (b \\) c) d')).toBe('a   d');
  });
});

describe('fromHeaderDomain', () => {
  it.each<[string, string]>([
    ['Jane Doe <jane@Example.COM>', 'example.com'],
    ['jane@example.com', 'example.com'],
    ['"Doe, Jane" <jane@example.com>', 'example.com'],
    ['"jane@other.example" <jane@example.com>', 'example.com'],
    ['jane@example.com (Jane at other@other.example)', 'example.com'],
  ])('reads %p', (value, domain) => {
    expect(fromDomainOf(value)).toBe(domain);
  });

  it.each<[string]>([
    ['boss@example.com <mallory@evil.example>'],
    ['jane@example.com, john@example.com'],
    ['Team: jane@example.com, john@example.com;'],
    ['<a@example.com> <b@example.com>'],
    ['Jane Doe'],
    [''],
  ])('refuses %p', (value) => {
    expect(fromDomainOf(value)).toBeNull();
  });

  it('refuses two From headers', () => {
    expect(fromDomainOf('jane@example.com', 'jane@example.com')).toBeNull();
  });
});

describe('domainOfAddress', () => {
  it('lower-cases and drops a trailing dot', () => {
    expect(domainOfAddress(' Jane@Example.COM. ')).toBe('example.com');
  });

  it.each([null, undefined, '', '@example.com', 'jane@', 'jane@exa mple.com'])(
    'gives null for %p',
    (address) => {
      expect(domainOfAddress(address)).toBeNull();
    },
  );
});
