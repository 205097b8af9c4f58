import type { DataSource } from 'typeorm';
import { addAccount, findAccountByEmail, recordFailedSignIn } from './accounts/account-store';
import type { ConfigFor } from './config';
import { hasCode } from './errors';
import { appendMessages, mailboxOf } from './ingest/append-messages';

const DEMO_ACCOUNTS = [
  { email: 'jane.doe@example.com', fullName: 'Jane Doe', company: 'Example Ltd' },
  { email: 'sian.evans@example.org', fullName: 'Siân Evans', company: 'Example Org' },
  {
    email: 'omar.haddad@example.net',
    fullName: 'Omar Haddad',
    company: 'Example Net',
    isCompanyAdmin: true,
  },
];

function demoEmail(input: {
  from: string;
  subject: string;
  body: string;
  authservId?: string;
  id: string;
}): Buffer {
  const domain = /@([^>\s]+)/.exec(input.from)?.[1] ?? 'example.com';
  const headers = [
    // Stands in for the header our receiving server would add after checking the sender.
    ...(input.authservId
      ? [
          `Authentication-Results: ${input.authservId}; spf=pass smtp.mailfrom=${domain};` +
            ` dkim=pass header.d=${domain}; dmarc=pass header.from=${domain}`,
        ]
      : []),
    `From: ${input.from}`,
    'To: AMS Support <support@ams-support.example>',
    `Subject: ${input.subject}`,
    `Message-ID: <${input.id}.${Date.now()}@${domain}>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return Buffer.from(
    `${headers.join('\r\n')}\r\n\r\n${input.body.replace(/\n/g, '\r\n')}\r\n`,
    'utf8',
  );
}

/** Seeds locked demo accounts and puts three example emails in the mailbox. */
export async function runDemo(
  dataSource: DataSource,
  config: ConfigFor<'database' | 'imap' | 'support'>,
): Promise<string> {
  for (const account of DEMO_ACCOUNTS) {
    if (!(await findAccountByEmail(dataSource.manager, account.email))) {
      await addAccount(dataSource, account, 'demo').catch((err) => {
        if (!hasCode(err, 'ACCOUNT_EXISTS')) throw err;
      });
    }
    let current = await recordFailedSignIn(dataSource, account.email, config.LOCKOUT_MAX_FAILURES);
    while (!current.locked) {
      current = await recordFailedSignIn(dataSource, account.email, config.LOCKOUT_MAX_FAILURES);
    }
  }

  const emails = [
    demoEmail({
      from: 'Jane Doe <jane.doe@example.com>',
      subject: 'AMS Account Unlock Request',
      authservId: config.AUTHSERV_ID,
      id: 'demo-jane',
      body: [
        'Full name: Jane Doe',
        'Registered email: jane.doe@example.com',
        'Description: I typed the wrong password too many times and now my account is locked.',
        '',
        'Thanks,',
        'Jane',
      ].join('\n'),
    }),
    demoEmail({
      from: 'Siân Evans <s.evans.home@example.com>',
      subject: 'URGENT: ams account unlock request - Siân Evans',
      authservId: config.AUTHSERV_ID,
      id: 'demo-sian',
      body: [
        'Hello,',
        'my name is Siân Evans and my AMS login is sian.evans@example.org.',
        'I am locked out after the password change.',
      ].join('\n'),
    }),
    demoEmail({
      from: 'Omar Haddad <omar.haddad@example.net>',
      subject: 'Automatic reply: AMS Account Unlock Request',
      id: 'demo-ooo',
      body: 'I am out of the office until Monday.',
    }),
  ];
  await appendMessages(mailboxOf(config), emails);
  return [
    `Seeded ${DEMO_ACCOUNTS.length} locked accounts: ` +
      `${DEMO_ACCOUNTS.map((a) => a.email).join(', ')}.`,
    `Put ${emails.length} example emails in ${config.IMAP_MAILBOX}: a complete request, ` +
      'one from a personal address, and an out-of-office reply.',
    'Watch them with: ams-unlock requests list',
  ].join('\n');
}
