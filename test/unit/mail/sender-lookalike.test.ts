import { parse } from './factories';

/*
 * A display name that spells another address with look-alike at-signs or "(at)" forms is the
 * same spoof as one with a plain "@", and must be flagged the same way.
 */

const FLAGGED = 'display name contains another address';

describe('display name hiding an address with look-alike at-signs', () => {
  it.each([
    ['"ar1＠contoso.example" <x@evil.example>'],
    ['"ar1﹫contoso.example" <x@evil.example>'],
    ['ar1＠contoso.example <x@evil.example>'],
    ['"ar1(at)contoso.example" <x@evil.example>'],
    ['ar1(at)contoso.example <x@evil.example>'],
    ['"ar1 [at] contoso.example" <x@evil.example>'],
    ['"ar1 [AT] contoso [DOT] example" <x@evil.example>'],
    ['"ar1 {at} contoso.example" <x@evil.example>'],
    ['"ａｒ１＠ｃｏｎｔｏｓｏ．ｅｘａｍｐｌｅ" <x@evil.example>'],
    ['"ar1＠contoso。example" <x@evil.example>'],
    ['=?utf-8?B?YXIx77ygY29udG9zby5leGFtcGxl?= <x@evil.example>'],
    ['Alice (ar1＠contoso.example) <x@evil.example>'],
    ['Alice (ar1@contoso.example) <x@evil.example>'],
    ['x@evil.example (ar1＠contoso.example)'],
  ])('flags %s', async (from) => {
    const parsed = await parse({ from, body: 'I am locked out.' });

    expect(parsed.sender.problem).toBe(FLAGGED);
    expect(parsed.sender.address).toBeNull();
    expect(parsed.from).toBeNull();
  });

  it.each([
    ['"ar1＠contoso.example" <ar1@contoso.example>'],
    ['"ar1 [at] contoso.example" <AR1@contoso.example>'],
    ['"Jane Doe (Finance)" <jane.doe@example.com>'],
    ['"Matt Attwood [Sales]" <matt@example.com>'],
    ['"Pat (at home)" <pat@example.com>'],
    ['"Doe, Jane" <jane.doe@example.com>'],
  ])('accepts %s', async (from) => {
    const parsed = await parse({ from, body: 'I am locked out.' });

    expect(parsed.sender.problem).toBeNull();
    expect(parsed.sender.address).not.toBeNull();
  });
});
