import { createHash } from 'node:crypto';
import {
  clearLockExternally,
  recordFailedSignIn,
  requireAccount,
} from '../../src/accounts/account-store';
import { hasCode } from '../../src/errors';
import { approveRequest, rejectRequest } from '../../src/requests/review';
import { showRequest } from '../../src/requests/queries';
import { requestEmail, startTestDesk, waitFor, type TestDesk } from '../support/harness';
import {
  acknowledgementShape,
  addTestAccount,
  auditRows,
  capturedTo,
  capturedToDomain,
  caught,
  dmarcFailResults,
  dmarcPassResults,
  outboxRowsTo,
  rawHeaderFields,
  requestBody,
  waitForIntakeIdle,
  waitForOutboxDrained,
  waitForRequest,
} from '../support/trust-mail';

let t: TestDesk;
let delivered = 0;

beforeAll(async () => {
  t = await startTestDesk();
});

afterAll(async () => {
  await t?.stop();
});

const agentA = 'alice.agent@ams-support.example';
const agentB = 'bob.agent@ams-support.example';

/** Appends to the real mailbox and keeps count, so a test can wait for intake to go quiet. */
async function deliver(...messages: string[]): Promise<void> {
  delivered += messages.length;
  await t.append(...messages);
}

/** Waits until every delivered message is decided and every email it caused has gone out. */
async function settle(): Promise<void> {
  await waitForIntakeIdle(t, delivered);
  await waitForOutboxDrained(t);
}

const desk = () => t.service.app.desk;
const db = () => t.service.app.dataSource;

describe('who is asking', () => {
  it('unlocks at one approval for an authenticated sender at the registered address', async () => {
    await addTestAccount(t, { email: 'nora.normal@acme.example', fullName: 'Nora Normal' });
    const messageId = 'normal-1@acme.example';

    await deliver(
      requestEmail({
        from: 'Nora Normal <nora.normal@acme.example>',
        messageId,
        body: requestBody({ name: 'Nora Normal', email: 'nora.normal@acme.example' }),
      }),
    );
    const request = await waitForRequest(t, messageId);
    expect(request).toMatchObject({ status: 'pending_review', path: 'normal', path_rules: [] });

    const result = await approveRequest(desk(), { reference: request.reference, agent: agentA });
    expect(result.status).toBe('unlocked');
    const account = await requireAccount(db().manager, 'nora.normal@acme.example');
    expect(account).toMatchObject({ locked: false, failedAttempts: 0 });

    await settle();
    const kinds = (await outboxRowsTo(t, 'nora.normal@acme.example')).map((r) => r.kind);
    expect(kinds).toEqual(['acknowledgement', 'confirmation']);
    expect(capturedTo(t, 'nora.normal@acme.example')).toHaveLength(2);
  });

  it('refuses a spoofed From that fails DMARC, and sends it nothing', async () => {
    await addTestAccount(t, { email: 'ceo@bigcorp.example', fullName: 'Carla Boss' });
    const messageId = 'spoof-1@bigcorp.example';

    await deliver(
      requestEmail({
        from: 'Carla Boss <ceo@bigcorp.example>',
        messageId,
        authResults: dmarcFailResults('bigcorp.example'),
        body: requestBody({ name: 'Carla Boss', email: 'ceo@bigcorp.example' }),
      }),
    );
    const request = await waitForRequest(t, messageId);
    expect(request.path).toBe('refused');
    expect(request.path_rules).toContain('DMARC fail is never approvable');

    const refusal = await caught(
      approveRequest(desk(), { reference: request.reference, agent: agentA }),
    );
    expect(hasCode(refusal, 'NOT_APPROVABLE')).toBe(true);
    const refusalByB = await caught(
      approveRequest(desk(), { reference: request.reference, agent: agentB }),
    );
    expect(hasCode(refusalByB, 'NOT_APPROVABLE')).toBe(true);

    await settle();
    expect(await outboxRowsTo(t, 'ceo@bigcorp.example')).toEqual([]);
    expect(capturedTo(t, 'ceo@bigcorp.example')).toEqual([]);
    expect((await requireAccount(db().manager, 'ceo@bigcorp.example')).locked).toBe(true);
  });

  it.each<{ label: string; account: string; from: string; headers: string[]; problem: string }>([
    {
      label: 'a display name hiding another address',
      account: 'victim1@acme.example',
      from: '"victim1@acme.example" <attacker@evil.example>',
      headers: [],
      problem: 'display name contains another address',
    },
    {
      label: 'several From headers',
      account: 'victim2@acme.example',
      from: 'victim2@acme.example',
      headers: ['From: attacker@evil.example'],
      problem: 'several From headers',
    },
    {
      label: 'group syntax',
      account: 'victim3@acme.example',
      from: 'Helpers: victim3@acme.example, attacker@evil.example;',
      headers: [],
      problem: 'group syntax',
    },
  ])('treats $label as unverifiable: elevated, never answered', async (c) => {
    await addTestAccount(t, { email: c.account, fullName: 'Vic Tim' });
    const messageId = `hidden-${c.account}`;

    await deliver(
      requestEmail({
        from: c.from,
        messageId,
        headers: c.headers,
        authResults: dmarcPassResults('evil.example'),
        body: requestBody({ name: 'Vic Tim', email: c.account }),
      }),
    );
    const request = await waitForRequest(t, messageId);
    expect(request).toMatchObject({ sender_address: null, sender_problem: c.problem });
    expect(request.path).toBe('elevated');
    expect(request.path_rules).toContain('sender cannot be verified (ambiguous From header)');

    const first = await approveRequest(desk(), { reference: request.reference, agent: agentA });
    expect(first.status).toBe('approved');
    expect((await requireAccount(db().manager, c.account)).locked).toBe(true);

    await settle();
    expect(await outboxRowsTo(t, 'attacker@evil.example')).toEqual([]);
    expect(await outboxRowsTo(t, c.account)).toEqual([]);
    expect(capturedToDomain(t, 'evil.example')).toEqual([]);
  });
});

describe('the elevated path: a personal address asking for a work account', () => {
  const registered = 'jane.work@acme.example';
  const personal = 'jane.home@mailbox.example';
  const messageId = 'personal-1@mailbox.example';
  let raw: string;
  let request: Awaited<ReturnType<typeof waitForRequest>>;

  it('needs two different agents and sends the reset only to the registered address', async () => {
    await addTestAccount(t, { email: registered, fullName: 'Jane Worker' });
    raw = requestEmail({
      from: `Jane Worker <${personal}>`,
      messageId,
      body: requestBody({ name: 'Jane Worker', email: registered }),
    });

    await deliver(raw);
    request = await waitForRequest(t, messageId);
    expect(request.path).toBe('elevated');
    expect(request.path_rules).toContain('sender differs from registered address');

    const first = await approveRequest(desk(), { reference: request.reference, agent: agentA });
    expect(first.status).toBe('approved');
    const again = await caught(
      approveRequest(desk(), { reference: request.reference, agent: agentA }),
    );
    expect(hasCode(again, 'SECOND_AGENT_REQUIRED')).toBe(true);
    const second = await approveRequest(desk(), { reference: request.reference, agent: agentB });
    expect(second.status).toBe('reset_sent');
    expect((await requireAccount(db().manager, registered)).locked).toBe(true);

    await settle();
    expect((await outboxRowsTo(t, personal)).map((r) => r.kind)).toEqual(['acknowledgement']);
    expect((await outboxRowsTo(t, registered)).map((r) => r.kind)).toEqual(['reset_sent']);
    const [reset] = capturedTo(t, registered);
    expect(reset.to).toEqual([registered]);
    expect(reset.parsed.subject).toContain(request.reference);
    expect(capturedTo(t, personal)).toHaveLength(1);
  });

  it('records every step in an append-only audit log', async () => {
    await clearLockExternally(db(), registered, 'password_reset');
    const account = await requireAccount(db().manager, registered);
    const [inbound]: Array<{ raw_sha256: string }> = await db().query(
      `SELECT raw_sha256 FROM inbound_messages WHERE message_id = $1`,
      [messageId],
    );

    const rows = await auditRows(t, request.id, account.id);
    const one = (action: string) => rows.find((r) => r.action === action)?.details ?? {};
    expect(inbound.raw_sha256).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(one('request.created')).toMatchObject({
      messageId,
      sha256: inbound.raw_sha256,
      sender: personal,
      claimedName: 'Jane Worker',
      claimedEmail: registered,
      accountFound: true,
      accountLocked: true,
      authentication: {
        source: 'authentication-results',
        dmarc: 'pass',
        evidence: expect.arrayContaining([expect.stringContaining('dmarc=pass')]),
      },
    });
    expect(one('request.first_approval')).toMatchObject({
      rulesRequiringSecondAgent: expect.arrayContaining(['sender differs from registered address']),
    });
    const decisions = rows.filter((r) => r.action === 'decision.approve').map((r) => r.actor);
    expect(decisions).toEqual([agentA, agentB]);
    // The lock state is recorded on both sides of the action that closed the request.
    expect(one('request.reset_sent')).toMatchObject({ lockedBefore: true, lockedAfter: true });
    expect(one('account.unlocked_by_password_reset')).toMatchObject({
      lockedBefore: true,
      lockedAfter: false,
    });
    const sent = rows.filter((r) => r.action === 'email.sent').map((r) => r.details);
    expect(sent).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'acknowledgement', to: personal }),
        expect.objectContaining({ kind: 'reset_sent', to: registered }),
      ]),
    );
    expect(JSON.stringify(rows)).not.toContain('typed the wrong password');

    await expect(db().query(`UPDATE audit_log SET actor = 'mallory'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db().query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
  });

  it('lets a first approval lapse: the next approval starts over as a first approval', async () => {
    const registeredLapse = 'lapse.work@acme.example';
    await addTestAccount(t, { email: registeredLapse, fullName: 'Lars Lapse' });
    await deliver(
      requestEmail({
        from: 'lars.home@mailbox.example',
        messageId: 'lapse-1@mailbox.example',
        body: requestBody({ name: 'Lars Lapse', email: registeredLapse }),
      }),
    );
    const lapse = await waitForRequest(t, 'lapse-1@mailbox.example');

    await approveRequest(desk(), { reference: lapse.reference, agent: agentA });
    await db().query(
      `UPDATE unlock_requests SET approval_expires_at = now() - interval '1 minute' WHERE id = $1`,
      [lapse.id],
    );
    const afterLapse = await approveRequest(desk(), { reference: lapse.reference, agent: agentB });
    expect(afterLapse.status).toBe('approved');
    expect(afterLapse.message).toMatch(/first approval/);

    // B is now the only live approver, so B alone still cannot act, and A may now second it.
    const bAgain = await caught(
      approveRequest(desk(), { reference: lapse.reference, agent: agentB }),
    );
    expect(hasCode(bAgain, 'SECOND_AGENT_REQUIRED')).toBe(true);
    const aSeconds = await approveRequest(desk(), { reference: lapse.reference, agent: agentA });
    expect(aSeconds.status).toBe('reset_sent');
  });

  it('closes as no action needed when the company admin unlocked it meanwhile', async () => {
    const registeredMeanwhile = 'mia.work@acme.example';
    await addTestAccount(t, { email: registeredMeanwhile, fullName: 'Mia Meanwhile' });
    await deliver(
      requestEmail({
        from: 'mia.home@mailbox.example',
        messageId: 'meanwhile-1@mailbox.example',
        body: requestBody({ name: 'Mia Meanwhile', email: registeredMeanwhile }),
      }),
    );
    const meanwhile = await waitForRequest(t, 'meanwhile-1@mailbox.example');

    await approveRequest(desk(), { reference: meanwhile.reference, agent: agentA });
    await clearLockExternally(db(), registeredMeanwhile, 'company_admin');
    const result = await approveRequest(desk(), { reference: meanwhile.reference, agent: agentB });

    expect(result.status).toBe('no_action_needed');
    await settle();
    expect((await outboxRowsTo(t, registeredMeanwhile)).map((r) => r.kind)).toEqual([
      'no_action_needed',
    ]);
    expect((await outboxRowsTo(t, 'mia.home@mailbox.example')).map((r) => r.kind)).toEqual([
      'acknowledgement',
    ]);
  });
});

describe('caps', () => {
  it('sends a second support unlock of an account in 24 hours to the elevated path', async () => {
    const email = 'carl.capped@acme.example';
    await addTestAccount(t, { email, fullName: 'Carl Capped' });
    await deliver(
      requestEmail({
        from: email,
        messageId: 'cap-1@acme.example',
        body: requestBody({ name: 'Carl Capped', email }),
      }),
    );
    const first = await waitForRequest(t, 'cap-1@acme.example');
    expect(first.path).toBe('normal');
    expect(
      (await approveRequest(desk(), { reference: first.reference, agent: agentA })).status,
    ).toBe('unlocked');

    for (let i = 0; i <= t.config.LOCKOUT_MAX_FAILURES; i++) {
      await recordFailedSignIn(db(), email, t.config.LOCKOUT_MAX_FAILURES);
    }
    await deliver(
      requestEmail({
        from: email,
        messageId: 'cap-2@acme.example',
        body: requestBody({ name: 'Carl Capped', email }),
      }),
    );
    const second = await waitForRequest(t, 'cap-2@acme.example');

    expect(second).toMatchObject({ status: 'pending_review', path: 'elevated' });
    expect(second.path_rules).toContain('account unlock cap reached (1 in 24h)');
    const result = await approveRequest(desk(), { reference: second.reference, agent: agentA });
    expect(result.status).toBe('approved');
    expect((await requireAccount(db().manager, email)).locked).toBe(true);
  });
});

describe('what the mailbox says back', () => {
  it('acknowledges unknown, locked, unlocked and mismatched requests identically', async () => {
    await addTestAccount(t, { email: 'lou.locked@acme.example', fullName: 'Lou Locked' });
    await addTestAccount(t, {
      email: 'fay.free@acme.example',
      fullName: 'Fay Free',
      locked: false,
    });
    await addTestAccount(t, { email: 'sam.work@acme.example', fullName: 'Sam Split' });
    const cases = [
      { from: 'nobody.here@acme.example', claims: 'nobody.here@acme.example', name: 'No Body' },
      { from: 'lou.locked@acme.example', claims: 'lou.locked@acme.example', name: 'Lou Locked' },
      { from: 'fay.free@acme.example', claims: 'fay.free@acme.example', name: 'Fay Free' },
      { from: 'sam.home@mailbox.example', claims: 'sam.work@acme.example', name: 'Sam Split' },
    ];

    await deliver(
      ...cases.map((c, i) =>
        requestEmail({
          from: `${c.name} <${c.from}>`,
          messageId: `same-ack-${i}@example.net`,
          body: requestBody({ name: c.name, email: c.claims, description: `Quoted text ${i}` }),
        }),
      ),
    );
    const acks = await waitFor('four acknowledgements', async () => {
      const found = cases.map((c) => capturedTo(t, c.from)[0]);
      return found.every((a) => a !== undefined) && found;
    });

    const shapes = acks.map(acknowledgementShape);
    for (const shape of shapes.slice(1)) expect(shape).toEqual(shapes[0]);
    expect(shapes[0].subject).toBe('AMS Account Unlock Request [AMS-NNNN] received');
    expect(shapes[0].html).toContain('We have received your AMS account unlock request');
    for (const [i, ack] of acks.entries()) {
      const everything = `${ack.parsed.subject} ${ack.parsed.text} ${String(ack.parsed.html)}`;
      expect(everything).not.toContain(cases[i].name);
      expect(everything).not.toContain('Quoted text');
    }
  });

  it('sends an answering autoresponder at most one message in total', async () => {
    const robot = 'robot@autoresponder.example';
    await deliver(
      requestEmail({
        from: robot,
        messageId: 'robot-0@autoresponder.example',
        body: requestBody({ name: 'Robo Responder', email: robot }),
      }),
    );
    const request = await waitForRequest(t, 'robot-0@autoresponder.example');

    let answered = 0;
    for (let round = 0; round < 4; round++) {
      await settle();
      const toRobot = capturedTo(t, robot);
      if (toRobot.length === answered) break;
      const news = toRobot.slice(answered);
      answered = toRobot.length;
      await deliver(...news.flatMap((e, i) => robotAnswers(e, request.reference, round, i)));
    }

    await settle();
    expect(capturedTo(t, robot)).toHaveLength(1);
    expect(await outboxRowsTo(t, robot)).toHaveLength(1);
  });

  it('stores all 50 requests of a burst from one sender, merges them, acks once', async () => {
    const sender = 'burst@acme.example';
    await addTestAccount(t, { email: sender, fullName: 'Bea Burst' });
    const messages = Array.from({ length: 50 }, (_, i) =>
      requestEmail({
        from: sender,
        messageId: `burst-${i}@acme.example`,
        body: requestBody({ name: 'Bea Burst', email: sender }),
      }),
    );

    await deliver(...messages);
    await settle();

    const [stored]: Array<{ n: string }> = await db().query(
      `SELECT count(*) AS n FROM inbound_messages
        WHERE message_id LIKE 'burst-%@acme.example' AND status = 'processed'`,
    );
    expect(Number(stored.n)).toBe(50);
    const requests: Array<{ id: number; status: string; merged_into_id: number | null }> =
      await db().query(
        `SELECT id, status, merged_into_id FROM unlock_requests WHERE sender_address = $1`,
        [sender],
      );
    expect(requests).toHaveLength(50);
    const open = requests.filter((r) => r.status !== 'duplicate');
    expect(open).toHaveLength(1);
    const merged = requests.filter((r) => r.status === 'duplicate');
    expect(merged).toHaveLength(49);
    expect(merged.every((r) => r.merged_into_id === open[0].id)).toBe(true);
    expect(await outboxRowsTo(t, sender)).toHaveLength(1);
    expect(capturedTo(t, sender)).toHaveLength(1);
  });
});

/**
 * What an autoresponder that answers everything sends back: a marked auto-reply, then an
 * unmarked "Re:" carrying our reference, then a fresh-looking request with no marks at all.
 */
function robotAnswers(
  ours: { parsed: { messageId?: string } },
  reference: string,
  round: number,
  i: number,
): string[] {
  const inReplyTo = ours.parsed.messageId ?? '';
  const threaded = [`In-Reply-To: ${inReplyTo}`, `References: ${inReplyTo}`];
  return [
    requestEmail({
      from: 'robot@autoresponder.example',
      messageId: `robot-${round}-${i}-auto@autoresponder.example`,
      subject: `Auto: AMS Account Unlock Request [${reference}] received`,
      headers: ['Auto-Submitted: auto-replied', ...threaded],
      body: 'I am a robot and I answer everything.',
    }),
    requestEmail({
      from: 'robot@autoresponder.example',
      messageId: `robot-${round}-${i}-re@autoresponder.example`,
      subject: `Re: AMS Account Unlock Request [${reference}]`,
      body: 'I am a robot and I answer everything.',
    }),
    requestEmail({
      from: 'robot@autoresponder.example',
      messageId: `robot-${round}-${i}-new@autoresponder.example`,
      subject: 'AMS Account Unlock Request',
      body: requestBody({ name: 'Robo Responder', email: 'robot@autoresponder.example' }),
    }),
  ];
}

describe('nothing from an email reaches a header or HTML unescaped', () => {
  // Digits or an address make the parser refuse a name, so these carry the line breaks it keeps:
  // NEL (U+0085) and LINE SEPARATOR (U+2028). The second email also tries a percent-encoded
  // CR/LF, a real CR/LF inside the name line and an address.
  const survivingName = 'Eve\u0085X-Injected: yes\u2028Bcc: attacker';
  const evilName = 'Eve%0d%0aBcc: x@evil.example\u2028Bcc: y@evil.example\r\nBcc: z@evil.example';
  const script = '<script>alert(1)</script>';

  it('keeps CR/LF in names and subjects and a script tag in the description inert', async () => {
    await addTestAccount(t, { email: 'eve@acme.example', fullName: 'Eve Example' });
    await addTestAccount(t, { email: 'eve2@acme.example', fullName: 'Eve Second' });
    await deliver(
      requestEmail({
        from: '=?utf-8?q?Eve=0D=0AX-Injected=3A_yes?= <eve@acme.example>',
        subject: 'AMS Account Unlock Request =?utf-8?q?=0D=0AX-Subject-Injected=3A_yes?=',
        messageId: 'inject-1@acme.example',
        body: requestBody({ name: survivingName, email: 'eve@acme.example', description: script }),
      }),
      requestEmail({
        from: '=?utf-8?q?Eve=0D=0ABcc=3A_x=40evil.example?= <eve2@acme.example>',
        messageId: 'inject-2@acme.example',
        body: requestBody({ name: evilName, email: 'eve2@acme.example', description: script }),
      }),
    );
    const visible = await waitForRequest(t, 'inject-1@acme.example');
    const hidden = await waitForRequest(t, 'inject-2@acme.example');
    expect(hidden.sender_problem).toBe('display name contains another address');
    expect(visible.missing).toEqual([]);
    expect(visible.claimed_name).toContain('X-Injected');

    expect(
      (await approveRequest(desk(), { reference: visible.reference, agent: agentA })).status,
    ).toBe('unlocked');
    await rejectRequest(desk(), { reference: hidden.reference, agent: agentA, reason: script });
    const shown = await showRequest(desk(), visible.reference);
    expect(shown.description).toContain('alert(1)');

    await settle();
    const outgoing = [...capturedTo(t, 'eve@acme.example'), ...capturedTo(t, 'eve2@acme.example')];
    expect(outgoing.map((e) => e.to)).toEqual(
      expect.arrayContaining([['eve@acme.example'], ['eve2@acme.example']]),
    );
    expect(outgoing.length).toBeGreaterThanOrEqual(3);
    for (const email of outgoing) {
      const names = rawHeaderFields(email.raw).map((h) => h.name);
      expect(names).not.toContain('bcc');
      expect(names).not.toContain('x-injected');
      expect(names).not.toContain('x-subject-injected');
      expect(email.raw.toString('utf8')).not.toContain('evil.example');
      expect(String(email.parsed.html)).not.toMatch(/<script/i);
      expect(email.parsed.bcc).toBeUndefined();
    }
    const rejection = capturedTo(t, 'eve2@acme.example').find((e) =>
      /\bnot approve/.test(e.parsed.text ?? ''),
    );
    expect(String(rejection?.parsed.html)).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(capturedToDomain(t, 'evil.example')).toEqual([]);
    const [evilRows]: Array<{ n: string }> = await db().query(
      `SELECT count(*) AS n FROM outbound_emails WHERE to_address ILIKE '%evil.example%'`,
    );
    expect(Number(evilRows.n)).toBe(0);
  });
});
