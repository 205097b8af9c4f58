import { addAccount, recordFailedSignIn, requireAccount } from '../../src/accounts/account-store';
import { hasCode } from '../../src/errors';
import { approveRequest, rejectRequest } from '../../src/requests/review';
import { listRequests, showRequest } from '../../src/requests/queries';
import {
  folderContents,
  requestEmail,
  startTestDesk,
  SUPPORT_ADDRESS,
  waitFor,
  type TestDesk,
} from '../support/harness';

let t: TestDesk;

beforeAll(async () => {
  t = await startTestDesk();
});

afterAll(async () => {
  await t?.stop();
});

async function lockedAccount(email: string, fullName: string): Promise<void> {
  const ds = t.service.app.dataSource;
  await addAccount(ds, { email, fullName, company: 'Example Ltd' }, 'test');
  for (let i = 0; i < 6; i++) await recordFailedSignIn(ds, email, t.config.LOCKOUT_MAX_FAILURES);
}

async function requestFor(messageId: string) {
  const rows: Array<{ reference: string; status: string }> = await t.service.app.dataSource.query(
    `SELECT r.reference, r.status FROM unlock_requests r
       JOIN inbound_messages m ON m.id = r.inbound_message_id WHERE m.message_id = $1`,
    [messageId],
  );
  return rows[0];
}

const emailsTo = (address: string) => t.smtp.emails.filter((e) => e.to.includes(address));
const agent = 'agent@ams-support.example';

describe('the unlock pipeline on real services', () => {
  it('turns an email into a request, acknowledges it, and unlocks on approval', async () => {
    await lockedAccount('jane.doe@example.com', 'Jane Doe');
    const messageId = 'jane-1@example.com';

    await t.append(
      requestEmail({
        from: 'Jane Doe <jane.doe@example.com>',
        messageId,
        body: [
          'Full name: Jane Doe',
          'Registered email: jane.doe@example.com',
          'Description: I entered the wrong password too many times.',
        ].join('\r\n'),
      }),
    );

    const request = await waitFor('the request', () => requestFor(messageId));
    expect(request.status).toBe('pending_review');
    const ack = await waitFor(
      'the acknowledgement',
      async () => emailsTo('jane.doe@example.com')[0],
    );
    expect(ack.parsed.subject).toContain(request.reference);
    expect(ack.parsed.inReplyTo).toBe(`<${messageId}>`);
    expect(ack.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(ack.parsed.text).not.toContain('Jane');

    const listed = await listRequests(t.service.app.desk, 'pending_review');
    expect(listed.map((r) => r.reference)).toContain(request.reference);
    const shown = await showRequest(t.service.app.desk, request.reference);
    expect(shown).toMatchObject({
      fullName: 'Jane Doe',
      registeredEmail: 'jane.doe@example.com',
      path: 'normal',
      checks: {
        accountFound: true,
        accountLocked: true,
        senderMatchesRegistered: true,
        dmarcAlignedPass: true,
      },
    });

    const result = await approveRequest(t.service.app.desk, {
      reference: request.reference,
      agent,
    });
    expect(result.status).toBe('unlocked');
    const account = await requireAccount(t.service.app.dataSource.manager, 'jane.doe@example.com');
    expect(account).toMatchObject({ locked: false, failedAttempts: 0 });

    const confirmation = await waitFor(
      'the confirmation',
      async () => emailsTo('jane.doe@example.com')[1],
    );
    expect(confirmation.parsed.subject).toContain(request.reference);
    expect(confirmation.parsed.text).toContain('Forgot Password');
    expect(confirmation.parsed.from?.value[0].address).toBe(SUPPORT_ADDRESS);

    const audit: Array<{ action: string }> = await t.service.app.dataSource.query(
      `SELECT action FROM audit_log WHERE account_id = $1 ORDER BY id`,
      [account.id],
    );
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['account.locked', 'account.unlocked']),
    );

    const folders = await waitFor('the message to move', async () => {
      const f = await folderContents(t.config, ['INBOX', 'Processed']);
      return f.Processed.length === 1 && f.INBOX.length === 0 && f;
    });
    expect(folders.Processed[0]).toContain('\\Seen');
  });

  it('refuses bad agent input with clear errors and changes nothing', async () => {
    const desk = t.service.app.desk;
    const [done] = await listRequests(desk, 'unlocked');

    await expect(approveRequest(desk, { reference: 'AMS-999999', agent })).rejects.toThrow(
      'No request has the reference AMS-999999',
    );
    await expect(approveRequest(desk, { reference: done.reference, agent })).rejects.toThrow(
      /is unlocked; it cannot be approved/,
    );
    await expect(
      rejectRequest(desk, { reference: done.reference, agent, reason: 'x' }),
    ).rejects.toThrow(/cannot become rejected/);
    await expect(
      approveRequest(desk, { reference: done.reference, agent: 'not an email' }),
    ).rejects.toThrow(/--agent/);
    const listed = {
      ...desk,
      settings: { ...desk.settings, agents: ['agent@ams-support.example'] },
    };
    await expect(
      approveRequest(listed, { reference: done.reference, agent: 'agent+2@ams-support.example' }),
    ).rejects.toThrow('agent+2@ams-support.example is not a support agent (SUPPORT_AGENTS)');
  });

  it('refuses to approve for an unknown account, and rejects without email', async () => {
    const messageId = 'ghost-1@example.com';
    await t.append(
      requestEmail({
        from: 'ghost@example.com',
        messageId,
        body: 'Name: Casper Ghost\r\nEmail: ghost@example.com\r\nDescription: locked out',
      }),
    );
    const request = await waitFor('the request', () => requestFor(messageId));

    const refusal = await approveRequest(t.service.app.desk, {
      reference: request.reference,
      agent,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(hasCode(refusal, 'NOT_APPROVABLE')).toBe(true);

    const result = await rejectRequest(t.service.app.desk, {
      reference: request.reference,
      agent,
      reason: 'No such account',
    });
    expect(result.status).toBe('rejected');
    const [{ n }]: Array<{ n: string }> = await t.service.app.dataSource.query(
      `SELECT count(*) AS n FROM outbound_emails WHERE kind = 'rejection'`,
    );
    expect(Number(n)).toBe(0);
  });

  it('stores a message delivered twice once, and moves both copies', async () => {
    const message = requestEmail({
      from: 'twice@example.com',
      messageId: 'twice@example.com',
      body: 'Name: Tw Ice\r\nEmail: twice@example.com\r\nDescription: locked',
    });
    await t.append(message, message);

    await waitFor('the request', () => requestFor('twice@example.com'));
    await waitFor(
      'both copies to leave the inbox',
      async () => (await folderContents(t.config, ['INBOX'])).INBOX.length === 0,
    );
    const [{ n }]: Array<{ n: string }> = await t.service.app.dataSource.query(
      `SELECT count(*) AS n FROM inbound_messages WHERE message_id = 'twice@example.com'`,
    );
    expect(Number(n)).toBe(1);
  });

  it('files an out-of-office reply as unprocessed and flagged, without answering it', async () => {
    await t.append(
      requestEmail({
        from: 'away@example.com',
        subject: 'Automatic reply: AMS Account Unlock Request',
        headers: ['Auto-Submitted: auto-replied'],
        body: 'I am out of the office.',
      }),
    );

    const folders = await waitFor('the reply to be filed', async () => {
      const f = await folderContents(t.config, ['Unprocessed']);
      return f.Unprocessed.length === 1 && f;
    });
    expect(folders.Unprocessed[0]).toContain('\\Flagged');
    const [{ n }]: Array<{ n: string }> = await t.service.app.dataSource.query(
      `SELECT count(*) AS n FROM outbound_emails WHERE to_address = 'away@example.com'`,
    );
    expect(Number(n)).toBe(0);
  });
});

describe('a request with missing details', () => {
  it('asks for them, and a reply keeping the reference completes the request', async () => {
    await lockedAccount('sam.lee@example.com', 'Sam Lee');
    const messageId = 'sam-1@example.com';
    await t.append(
      requestEmail({
        from: 'sam.lee@example.com',
        messageId,
        body: 'Hi, my name is Sam Lee and I am locked out of AMS after too many attempts.',
      }),
    );
    const request = await waitFor('the request', () => requestFor(messageId));
    expect(request.status).toBe('needs_info');
    const ask = await waitFor(
      'the request for details',
      async () => emailsTo('sam.lee@example.com')[0],
    );
    expect(ask.parsed.subject).toContain(request.reference);

    await t.append(
      requestEmail({
        from: 'sam.lee@example.com',
        subject: `Re: ${ask.parsed.subject}`,
        headers: [`In-Reply-To: ${ask.parsed.messageId}`, `References: ${ask.parsed.messageId}`],
        body: 'Registered email: sam.lee@example.com',
      }),
    );

    const shown = await waitFor('the request to complete', async () => {
      const details = await showRequest(t.service.app.desk, request.reference);
      return details.status === 'pending_review' && details;
    });
    expect(shown).toMatchObject({
      registeredEmail: 'sam.lee@example.com',
      missing: [],
      checks: { accountFound: true, accountLocked: true },
    });
    expect(shown.replies).toHaveLength(1);
    await waitFor('the acknowledgement', async () => emailsTo('sam.lee@example.com')[1]);
  });
});

describe('which request a new email belongs to', () => {
  it("keeps a victim's request apart from a stranger's naming the same account", async () => {
    await lockedAccount('vic.tim@example.com', 'Vic Tim');
    await t.append(
      requestEmail({
        from: 'mallory@evil.example',
        messageId: 'mallory-1@evil.example',
        body: 'Registered email: vic.tim@example.com',
      }),
    );
    const strangers = await waitFor('the stranger request', () =>
      requestFor('mallory-1@evil.example'),
    );
    expect(strangers.status).toBe('needs_info');

    await t.append(
      requestEmail({
        from: 'vic.tim@example.com',
        messageId: 'vic-1@example.com',
        body: 'Name: Vic Tim\r\nRegistered email: vic.tim@example.com\r\nDescription: locked out',
      }),
    );
    const victims = await waitFor('the victim request', () => requestFor('vic-1@example.com'));

    expect(victims.status).toBe('pending_review');
    expect((await showRequest(t.service.app.desk, victims.reference)).path).toBe('normal');
    const ack = await waitFor(
      'the acknowledgement',
      async () => emailsTo('vic.tim@example.com')[0],
    );
    expect(ack.parsed.subject).toContain(victims.reference);
  });

  it('completes a waiting request from a fresh email by the same sender', async () => {
    await t.append(
      requestEmail({
        from: 'rita.r@example.com',
        messageId: 'rita-1@example.com',
        body: 'Name: Rita R\r\nRegistered email: rita.r@example.com',
      }),
    );
    const waiting = await waitFor('the request', () => requestFor('rita-1@example.com'));
    expect(waiting.status).toBe('needs_info');

    await t.append(
      requestEmail({
        from: 'rita.r@example.com',
        messageId: 'rita-2@example.com',
        body: [
          'Name: Rita R',
          'Registered email: rita.r@example.com',
          'Description: locked out',
        ].join('\r\n'),
      }),
    );

    expect((await waitFor('the second email', () => requestFor('rita-2@example.com'))).status).toBe(
      'duplicate',
    );
    await waitFor('the first request to complete', async () => {
      const details = await showRequest(t.service.app.desk, waiting.reference);
      return details.status === 'pending_review' && details.missing.length === 0;
    });
  });

  it("keeps a manager's forwards for two people apart", async () => {
    await t.append(
      requestEmail({
        from: 'boss@contoso.example',
        messageId: 'fw-a@contoso.example',
        subject: 'FW: AMS Account Unlock Request',
        body: 'Registered email: alice.a@contoso.example\r\nDescription: Alice is locked out',
      }),
    );
    const first = await waitFor('the first forward', () => requestFor('fw-a@contoso.example'));
    expect(first.status).toBe('needs_info');

    await t.append(
      requestEmail({
        from: 'boss@contoso.example',
        messageId: 'fw-b@contoso.example',
        subject: 'FW: AMS Account Unlock Request',
        body: [
          'Full name: Bob Brown',
          'Registered email: bob.b@contoso.example',
          'Description: Bob too',
        ].join('\r\n'),
      }),
    );
    const second = await waitFor('the second forward', () => requestFor('fw-b@contoso.example'));

    expect(second.status).toBe('pending_review');
    const firstNow = await showRequest(t.service.app.desk, first.reference);
    expect(firstNow).toMatchObject({ status: 'needs_info', fullName: null });
  });

  it('does not let a forged email fill in a waiting request', async () => {
    await t.append(
      requestEmail({
        from: 'kate.k@contoso.example',
        messageId: 'kate-1@contoso.example',
        body: 'Name: Kate K\r\nDescription: locked out',
      }),
    );
    const waiting = await waitFor('the request', () => requestFor('kate-1@contoso.example'));
    expect(waiting.status).toBe('needs_info');

    await t.append(
      requestEmail({
        from: 'kate.k@contoso.example',
        messageId: 'kate-forged@contoso.example',
        authResults: 'mx.ams-support.example; dmarc=fail header.from=contoso.example',
        body: 'Name: Kate K\r\nRegistered email: admin@contoso.example\r\nDescription: x',
      }),
    );
    await waitFor('the forged email', () => requestFor('kate-forged@contoso.example'));

    const details = await showRequest(t.service.app.desk, waiting.reference);
    expect(details).toMatchObject({ status: 'needs_info', registeredEmail: null });
    const [{ n }]: Array<{ n: string }> = await t.service.app.dataSource.query(
      `SELECT count(*) AS n FROM outbound_emails WHERE to_address = 'kate.k@contoso.example'`,
    );
    expect(Number(n)).toBe(1);
  });

  it('does not count a user asking again against their own request cap', async () => {
    await lockedAccount('rep.eat@example.com', 'Rep Eat');
    const body = 'Name: Rep Eat\r\nRegistered email: rep.eat@example.com\r\nDescription: locked';
    for (let i = 1; i <= 4; i++) {
      await t.append(
        requestEmail({ from: 'rep.eat@example.com', messageId: `rep-${i}@example.com`, body }),
      );
      await waitFor(`email ${i}`, () => requestFor(`rep-${i}@example.com`));
    }

    const original = await requestFor('rep-1@example.com');
    const details = await showRequest(t.service.app.desk, original.reference);
    expect(details.mergedRequests).toHaveLength(3);
    expect(details).toMatchObject({ path: 'normal', pathRules: [] });
  });

  it('opens a new request when someone answers a closed one asking again', async () => {
    const [closed] = await listRequests(t.service.app.desk, 'unlocked');
    await t.append(
      requestEmail({
        from: 'jane.doe@example.com',
        messageId: 'jane-again@example.com',
        subject: `Re: AMS Account Unlock Request [${closed.reference}] unlocked`,
        body: [
          'Locked out again.',
          'Name: Jane Doe',
          'Registered email: jane.doe@example.com',
          'Description: again',
        ].join('\r\n'),
      }),
    );

    const again = await waitFor('the new request', () => requestFor('jane-again@example.com'));
    expect(again.reference).not.toBe(closed.reference);
    expect(again.status).toBe('pending_review');
  });
});
