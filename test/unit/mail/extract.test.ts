import { parse, squash } from './factories';

describe('labelled fields', () => {
  it.each([
    ['Full name: Jane Doe\nRegistered email: jane.doe@example.com\nDescription: locked out'],
    [
      'Name - Jane Doe\nEmail address registered with AMS - jane.doe@example.com\nIssue - locked out',
    ],
    ['1. Name: Jane Doe\n2. AMS login: jane.doe@example.com\n3. Problem: locked out'],
    [
      '* Full Name: Jane Doe\n* Registered e-mail address: jane.doe@example.com\n* Brief description of the issue: locked out',
    ],
    [
      '**Full name:** Jane Doe\n**Registered Email:** jane.doe@example.com\n**Description:** locked out',
    ],
    ['FULL NAME: Jane Doe\nREGISTERED EMAIL: JANE.DOE@EXAMPLE.COM\nDESCRIPTION: locked out'],
    ['Full name\nJane Doe\n\nRegistered email\njane.doe@example.com\n\nDescription\nlocked out'],
    [
      'Full name:\n  Jane Doe\nRegistered email:\n  <jane.doe@example.com>\nDescription:\n  locked out',
    ],
    ['Name: Jane Doe, Email: jane.doe@example.com, Issue: locked out'],
    ['First name: Jane\nLast name: Doe\nE-mail: mailto:jane.doe@example.com;\nDetails: locked out'],
    ['Your name: "Jane Doe"\nUsername: jane.doe@example.com.\nWhat happened: locked out'],
    ['Full name = Jane Doe\nLogin email = jane.doe@example.com\nProblem = locked out'],
  ])('reads %j', async (body) => {
    const parsed = await parse({
      from: 'jd <jd@home.example.net>',
      body: `Hello,\n\n${body}\n\nThanks\n`,
    });

    expect(parsed.fullName).toBe('Jane Doe');
    expect(parsed.registeredEmail).toBe('jane.doe@example.com');
    expect(squash(parsed.description)).toContain('locked out');
    expect(parsed.sources).toEqual({
      fullName: 'label',
      registeredEmail: 'label',
      description: 'label',
    });
    expect(parsed.missing).toEqual([]);
    expect(parsed.senderMatchesRegistered).toBe(false);
  });

  it('keeps a multi-line description until the next label', async () => {
    const body =
      'Description: I changed my password on Friday.\nSince then the login page says\nmy account has been locked.\nName: Jane Doe\nRegistered email: jane.doe@example.com\n';

    const parsed = await parse({ body });

    expect(squash(parsed.description)).toBe(
      'i changed my password on friday. since then the login page says my account has been locked.',
    );
  });

  it('does not take a company name or a phone number as the name', async () => {
    const parsed = await parse({
      body: 'Company name: Acme Ltd\nPhone: 0161 496 0734\nRegistered email: jane.doe@example.com\nDescription: locked\n',
    });

    expect(parsed.fullName).toBeNull();
    expect(parsed.missing).toEqual(['fullName']);
  });

  it('treats "this address" as the sender being the registered email', async () => {
    const parsed = await parse({
      body: 'Full name: Jane Doe\nRegistered email: this one (the address I am writing from)\nDescription: locked\n',
    });

    expect(parsed.registeredEmail).toBe('jane.doe@example.com');
    expect(parsed.sources.registeredEmail).toBe('sender');
    expect(parsed.senderMatchesRegistered).toBe(true);
  });
});

describe('unlabelled prose', () => {
  it.each([
    [
      'my name is Priya Raman and my AMS login is priya.raman@example.net. I got locked out.',
      'Priya Raman',
      'priya.raman@example.net',
    ],
    [
      "Hi, I'm Robert Kettering and my AMS account is under r.kettering@example.com. Locked after three attempts.",
      'Robert Kettering',
      'r.kettering@example.com',
    ],
    [
      'This is Siân Llewellyn. The account registered to sian.l@example.com is locked.',
      'Siân Llewellyn',
      'sian.l@example.com',
    ],
    [
      'my name is priya raman, my login is priya.raman@example.net and I am locked out',
      'priya raman',
      'priya.raman@example.net',
    ],
    [
      'Mein Name ist Jürgen Weiß, mein AMS-Konto (juergen@example.de) ist gesperrt.',
      'Jürgen Weiß',
      'juergen@example.de',
    ],
    [
      "I am locked out. My name is Zoë O'Brien and I log in with zoe.obrien@example.com.",
      "Zoë O'Brien",
      'zoe.obrien@example.com',
    ],
  ])('reads %j', async (body, name, email) => {
    const parsed = await parse({
      from: 'someone@elsewhere.example',
      body: `Hi,\n\n${body}\n\nThanks\n`,
    });

    expect(parsed.fullName).toBe(name);
    expect(parsed.registeredEmail).toBe(email);
    expect(parsed.sources.fullName).toBe('prose');
    expect(parsed.sources.registeredEmail).toBe('prose');
    expect(parsed.description).not.toBeNull();
  });

  it('does not mistake "I am locked out" for a name', async () => {
    const parsed = await parse({
      body: 'Hi,\n\nI am Locked Out of AMS since this morning.\n\nThanks\n',
    });

    expect(parsed.fullName).toBeNull();
  });

  it('takes a full name typed under the sign-off, not a first name alone', async () => {
    const full = await parse({
      body: 'Hi, my account is locked after a password change.\n\nThanks,\nKaren Price\n',
    });
    const first = await parse({
      body: 'Hi, my account is locked after a password change.\n\nThanks,\nKaren\n',
    });

    expect(full.fullName).toBe('Karen Price');
    expect(first.fullName).toBeNull();
  });

  it('uses the sender address when the person says it is the registered one', async () => {
    const parsed = await parse({
      body: 'Hi,\nmy AMS account is registered to this email address and it is locked after too many attempts.\nJane Doe\n',
    });

    expect(parsed.registeredEmail).toBe('jane.doe@example.com');
    expect(parsed.sources.registeredEmail).toBe('sender');
  });

  it('leaves the email missing when nothing names it', async () => {
    const parsed = await parse({
      body: 'Hi, I am locked out of AMS after a password reset.\n\nThanks,\nJane Doe\n',
    });

    expect(parsed.registeredEmail).toBeNull();
    expect(parsed.missing).toEqual(['registeredEmail']);
    expect(parsed.senderMatchesRegistered).toBeNull();
  });

  it('leaves the description missing when only the fields are given', async () => {
    const parsed = await parse({
      body: 'Hello,\n\nFull name: Jane Doe\nRegistered email: jane.doe@example.com\n\nThank you,\nJane\n',
    });

    expect(parsed.description).toBeNull();
    expect(parsed.missing).toEqual(['description']);
  });
});

describe('several addresses', () => {
  it('prefers a labelled address over one near "login" and over the sender', async () => {
    const parsed = await parse({
      body: 'My login used to be old.name@example.com.\nRegistered email: jane.doe@corp.example\nDescription: locked\nPlease reply to jane.doe@example.com.\n',
    });

    expect(parsed.registeredEmail).toBe('jane.doe@corp.example');
  });

  it('prefers an address near "registered" over the sender address mentioned first', async () => {
    const parsed = await parse({
      from: 'Danny <dannyo.1987@example.net>',
      body: "I'm writing from my personal address dannyo.1987@example.net because my work account daniel.okafor@northgate.example is locked.\n",
    });

    expect(parsed.registeredEmail).toBe('daniel.okafor@northgate.example');
    expect(parsed.senderMatchesRegistered).toBe(false);
  });

  it('falls back to the sender address mentioned in prose', async () => {
    const parsed = await parse({
      body: 'I am locked out. You can reach me at jane.doe@example.com or on my colleague sam@example.com.\n',
    });

    expect(parsed.registeredEmail).toBe('jane.doe@example.com');
    expect(parsed.senderMatchesRegistered).toBe(true);
  });

  it('never takes our own support address', async () => {
    const parsed = await parse({
      body: 'I wrote to support@ams-support.example about my account being locked.\n',
    });

    expect(parsed.registeredEmail).toBeNull();
  });
});

describe('text that is not the request', () => {
  it('ignores a "-- " signature, its addresses and name', async () => {
    const parsed = await parse({
      from: 'Rob <rob@example.com>',
      body: 'Hi, I am locked out after too many attempts.\n\n-- \nRob Kettering | Analyst\nE: rob.k@example.com | Accounts: accounts@example.com\n',
    });

    expect(parsed.registeredEmail).toBeNull();
    expect(parsed.fullName).toBeNull();
    expect(parsed.description).not.toContain('Analyst');
  });

  it('ignores a signature after a sign-off, including its Email: line', async () => {
    const parsed = await parse({
      body: 'Hi, my AMS account is locked after a password change.\n\nKind regards,\nJane Doe\nSenior Analyst | Finance\nEmail: jane.d@other.example\nTel: +44 20 7946 0958\n',
    });

    expect(parsed.registeredEmail).toBeNull();
    expect(parsed.fullName).toBe('Jane Doe');
    expect(parsed.description).not.toContain('Tel');
  });

  it('ignores a confidentiality disclaimer', async () => {
    const parsed = await parse({
      body: 'Full name: Jane Doe\nRegistered email: jane.doe@example.com\nDescription: locked out\n\nCONFIDENTIALITY NOTICE: This email is intended only for the addressee. If received in error contact legal@example.com.\n',
    });

    expect(parsed.description).toBe('locked out');
  });

  it('ignores a mobile footer', async () => {
    const parsed = await parse({ body: 'Description: locked out\n\nSent from my iPhone\n' });

    expect(parsed.description).toBe('locked out');
  });

  it('ignores Gmail-style quoted text', async () => {
    const parsed = await parse({
      body: 'I am locked out again.\n\nOn Tue, 4 Mar 2025 at 09:14, Ken Nakamura <\nken.nakamura@example.com> wrote:\n> Full name: Ken Nakamura\n> Registered email: ken.nakamura@example.com\n',
    });

    expect(parsed.fullName).toBeNull();
    expect(parsed.registeredEmail).toBeNull();
  });

  it('ignores an Outlook-style quoted original', async () => {
    const parsed = await parse({
      subject: 'RE: AMS Account Unlock Request',
      body: 'Still locked, please help.\n\n________________________________\nFrom: Ken Nakamura <ken.nakamura@example.com>\nSent: Monday, March 3, 2025 9:00 AM\nTo: AMS Support\nSubject: AMS Account Unlock Request\n\nFull name: Ken Nakamura\nRegistered email: ken.nakamura@example.com\n',
    });

    expect(parsed.kind).toBe('unlock_request');
    expect(parsed.registeredEmail).toBeNull();
  });

  it('does not cut the body at a "This email" sentence that is not a disclaimer', async () => {
    const parsed = await parse({
      body: 'This email is about my AMS account, which is locked.\nFull name: Jane Doe\nRegistered email: jane.doe@example.com\n',
    });

    expect(parsed.fullName).toBe('Jane Doe');
  });
});

describe('forwards', () => {
  it.each([
    [
      'Gmail',
      '---------- Forwarded message ---------\nFrom: Tom Heslop <tom.heslop@example.co.uk>\nDate: Mon, 3 Mar 2025 at 16:20\nSubject: AMS Account Unlock Request\nTo: Angela Moss <angela.moss@example.co.uk>\n\n',
    ],
    [
      'Outlook',
      '________________________________\nFrom: Tom Heslop <tom.heslop@example.co.uk>\nSent: Monday, March 3, 2025 4:20 PM\nTo: Angela Moss <angela.moss@example.co.uk>\nSubject: AMS Account Unlock Request\n\n',
    ],
    [
      'Apple',
      'Begin forwarded message:\n\nFrom: Tom Heslop <tom.heslop@example.co.uk>\nSubject: AMS Account Unlock Request\nDate: 3 March 2025 at 16:20:00 GMT\nTo: Angela Moss <angela.moss@example.co.uk>\n\n',
    ],
    [
      'Thunderbird',
      '-------- Forwarded Message --------\nSubject: \tAMS Account Unlock Request\nDate: \tMon, 3 Mar 2025 16:20:00 +0000\nFrom: \tTom Heslop <tom.heslop@example.co.uk>\nTo: \tAngela Moss <angela.moss@example.co.uk>\n\n',
    ],
  ])('reads the user details from a %s forward', async (_client, marker) => {
    const body = `Please help Tom, he is locked out.\n\nAngela Moss\nHead of Finance\nangela.moss@example.co.uk\n\n${marker}Hi Angela,\n\nFull name: Thomas Heslop\nRegistered email: tom.heslop@example.co.uk\nDescription: Locked out after three wrong attempts.\n\nThanks\nTom\n`;

    const parsed = await parse({
      from: 'Angela Moss <angela.moss@example.co.uk>',
      subject: 'FW: AMS Account Unlock Request',
      body,
    });

    expect(parsed.kind).toBe('unlock_request');
    expect(parsed.fullName).toBe('Thomas Heslop');
    expect(parsed.registeredEmail).toBe('tom.heslop@example.co.uk');
    expect(squash(parsed.description)).toContain('three wrong attempts');
    expect(parsed.senderMatchesRegistered).toBe(false);
  });

  it('never takes the forwarded From header as the registered email', async () => {
    const body =
      'Tom is locked out of AMS.\n\n---------- Forwarded message ---------\nFrom: Tom Heslop <tom.heslop@example.co.uk>\nSubject: help\n\nI cannot log in.\n';

    const parsed = await parse({ subject: 'Fwd: AMS Account Unlock Request', body });

    expect(parsed.registeredEmail).toBeNull();
  });
});

describe('HTML bodies', () => {
  it('reads labels in paragraphs and line breaks', async () => {
    const html =
      '<html><body><p>Hello,</p><p>Full name: <b>Jane Doe</b><br>Registered email: <a href="mailto:jane.doe@example.com">jane.doe@example.com</a><br>Description: I&#39;m locked&nbsp;out.</p><p>Regards,<br>Jane</p><div class="sig">Jane Doe<br>jane.d@other.example</div></body></html>';

    const parsed = await parse({ contentType: 'text/html; charset=utf-8', body: html });

    expect(parsed.fullName).toBe('Jane Doe');
    expect(parsed.registeredEmail).toBe('jane.doe@example.com');
    expect(parsed.description).toBe("I'm locked out.");
  });

  it('reads a table whose label cells end in colons', async () => {
    const html =
      '<table><tr><td><b>Full name:</b></td><td>Jane Doe</td></tr><tr><td>AMS login:</td><td>jane.doe@example.com</td></tr><tr><td>Issue:</td><td>Locked</td></tr></table>';

    const parsed = await parse({ contentType: 'text/html; charset=utf-8', body: html });

    expect(parsed.fullName).toBe('Jane Doe');
    expect(parsed.registeredEmail).toBe('jane.doe@example.com');
    expect(parsed.description).toBe('Locked');
  });

  it('ignores an HTML blockquote of an earlier message', async () => {
    const html =
      '<div>Still locked out.</div><blockquote type="cite"><div>Registered email: old@example.com</div></blockquote>';

    const parsed = await parse({ contentType: 'text/html; charset=utf-8', body: html });

    expect(parsed.registeredEmail).toBeNull();
  });
});

describe('more shapes people send', () => {
  it('does not take a signature Email: line among phone numbers as the registered email', async () => {
    const parsed = await parse({
      from: 'Angela Moss <angela.moss@example.co.uk>',
      subject: 'Fwd: AMS Account Unlock Request',
      body: 'Please unlock Tom, he is locked out.\n\nAngela Moss\nHead of Finance\nEmail: angela.moss@example.co.uk\nTel: 0161 496 0734\n\n---------- Forwarded message ---------\nFrom: Tom <tom@example.co.uk>\n\nMy AMS login is tom.heslop@example.co.uk and I am locked out.\n',
    });

    expect(parsed.registeredEmail).toBe('tom.heslop@example.co.uk');
  });

  it('cuts a German attribution line that names the writer after the verb', async () => {
    const parsed = await parse({
      body: 'Mein Konto ist immer noch gesperrt.\n\nAm Mo., 3. März 2025 um 09:14 Uhr schrieb AMS Support <\nsupport@ams-support.example>:\n> Registered email: other@example.com\n',
    });

    expect(parsed.registeredEmail).toBeNull();
    expect(parsed.description).toBe('Mein Konto ist immer noch gesperrt.');
  });

  it('reads an address that appears only in a mailto: link', async () => {
    const parsed = await parse({
      contentType: 'text/html; charset=utf-8',
      body: '<p>Name: Jane Doe</p><p>Email: <a href="mailto:jane.doe@example.com">click here</a></p><p>Issue: locked</p>',
    });

    expect(parsed.registeredEmail).toBe('jane.doe@example.com');
  });

  it('reads the HTML part when the plain part is a stub', async () => {
    const body =
      '--a\nContent-Type: text/plain; charset=utf-8\n\nThis message is in HTML. Please view it in an HTML client.\n' +
      '--a\nContent-Type: text/html; charset=utf-8\n\n<p>Full name: Jane Doe</p><p>Registered email: jane.doe@corp.example</p><p>Description: locked</p>\n--a--\n';

    const parsed = await parse({ contentType: 'multipart/alternative; boundary="a"', body });

    expect(parsed.fullName).toBe('Jane Doe');
    expect(parsed.registeredEmail).toBe('jane.doe@corp.example');
  });

  it('reads an address written as "name [at] domain [dot] tld"', async () => {
    const parsed = await parse({ body: 'Registered email: jane.doe [at] corp [dot] example\n' });

    expect(parsed.registeredEmail).toBe('jane.doe@corp.example');
  });

  it('reads "Jane Doe here" as an introduction', async () => {
    const parsed = await parse({
      body: 'Jane Doe here - locked out of AMS, login jane@example.com. Thx\n',
    });

    expect(parsed.fullName).toBe('Jane Doe');
    expect(parsed.registeredEmail).toBe('jane@example.com');
  });

  it('reads a request forwarded as an attached message', async () => {
    const inner =
      'From: Tom Heslop <tom@example.co.uk>\nSubject: AMS Account Unlock Request\nContent-Type: text/plain; charset=utf-8\n\nFull name: Thomas Heslop\nRegistered email: tom@example.co.uk\nDescription: locked after three attempts\n';
    const body = `--z\nContent-Type: text/plain; charset=utf-8\n\nPlease see attached.\n--z\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename="req.eml"\n\n${inner}\n--z--\n`;

    const parsed = await parse({
      from: 'Angela <angela@example.co.uk>',
      subject: 'FW: AMS Account Unlock Request',
      contentType: 'multipart/mixed; boundary="z"',
      body,
    });

    expect(parsed.fullName).toBe('Thomas Heslop');
    expect(parsed.registeredEmail).toBe('tom@example.co.uk');
    expect(parsed.attachments).toBe(1);
  });

  it('does not end the message at a "Thank you!" that opens it', async () => {
    const parsed = await parse({
      body: 'Thank you!\nMy name is Jane Doe and my AMS login is jane@example.com.\nI was locked out after a password change and cannot reset it because the reset link expired.\nIt happened twice this week.\n',
    });

    expect(parsed.fullName).toBe('Jane Doe');
    expect(parsed.registeredEmail).toBe('jane@example.com');
  });
});

describe('whose words count in a forward', () => {
  const forward = (note: string, original: string) =>
    parse({
      from: 'Angela Moss <angela.moss@example.co.uk>',
      subject: 'Fwd: AMS Account Unlock Request',
      body: `${note}\n\n---------- Forwarded message ---------\nFrom: Tom <tom@example.co.uk>\nSubject: help\n\n${original}\n`,
    });

  it("prefers the user's own introduction over the forwarder's", async () => {
    const parsed = await forward(
      "Hi, I'm Angela Moss from Finance, forwarding this.\n\nThanks,\nAngela Moss",
      'My name is Thomas Heslop and my AMS login is tom.heslop@example.co.uk. I am locked out.',
    );

    expect(parsed.fullName).toBe('Thomas Heslop');
    expect(parsed.registeredEmail).toBe('tom.heslop@example.co.uk');
  });

  it("takes neither the forwarder's sign-off nor the forwarder's address", async () => {
    const parsed = await forward(
      'Please help, he is locked out. You can reach me on angela.moss@example.co.uk.\n\nThanks,\nAngela Moss',
      'I cannot log in any more.',
    );

    expect(parsed.fullName).toBeNull();
    expect(parsed.registeredEmail).toBeNull();
    expect(parsed.missing.sort()).toEqual(['fullName', 'registeredEmail']);
  });

  it('reads "his name is" in the forwarder\'s note', async () => {
    const parsed = await forward(
      'His name is Thomas Heslop and his login is tom.heslop@example.co.uk.',
      'I cannot log in any more.',
    );

    expect(parsed.fullName).toBe('Thomas Heslop');
    expect(parsed.registeredEmail).toBe('tom.heslop@example.co.uk');
  });
});

describe('form-style questions', () => {
  it('reads a question label with the answer on the next line', async () => {
    const parsed = await parse({
      body: 'Full name?\nJane Doe\nRegistered email?\njane.doe@example.com\nDescribe the problem:\nLocked out.\n',
    });

    expect(parsed.fullName).toBe('Jane Doe');
    expect(parsed.registeredEmail).toBe('jane.doe@example.com');
    expect(parsed.description).toBe('Locked out.');
  });

  it('keeps a plain Email: label next to a phone line when nothing better exists', async () => {
    const parsed = await parse({
      from: 'jd@home.example',
      body: 'Full name: Jane Doe\nEmail: jane.doe@example.com\nPhone: +44 7700 900123\nDescription: locked\n',
    });

    expect(parsed.registeredEmail).toBe('jane.doe@example.com');
  });
});
