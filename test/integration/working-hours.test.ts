import { addAccount, recordFailedSignIn, requireAccount } from '../../src/accounts/account-store';
import { hasCode } from '../../src/errors';
import { listRequests, showRequest } from '../../src/requests/queries';
import { reportOverdue } from '../../src/requests/report';
import { approveRequest, rejectRequest } from '../../src/requests/review';
import { requestEmail, waitFor } from '../support/harness';
import { openingAfter, sleepUntil, startHoursDesk, type HoursDesk } from '../support/hours-desk';

/*
 * Real time, with a calendar that opens shortly: support is open every day from a whole London
 * minute a little after the test starts until midnight. Everything before that minute happens
 * while support is closed; the delayed review job then opens the backlog. The reconciler is
 * set to run only every ten minutes, so it cannot be what promotes the requests.
 */

const LEAD_MS = 15_000;
const opening = openingAfter(new Date(), { leadMs: LEAD_MS, marginMinutes: 10 });
const describeInHours = opening ? describe : describe.skip;
const TITLE = opening
  ? 'working hours on the running service'
  : 'working hours (skipped: the calendar needs 10 open minutes before midnight London time)';

const AGENT = 'agent@ams-support.example';
const SUPERVISOR = 'supervisor@ams-support.example';
const OVERRIDE_REASON = 'Payroll run blocked; director asked by phone';

let t: HoursDesk;

beforeAll(async () => {
  if (!opening) return;
  t = await startHoursDesk({
    BUSINESS_HOURS: `${opening.clock}-24:00`,
    SUPERVISOR_AGENTS: SUPERVISOR,
  });
});

afterAll(async () => {
  await t?.stop();
});

async function lockedAccount(email: string, fullName: string): Promise<void> {
  const ds = t.service.app.dataSource;
  await addAccount(ds, { email, fullName, company: 'Example Ltd' }, 'test');
  for (let i = 0; i < 6; i++) await recordFailedSignIn(ds, email, t.config.LOCKOUT_MAX_FAILURES);
}

async function sendRequest(email: string, fullName: string): Promise<void> {
  await t.append(
    requestEmail({
      from: `${fullName} <${email}>`,
      messageId: `${email.replace('@', '.')}@example.com`,
      body: [
        `Full name: ${fullName}`,
        `Registered email: ${email}`,
        'Description: I typed the wrong password too many times.',
      ].join('\r\n'),
    }),
  );
}

interface RequestRow {
  id: number;
  reference: string;
  status: string;
  review_due_at: Date | null;
}

async function requestOf(email: string): Promise<RequestRow | undefined> {
  const rows: RequestRow[] = await t.service.app.dataSource.query(
    `SELECT id, reference, status, review_due_at FROM unlock_requests WHERE sender_address = $1`,
    [email],
  );
  return rows[0];
}

const emailsTo = (address: string) => t.smtp.emails.filter((e) => e.to.includes(address));

const refusal = (work: Promise<unknown>) =>
  work.then(
    () => null,
    (err: unknown) => err as Error,
  );

describeInHours(TITLE, () => {
  const jane = 'jane.doe@example.com';
  const lee = 'lee.chan@example.com';
  const sam = 'sam.okafor@example.com';

  it('acknowledges an out-of-hours request at once, saying when it will be looked at', async () => {
    await lockedAccount(jane, 'Jane Doe');
    await lockedAccount(lee, 'Lee Chan');

    await sendRequest(jane, 'Jane Doe');
    await waitFor('the first request', () => requestOf(jane));
    await sendRequest(lee, 'Lee Chan');

    const request = await waitFor('the second request', () => requestOf(lee));
    const first = (await requestOf(jane)) as RequestRow;
    expect([first.status, request.status]).toEqual(['received', 'received']);
    expect(first.review_due_at?.getTime()).toBe(opening?.at.getTime());
    const ack = await waitFor('the acknowledgement', async () => emailsTo(jane)[0]);
    expect(Date.now()).toBeLessThan(opening?.at.getTime() ?? 0);
    expect(ack.parsed.subject).toContain(first.reference);
    expect(ack.parsed.text).toContain(`from ${opening?.described}`);
    expect(ack.parsed.text).toContain(t.service.app.desk.calendar.describeHours());

    const delayed = await t.service.app.queues.queues.review.getDelayed();
    const job = delayed.find((j) => j.data.requestId === first.id);
    expect(job?.id).toBe(`review-${first.id}-${opening?.at.getTime()}`);
    expect(job?.delay).toBeGreaterThan(0);
  });

  it('refuses approval and rejection while closed, naming the next opening', async () => {
    const desk = t.service.app.desk;
    const { reference } = (await requestOf(jane)) as RequestRow;

    const approval = await refusal(approveRequest(desk, { reference, agent: AGENT }));
    const rejection = await refusal(rejectRequest(desk, { reference, agent: AGENT, reason: 'x' }));
    const notSupervisor = await refusal(
      approveRequest(desk, { reference, agent: AGENT, overrideReason: 'urgent' }),
    );

    expect(hasCode(approval, 'OUTSIDE_HOURS')).toBe(true);
    expect(approval?.message).toContain(`try again from ${opening?.described}`);
    expect(hasCode(rejection, 'OUTSIDE_HOURS')).toBe(true);
    expect(hasCode(notSupervisor, 'OUTSIDE_HOURS')).toBe(true);
    expect(notSupervisor?.message).toContain('not a supervisor');
    const account = await requireAccount(t.service.app.dataSource.manager, jane);
    expect(account.locked).toBe(true);
    expect((await requestOf(jane))?.status).toBe('received');
    expect(emailsTo(jane)).toHaveLength(1);
  });

  it('lets a supervisor act while closed with a reason, and audits the override', async () => {
    await lockedAccount(sam, 'Sam Okafor');
    await sendRequest(sam, 'Sam Okafor');
    const request = await waitFor('the request', () => requestOf(sam));
    expect(request.status).toBe('received');

    const result = await approveRequest(t.service.app.desk, {
      reference: request.reference,
      agent: SUPERVISOR,
      overrideReason: OVERRIDE_REASON,
    });

    expect(Date.now()).toBeLessThan(opening?.at.getTime() ?? 0);
    expect(result.status).toBe('unlocked');
    const audit: Array<{ action: string; actor: string; details: { override: string } }> =
      await t.service.app.dataSource.query(
        `SELECT action, actor, details FROM audit_log
          WHERE request_id = $1 AND action IN ('decision.approve', 'request.unlocked') ORDER BY id`,
        [request.id],
      );
    expect(audit).toEqual([
      expect.objectContaining({ action: 'decision.approve', actor: SUPERVISOR }),
      expect.objectContaining({ action: 'request.unlocked', actor: SUPERVISOR }),
    ]);
    expect(audit.map((a) => a.details.override)).toEqual([OVERRIDE_REASON, OVERRIDE_REASON]);
    const shown = await showRequest(t.service.app.desk, request.reference);
    expect(shown.decisions).toEqual([
      expect.objectContaining({ agent: SUPERVISOR, overrideReason: OVERRIDE_REASON }),
    ]);
  });

  it('surfaces the waiting requests at the opening, oldest first, by the delayed job', async () => {
    const openingMs = opening?.at.getTime() ?? 0;
    expect(Date.now()).toBeLessThan(openingMs);
    expect(await listRequests(t.service.app.desk, 'pending_review')).toEqual([]);

    const surfacedAt = await waitFor(
      'the request to reach review',
      async () => (await requestOf(jane))?.status === 'pending_review' && Date.now(),
      openingMs - Date.now() + 15_000,
    );

    expect(surfacedAt).toBeGreaterThanOrEqual(openingMs);
    expect(surfacedAt - openingMs).toBeLessThan(5_000);
    const listed = await listRequests(t.service.app.desk, 'pending_review');
    expect(listed.map((r) => r.registeredEmail)).toEqual([jane, lee]);
    const [{ at }]: Array<{ at: Date }> = await t.service.app.dataSource.query(
      `SELECT a.at FROM audit_log a JOIN unlock_requests r ON r.id = a.request_id
        WHERE r.sender_address = $1 AND a.action = 'request.pending_review'`,
      [jane],
    );
    expect(at.getTime()).toBeGreaterThanOrEqual(openingMs);
  }, 120_000);

  it('unlocks and confirms only after an in-hours approval', async () => {
    const { reference } = (await requestOf(jane)) as RequestRow;
    const before = await requireAccount(t.service.app.dataSource.manager, jane);
    expect(before.locked).toBe(true);
    expect(emailsTo(jane)).toHaveLength(1);
    // An agent picks it up a moment after opening, so its working time is measurably above 0.
    await sleepUntil(new Date((opening?.at.getTime() ?? 0) + 2_000));

    const result = await approveRequest(t.service.app.desk, { reference, agent: AGENT });

    expect(result.status).toBe('unlocked');
    const after = await requireAccount(t.service.app.dataSource.manager, jane);
    expect(after).toMatchObject({ locked: false, failedAttempts: 0 });
    const confirmation = await waitFor('the confirmation', async () => emailsTo(jane)[1]);
    expect(confirmation.parsed.subject).toContain(reference);
    expect(confirmation.parsed.text).toContain('Forgot Password');
  });

  it('counts only working minutes, and reports requests over a small target', async () => {
    const desk = t.service.app.desk;
    const janeRef = ((await requestOf(jane)) as RequestRow).reference;
    const samRef = ((await requestOf(sam)) as RequestRow).reference;
    const leeRef = ((await requestOf(lee)) as RequestRow).reference;
    await waitFor('the first response to be recorded', async () => {
      const shown = await showRequest(desk, samRef);
      return shown.workingMinutes.toFirstResponse !== null;
    });

    const janeShown = await showRequest(desk, janeRef);
    const samShown = await showRequest(desk, samRef);
    const overdue = await reportOverdue(desk, { targetMinutes: 0, sinceDays: 1 });
    const notOverdue = await reportOverdue(desk, { targetMinutes: 60, sinceDays: 1 });

    const { toFirstResponse, toResolution } = janeShown.workingMinutes;
    expect(typeof toFirstResponse).toBe('number');
    expect(typeof toResolution).toBe('number');
    expect(toFirstResponse).toBe(0);
    const openMinutes = (Date.now() - (opening?.at.getTime() ?? 0)) / 60_000;
    expect(toResolution).toBeGreaterThanOrEqual(0.03);
    expect(toResolution).toBeLessThanOrEqual(openMinutes + 0.01);
    expect(samShown.workingMinutes).toEqual({ toFirstResponse: 0, toResolution: 0 });
    expect(overdue.map((r) => r.reference).sort()).toEqual([janeRef, leeRef].sort());
    expect(overdue.find((r) => r.reference === leeRef)?.resolvedAt).toBeNull();
    expect(notOverdue).toEqual([]);
  });
});
