import type { EntityManager } from 'typeorm';
import { unlockAccount } from '../accounts/account-store';
import { isEmailAddress, normaliseEmail } from '../accounts/lockout';
import { recordAudit } from '../audit/record-audit';
import { Account } from '../db/entities/account';
import { UnlockRequest } from '../db/entities/unlock-request';
import { AppError } from '../errors';
import { enqueueEmail } from '../notify/outbox';
import type { EmailKind } from '../notify/render';
import { scheduleQuietly, type Desk } from './desk';
import { assessRequest } from './signals';
import { assertTransition, type RequestStatus } from './transitions';

export interface AgentAction {
  reference: string;
  agent: string;
  /** Required outside working hours; only supervisors may give one. */
  overrideReason?: string;
}

export interface ApproveInput extends AgentAction {
  note?: string;
}

export interface RejectInput extends AgentAction {
  reason: string;
}

export interface DecisionResult {
  reference: string;
  status: RequestStatus;
  /** What happened, in a sentence an agent can read. */
  message: string;
}

/**
 * Approves a request. On the normal path the account is unlocked at once; on the elevated
 * path a first approval waits for a second, different agent, and the action is then a
 * password-reset email instead of an unlock. Everything is re-checked at this moment.
 */
export async function approveRequest(desk: Desk, input: ApproveInput): Promise<DecisionResult> {
  const agent = checkAgent(desk, input.agent);
  const { result, emails } = await desk.dataSource.transaction(async (db) => {
    const request = await lockRequest(db, input.reference);
    const override = checkHours(desk, agent, input.overrideReason);
    assertApprovable(request);

    const account = request.accountId
      ? await db.getRepository(Account).findOneBy({ id: request.accountId })
      : null;
    if (!account) {
      throw new AppError(
        'NOT_APPROVABLE',
        `${request.reference} names no existing AMS account; ` +
          'reject it or ask for the registered email',
        { reference: request.reference },
      );
    }
    return decideApproval(
      { db, desk, request, account, agent, override, note: input.note },
      account,
    );
  });
  await scheduleQuietly(desk, () => desk.scheduler.sendEmails(emails));
  return result;
}

interface DecisionContext {
  db: EntityManager;
  desk: Desk;
  request: UnlockRequest;
  account: Account | null;
  agent: string;
  override: string | null;
  note?: string;
}

interface DecisionOutput {
  result: DecisionResult;
  emails: number[];
}

async function decideApproval(ctx: DecisionContext, account: Account): Promise<DecisionOutput> {
  const { db, desk, request } = ctx;
  const assessment = await assessRequest(db, request, account, desk.settings.caps);
  if (assessment.decision.path === 'refused') {
    throw new AppError(
      'NOT_APPROVABLE',
      `${request.reference} cannot be approved: ${assessment.decision.rules.join('; ')}`,
      { reference: request.reference, rules: assessment.decision.rules },
    );
  }
  if (!account.locked) return finish(ctx, 'no_action_needed', 'the account is no longer locked');

  await recordDecision(ctx, 'approve', ctx.note ?? null, assessment.decision.rules);
  if (assessment.decision.path === 'normal') return unlockNow(ctx, account);
  return approveElevated(ctx, account, assessment.decision.rules);
}

async function unlockNow(ctx: DecisionContext, account: Account): Promise<DecisionOutput> {
  const outcome = await unlockAccount(ctx.db, {
    accountId: account.id,
    lockVersion: account.lockVersion,
    email: account.email,
    actor: ctx.agent,
    requestId: ctx.request.id,
  });
  if (outcome !== 'unlocked')
    return finish(ctx, 'no_action_needed', 'the account is no longer locked');
  return finish(
    ctx,
    'unlocked',
    'account unlocked; confirmation emailed to the registered address',
  );
}

/**
 * The two-agent rule. The first approval records who approved which lockout and when it
 * lapses; the second, by someone else, before the lapse and for the same lockout, acts.
 */
async function approveElevated(
  ctx: DecisionContext,
  account: Account,
  rules: string[],
): Promise<DecisionOutput> {
  const { db, desk, request, agent } = ctx;
  const now = desk.now();
  const firstStillValid =
    request.status === 'approved' &&
    request.approvalExpiresAt !== null &&
    request.approvalExpiresAt > now &&
    request.approvedLockVersion === account.lockVersion &&
    request.approvedEmail === account.email;

  if (firstStillValid) {
    const first = await firstApprover(db, request.id, account.lockVersion);
    if (first === agent) {
      throw new AppError(
        'SECOND_AGENT_REQUIRED',
        `${request.reference} needs a second, different agent to approve (${rules.join('; ')})`,
        { reference: request.reference, rules },
      );
    }
    return finish(ctx, 'reset_sent', 'password-reset email sent to the registered address');
  }

  const expiresAt = new Date(now.getTime() + desk.settings.approvalTtlMinutes * 60_000);
  await db.query(
    `UPDATE unlock_requests SET status = 'approved', approved_lock_version = $2,
       approved_email = $3, approval_expires_at = $4, updated_at = now() WHERE id = $1`,
    [request.id, account.lockVersion, account.email, expiresAt],
  );
  await recordAudit(db, {
    action: 'request.first_approval',
    requestId: request.id,
    accountId: account.id,
    actor: agent,
    details: { rulesRequiringSecondAgent: rules, expiresAt: expiresAt.toISOString() },
  });
  return {
    result: {
      reference: request.reference,
      status: 'approved',
      message:
        'first approval recorded; a second agent must approve before ' +
        `${expiresAt.toISOString()} (${rules.join('; ')})`,
    },
    emails: [],
  };
}

async function firstApprover(
  db: EntityManager,
  requestId: number,
  lockVersion: number,
): Promise<string | null> {
  // The newest approval before the one just recorded is the live first approval: an earlier one
  // lapsed (or it would have been seconded), and a refused repeat rolled back with its row.
  const rows: Array<{ agent: string }> = await db.query(
    `SELECT agent FROM request_decisions
      WHERE request_id = $1 AND decision = 'approve' AND lock_version = $2
      ORDER BY id DESC LIMIT 1 OFFSET 1`,
    [requestId, lockVersion],
  );
  return rows[0]?.agent ?? null;
}

const OUTCOME_EMAIL: Partial<Record<RequestStatus, EmailKind>> = {
  unlocked: 'confirmation',
  reset_sent: 'reset_sent',
  no_action_needed: 'no_action_needed',
  rejected: 'rejection',
};

/** Closes the request and writes its outcome email to the registered address on the account. */
async function finish(
  ctx: DecisionContext,
  status: RequestStatus,
  message: string,
  reason?: string,
): Promise<DecisionOutput> {
  const { db, desk, request, account, agent } = ctx;
  assertTransition(request.reference, request.status, status);
  await db.query(
    `UPDATE unlock_requests SET status = $2, resolved_at = now(), updated_at = now(),
       approval_expires_at = NULL WHERE id = $1`,
    [request.id, status],
  );
  await recordAudit(db, {
    action: `request.${status}`,
    requestId: request.id,
    accountId: account?.id ?? null,
    actor: agent,
    details: {
      from: request.status,
      lockedBefore: account?.locked ?? null,
      lockedAfter: status === 'unlocked' ? false : (account?.locked ?? null),
      override: ctx.override,
      reason: reason ?? null,
    },
  });

  const kind = OUTCOME_EMAIL[status];
  const emails: number[] = [];
  if (kind && account) {
    const email = await enqueueEmail(db, desk.outbox, {
      kind,
      requestId: request.id,
      to: account.email,
      vars: { reference: request.reference, ...(reason ? { reason } : {}) },
      inReplyTo: request.senderAddress === account.email ? request.messageId : null,
      autoSubmitted: false,
    });
    emails.push(email.id);
  }
  return { result: { reference: request.reference, status, message }, emails };
}

/** Rejects a request; the rejection goes to the registered address, and only if one exists. */
export async function rejectRequest(desk: Desk, input: RejectInput): Promise<DecisionResult> {
  const agent = checkAgent(desk, input.agent);
  const reason = input.reason?.trim();
  if (!reason) throw new AppError('INVALID_INPUT', '--reason must say why the request is rejected');

  const { result, emails } = await desk.dataSource.transaction(async (db) => {
    const request = await lockRequest(db, input.reference);
    const override = checkHours(desk, agent, input.overrideReason);
    assertTransition(request.reference, request.status, 'rejected');
    const account = request.accountId
      ? await db.getRepository(Account).findOneBy({ id: request.accountId })
      : null;
    const ctx = { db, desk, request, account, agent, override };
    await recordDecision(ctx, 'reject', reason, []);
    const message = account
      ? 'request rejected; the registered address has been told why'
      : 'request rejected; no account matched, so no email is sent';
    return finish(ctx, 'rejected', message, reason);
  });
  await scheduleQuietly(desk, () => desk.scheduler.sendEmails(emails));
  return result;
}

async function recordDecision(
  ctx: Pick<DecisionContext, 'db' | 'request' | 'account' | 'agent' | 'override'>,
  decision: 'approve' | 'reject',
  reason: string | null,
  rules: string[],
): Promise<void> {
  await ctx.db.query(
    `INSERT INTO request_decisions
       (request_id, agent, decision, reason, override_reason, lock_version)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [ctx.request.id, ctx.agent, decision, reason, ctx.override, ctx.account?.lockVersion ?? null],
  );
  await recordAudit(ctx.db, {
    action: `decision.${decision}`,
    requestId: ctx.request.id,
    accountId: ctx.account?.id ?? null,
    actor: ctx.agent,
    details: { reason, override: ctx.override, rules },
  });
}

/** Approving twice, or approving a closed or merged request, is refused with its status. */
function assertApprovable(request: UnlockRequest): void {
  if (['received', 'pending_review', 'approved'].includes(request.status)) return;
  const hint =
    request.status === 'needs_info' ? '; it is waiting for the user to send missing details' : '';
  throw new AppError(
    'INVALID_TRANSITION',
    `${request.reference} is ${request.status}; it cannot be approved${hint}`,
    { reference: request.reference, status: request.status },
  );
}

/**
 * The agent as given. When SUPPORT_AGENTS lists the agents, only they may decide; the list
 * is what keeps one person from passing as two (a+2@...) under the two-agent rule.
 */
function checkAgent(desk: Desk, agent: string | undefined): string {
  const value = normaliseEmail(agent ?? '');
  if (!isEmailAddress(value)) {
    throw new AppError(
      'INVALID_INPUT',
      `--agent must be the agent's email address (got "${agent ?? ''}")`,
    );
  }
  const { agents, supervisors } = desk.settings;
  if (agents.length > 0 && !agents.includes(value) && !supervisors.includes(value)) {
    throw new AppError('INVALID_INPUT', `${value} is not a support agent (SUPPORT_AGENTS)`);
  }
  return value;
}

/** Agents act in working hours; a supervisor may act outside them, giving a reason. */
function checkHours(desk: Desk, agent: string, overrideReason: string | undefined): string | null {
  if (desk.calendar.isOpen(desk.now())) return null;
  const reason = overrideReason?.trim();
  if (reason && desk.settings.supervisors.includes(agent)) return reason;

  const opening = desk.calendar.describeNextOpening(desk.now());
  const hint = reason
    ? `${agent} is not a supervisor (SUPERVISOR_AGENTS)`
    : 'a supervisor may act now with --override REASON';
  throw new AppError(
    'OUTSIDE_HOURS',
    `Support acts ${desk.calendar.describeHours()}; try again from ${opening}, or ${hint}`,
  );
}

/** Loads a request by its reference and locks its row for the rest of the transaction. */
export async function lockRequest(db: EntityManager, reference: string): Promise<UnlockRequest> {
  const request = await db
    .getRepository(UnlockRequest)
    .createQueryBuilder('r')
    .where('r.reference = :reference', { reference: normaliseReference(reference) })
    .setLock('pessimistic_write')
    .getOne();
  if (!request) {
    throw new AppError('REQUEST_NOT_FOUND', `No request has the reference ${reference}`, {
      reference,
    });
  }
  return request;
}

/** Accepts "ams-1042" or "1042" as well as "AMS-1042". */
export function normaliseReference(reference: string): string {
  const digits = /^(?:AMS-?)?(\d{1,12})$/i.exec(reference.trim());
  return digits ? `AMS-${digits[1]}` : reference.trim();
}
