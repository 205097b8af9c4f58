import { requestEmail, waitFor } from '../support/harness';
import { openingAfter, startHoursDesk, type HoursDesk, type Opening } from '../support/hours-desk';

/*
 * A changed calendar takes effect for work already waiting. Two services, each with its own
 * schema, mailbox and queue prefix, take a request while closed and are then restarted with
 * new BUSINESS_HOURS: one opening earlier (the request must surface at the new time, not the
 * old), one opening later (the job scheduled for the old, earlier time must not surface it).
 * Real time: the early opening is a whole London minute shortly after the test starts.
 */

const now = new Date();
const early = openingAfter(now, { leadMs: 20_000, marginMinutes: 25 });
const late = openingAfter(now, { leadMs: 20_000, marginMinutes: 10, extraMinutes: 15 });
const describeInHours = early && late ? describe : describe.skip;
const TITLE =
  early && late
    ? 'a changed calendar and the reviews already waiting'
    : 'a changed calendar (skipped: it needs 25 open minutes before midnight London time)';

/** Moved earlier on restart, and moved later on restart. */
let earlier: HoursDesk;
let later: HoursDesk;

const hours = (opening: Opening | null) => `${opening?.clock}-24:00`;
const at = (opening: Opening | null) => opening?.at.getTime() ?? 0;

beforeAll(async () => {
  if (!early || !late) return;
  [earlier, later] = await Promise.all([
    startHoursDesk({ BUSINESS_HOURS: hours(late) }),
    startHoursDesk({ BUSINESS_HOURS: hours(early) }),
  ]);
});

afterAll(async () => {
  await Promise.all([earlier?.stop(), later?.stop()]);
});

interface RequestRow {
  id: number;
  status: string;
  review_due_at: Date;
}

async function theRequest(desk: HoursDesk): Promise<RequestRow | undefined> {
  const rows: RequestRow[] = await desk.service.app.dataSource.query(
    `SELECT id, status, review_due_at FROM unlock_requests`,
  );
  return rows[0];
}

async function sendRequest(desk: HoursDesk, email: string): Promise<RequestRow> {
  await desk.append(
    requestEmail({
      from: email,
      body: `Full name: Pat Doe\r\nRegistered email: ${email}\r\nDescription: locked out`,
    }),
  );
  return waitFor('the request', () => theRequest(desk));
}

describeInHours(TITLE, () => {
  it('acknowledges each request with the opening of the calendar it arrived under', async () => {
    const [movedEarlier, movedLater] = await Promise.all([
      sendRequest(earlier, 'pat@example.com'),
      sendRequest(later, 'kim@example.com'),
    ]);

    expect(movedEarlier).toMatchObject({ status: 'received' });
    expect(movedEarlier.review_due_at.getTime()).toBe(at(late));
    expect(movedLater.review_due_at.getTime()).toBe(at(early));
    const acks = await Promise.all(
      [earlier, later].map((desk) => waitFor('the ack', async () => desk.smtp.emails[0])),
    );
    expect(acks[0].parsed.text).toContain(`from ${late?.described}`);
    expect(acks[1].parsed.text).toContain(`from ${early?.described}`);
  });

  it('reschedules the waiting reviews when the service restarts with new hours', async () => {
    await Promise.all([
      earlier.restart({ BUSINESS_HOURS: hours(early) }),
      later.restart({ BUSINESS_HOURS: hours(late) }),
    ]);

    expect(Date.now()).toBeLessThan(at(early));
    const movedEarlier = (await theRequest(earlier)) as RequestRow;
    const movedLater = (await theRequest(later)) as RequestRow;
    expect(movedEarlier).toMatchObject({ status: 'received' });
    expect(movedEarlier.review_due_at.getTime()).toBe(at(early));
    expect(movedLater).toMatchObject({ status: 'received' });
    expect(movedLater.review_due_at.getTime()).toBe(at(late));
    const delayed = await earlier.service.app.queues.queues.review.getDelayed();
    expect(delayed.map((j) => j.id)).toContain(`review-${movedEarlier.id}-${at(early)}`);
  });

  it('surfaces a request at the new, earlier opening', async () => {
    const surfacedAt = await waitFor(
      'the request to reach review',
      async () => (await theRequest(earlier))?.status === 'pending_review' && Date.now(),
      at(early) - Date.now() + 15_000,
    );

    expect(surfacedAt).toBeGreaterThanOrEqual(at(early));
    expect(surfacedAt - at(early)).toBeLessThan(5_000);
  }, 120_000);

  it('does not surface a request early when its opening moved later', async () => {
    const request = (await theRequest(later)) as RequestRow;
    const oldJobId = `review-${request.id}-${at(early)}`;

    const review = later.service.app.queues.queues.review;
    await waitFor(
      'the old job to fire',
      async () => (await review.getJobState(oldJobId)) === 'completed',
    );

    expect(Date.now()).toBeGreaterThanOrEqual(at(early));
    expect(await theRequest(later)).toMatchObject({ status: 'received' });
    expect((await theRequest(later))?.review_due_at.getTime()).toBe(at(late));
    expect(later.smtp.emails).toHaveLength(1);
  });
});
