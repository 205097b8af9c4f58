import { parse, squash } from './factories';

/*
 * The description ends where the person's own words end: at a sign-off, before a signature
 * block even without a "-- " separator, and in a forward it comes from the forwarded words.
 */

const ISSUE =
  'Hi,\n\nMy AMS login is kate.bell@example.com. Since this morning my account is locked out.\n\n';
const ISSUE_TEXT =
  'my ams login is kate.bell@example.com. since this morning my account is locked out.';

async function description(body: string, subject?: string): Promise<string> {
  const parsed = await parse({ from: 'Kate <kb@home.example>', body, subject });
  return squash(parsed.description);
}

describe('sign-offs end the description', () => {
  it.each([
    ['Thanks,\nKate\n'],
    ['Thank you\n\nKate\n'],
    ['Thanks for looking into this,\nKate\n'],
    ['Thank you so much for your help!\nKate\n'],
    ['Many thanks in advance,\nKate\n'],
    ['Thanks and regards,\nKate\n'],
    ['Thanks & regards,\nKate\n'],
    ['With kind regards,\nKate\n'],
    ['Kind regards\nKate\n'],
    ['Best,\nKate\n'],
    ['Best wishes, Kate\n'],
    ['Cheers :)\nKate\n'],
    ['Thanks a lot - Kate\n'],
    ['Looking forward to hearing from you.\nKate\n'],
    ['Have a nice day,\nKate\n'],
    ['Sent from my iPhone\n'],
    ['Thanks,\nKate\n\nSent from my iPhone\n'],
    ['Mit freundlichen Grüßen\nKate\n'],
    ['LG Kate\n'],
    ['Bien cordialement,\nKate\n'],
    ['Bonne journée,\nKate\n'],
    ['Un cordial saludo,\nKate\n'],
    ['Cordiali saluti,\nKate\n'],
    ['Met vriendelijke groet,\nKate\n'],
    ['Med vänlig hälsning\nKate\n'],
    ['Pozdrawiam serdecznie,\nKate\n'],
    ['Com os melhores cumprimentos,\nKate\n'],
    ['Von meinem iPhone gesendet\n'],
  ])('stops at %j', async (ending) => {
    expect(await description(ISSUE + ending)).toBe(ISSUE_TEXT);
  });

  it('takes a sign-off followed by a long postal signature', async () => {
    const signature =
      'Thanks,\nKate\n\nKate Bell\nSenior Analyst\nContoso Ltd\n1 High Street\nLeeds\nWest Yorkshire\nLS1 1AA\nUnited Kingdom\nT: 0113 496 0000\nM: 07700 900123\nwww.contoso.example\n';
    expect(await description(ISSUE + signature)).toBe(ISSUE_TEXT);
  });

  it('takes a sign-off followed by a one-line signature longer than 100 characters', async () => {
    const signature =
      'Thanks,\nKate\n\nKate Bell | Senior Analyst | Contoso Ltd | T: +44 20 7946 0000 | M: +44 7700 900123 | www.contoso.example\n';
    expect(await description(ISSUE + signature)).toBe(ISSUE_TEXT);
  });
});

describe('signature blocks without a separator are dropped', () => {
  it.each([
    [
      'Oliver Quinn\nSenior Analyst\nE: oliver.q@personal.example<mailto:oliver.q@personal.example>\nM: +44 7700 900123\n',
    ],
    ['Kate Bell\nFinance Team, Contoso Ltd\n'],
    ['Kate Bell | Finance\nT: 0161 496 0734\n'],
    ['Kate Bell\nHead of Operations\nContoso Ltd\nhttps://contoso.example\n'],
    ['Kate Bell\n\nAccount Manager | Contoso GmbH\nTel. +49 30 1234 5678\n'],
    ['Kate\n'],
    ['Kate Bell\n'],
  ])('drops %j', async (ending) => {
    expect(await description(ISSUE + ending)).toBe(ISSUE_TEXT);
  });

  it('reads the full name from a signature block as it does under a sign-off', async () => {
    const parsed = await parse({
      body: `${ISSUE}Oliver Quinn\nSenior Analyst\nM: +44 7700 900123\n`,
    });
    expect(parsed.fullName).toBe('Oliver Quinn');
  });

  it('keeps a trailing name and address, which may be the request fields', async () => {
    const parsed = await parse({
      from: 'kb@home.example',
      body: 'I am locked out of AMS, please help.\n\nKate Bell\nkate.bell@example.com\n',
    });
    expect(squash(parsed.description)).toContain('locked out of ams');
    expect(squash(parsed.description)).toContain('kate.bell@example.com');
  });
});

describe('conservative about sign-off words inside the text', () => {
  it.each([
    ['Best time to reach me is after 5pm. My account is locked out.\n'],
    ['My account is locked out.\nBest regards would be to fix it today, it is urgent.\n'],
    ['Thanks to the new password rules my account is locked out.\n'],
    ['Cheers went up when it worked, but now my account is locked out again.\n'],
    ['I tried my best but my account is locked out.\nKind of urgent, thanks.\n'],
    ['Best way to reach me is email; my account is locked out.\n'],
  ])('keeps %j', async (body) => {
    const text = await description(`Hello,\n\n${body}`);
    expect(text).toContain('locked out');
  });

  it('never reads a name that starts with a sign-off word as a sign-off', async () => {
    const text = await description(
      'Hi,\n\nMy account is locked out.\nBRIAN SMITH and TYLER JONES are also locked out.\n',
    );
    expect(text).toContain('brian smith and tyler jones are also locked out');
  });
});

describe('forwards', () => {
  const outlookForward = (note: string, forwarded: string) =>
    `${note}\n\nFrom: Tom Heslop <tom.heslop@example.co.uk>\nSent: Monday, March 3, 2025 4:20 PM\nTo: Angela Moss <angela.moss@example.co.uk>\nSubject: AMS Account Unlock Request\n\n${forwarded}`;

  it.each([
    [
      'Hi team,\n\nPlease can you help Tom, he is locked out of AMS.\n\nAngela Moss\nHead of Finance\nT: 0161 496 0734\n',
    ],
    ['Hi team,\n\nPlease can you help Tom, he is locked out of AMS.\n\nRegards\nAngela\n'],
    ['Please help, urgent - he cannot log in.\nAngela Moss | Finance Director | +44 161 496 0734'],
    ['FYI - he is blocked'],
  ])('takes the description from the forwarded part under note %j', async (note) => {
    const body = outlookForward(
      note,
      'Hi Angela,\n\nI cannot log in, my account tom.heslop@example.co.uk is locked after three attempts.\n\nThanks\nTom Heslop\n',
    );
    const parsed = await parse({
      from: 'Angela Moss <angela.moss@example.co.uk>',
      subject: 'FW: AMS Account Unlock Request',
      body,
    });

    expect(squash(parsed.description)).toBe(
      'i cannot log in, my account tom.heslop@example.co.uk is locked after three attempts.',
    );
    expect(parsed.registeredEmail).toBe('tom.heslop@example.co.uk');
  });

  it('uses the forwarder’s words, without their signature, when the forwarded part has none', async () => {
    const body = outlookForward(
      'Hi,\n\nTom is locked out of AMS since Friday, please unlock him.\n\nAngela Moss\nHead of Finance\nT: 0161 496 0734\nwww.example.co.uk\n',
      'Full name: Tom Heslop\nRegistered email: tom.heslop@example.co.uk\n',
    );
    const parsed = await parse({
      from: 'Angela Moss <angela.moss@example.co.uk>',
      subject: 'FW: AMS Account Unlock Request',
      body,
    });

    expect(squash(parsed.description)).toBe(
      'tom is locked out of ams since friday, please unlock him.',
    );
    expect(parsed.fullName).toBe('Tom Heslop');
  });

  it('uses "Fwd:" forwarded messages the same way', async () => {
    const body =
      'He is locked out, can you help?\n\nAngela Moss\nFinance Manager\n\n---------- Forwarded message ---------\nFrom: Tom Heslop <tom.heslop@example.co.uk>\nDate: Mon, 3 Mar 2025 at 16:20\nSubject: AMS\nTo: Angela Moss <angela.moss@example.co.uk>\n\nMy AMS account tom.heslop@example.co.uk says access denied.\n\nCheers,\nTom\n';
    const parsed = await parse({ subject: 'Fwd: AMS Account Unlock Request', body });

    expect(squash(parsed.description)).toBe(
      'my ams account tom.heslop@example.co.uk says access denied.',
    );
  });
});

describe('label values at the end are not signatures', () => {
  it.each([
    [
      'Description: locked out since Monday.\nRegistered email: jane.doe@example.com\nFull name:\nJane Doe\n',
    ],
    [
      'Description\nlocked out since Monday.\n\nRegistered email\njane.doe@example.com\n\nFull name\n\nJane Doe\n',
    ],
    [
      'Issue: locked out.\nEmail: jane.doe@example.com\nName:\n\nJane Doe\nSenior Analyst\nT: 0161 496 0734\n',
    ],
  ])('reads the name in %j', async (body) => {
    const parsed = await parse({ body });
    expect(parsed.fullName).toBe('Jane Doe');
    expect(squash(parsed.description)).toContain('locked out');
  });
});
