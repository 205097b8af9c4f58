import { Account } from '../db/entities/account';
import { UnlockRequest } from '../db/entities/unlock-request';
import { AppError } from '../errors';
import type { Desk } from './desk';
import { normaliseReference } from './review';
import { assessRequest } from './signals';
import {
  isRequestStatus,
  OPEN_STATUSES,
  REQUEST_STATUSES,
  type RequestStatus,
} from './transitions';

/** One line of `requests list`. */
export interface RequestSummary {
  reference: string;
  status: RequestStatus;
  receivedAt: string;
  sender: string | null;
  fullName: string | null;
  registeredEmail: string | null;
  missing: string[];
  accountFound: boolean;
  accountLocked: boolean | null;
  path: string | null;
}

/** Requests oldest first: one status, or every open one. */
export async function listRequests(desk: Desk, status?: string): Promise<RequestSummary[]> {
  if (status !== undefined && !isRequestStatus(status)) {
    throw new AppError(
      'INVALID_INPUT',
      `--status must be one of ${REQUEST_STATUSES.join(', ')} (got "${status}")`,
    );
  }
  const rows: Array<Record<string, unknown>> = await desk.dataSource.query(
    `SELECT r.reference, r.status, r.received_at, r.sender_address, r.claimed_name,
            r.claimed_email, r.missing, r.path, a.id AS account_id, a.locked
       FROM unlock_requests r LEFT JOIN accounts a ON a.id = r.account_id
      WHERE r.status = ANY($1)
      ORDER BY r.received_at, r.id LIMIT 1000`,
    [status ? [status] : OPEN_STATUSES],
  );
  return rows.map((r) => ({
    reference: String(r.reference),
    status: r.status as RequestStatus,
    receivedAt: (r.received_at as Date).toISOString(),
    sender: (r.sender_address as string | null) ?? null,
    fullName: (r.claimed_name as string | null) ?? null,
    registeredEmail: (r.claimed_email as string | null) ?? null,
    missing: r.missing as string[],
    accountFound: r.account_id !== null,
    accountLocked: r.account_id === null ? null : Boolean(r.locked),
    path: (r.path as string | null) ?? null,
  }));
}

/** Everything an agent needs to decide one request, read fresh. */
export async function showRequest(desk: Desk, reference: string) {
  const request = await desk.dataSource
    .getRepository(UnlockRequest)
    .findOneBy({ reference: normaliseReference(reference) });
  if (!request)
    throw new AppError('REQUEST_NOT_FOUND', `No request has the reference ${reference}`);

  const account = request.accountId
    ? await desk.dataSource.getRepository(Account).findOneBy({ id: request.accountId })
    : null;
  const assessment = await assessRequest(
    desk.dataSource.manager,
    request,
    account,
    desk.settings.caps,
  );
  const rows = <T>(sql: string, params: unknown[]): Promise<T[]> =>
    desk.dataSource.query(sql, params);
  const [decisions, emails, replies, merged, parent] = await Promise.all([
    rows<Record<string, unknown>>(
      `SELECT agent, decision, reason, override_reason AS "overrideReason", at
         FROM request_decisions WHERE request_id = $1 ORDER BY id`,
      [request.id],
    ),
    rows<Record<string, unknown>>(
      `SELECT kind, to_address AS "to", status, attempts, last_error AS "lastError",
              message_id AS "messageId", sent_at AS "sentAt"
         FROM outbound_emails WHERE request_id = $1 ORDER BY id`,
      [request.id],
    ),
    rows<Record<string, unknown>>(
      `SELECT message_id AS "messageId", sender_address AS "sender", received_at AS "receivedAt"
         FROM inbound_messages
        WHERE request_id = $1 AND id <> $2 ORDER BY id`,
      [request.id, request.inboundMessageId],
    ),
    rows<{ reference: string }>(
      `SELECT reference FROM unlock_requests WHERE merged_into_id = $1 ORDER BY id`,
      [request.id],
    ),
    rows<{ reference: string }>(`SELECT reference FROM unlock_requests WHERE id = $1`, [
      request.mergedIntoId,
    ]),
  ]);
  const calendar = desk.calendar;
  const minutesTo = (end: Date | null) =>
    end ? calendar.workingMinutesBetween(request.receivedAt, end) : null;

  return {
    reference: request.reference,
    status: request.status,
    receivedAt: request.receivedAt.toISOString(),
    reviewDueAt: request.reviewDueAt?.toISOString() ?? null,
    sender: request.senderAddress,
    senderProblem: request.senderProblem,
    fullName: request.claimedName,
    registeredEmail: request.claimedEmail,
    description: request.description,
    missing: request.missing,
    fieldSources: request.fieldSources,
    account: account
      ? {
          email: account.email,
          fullName: account.fullName,
          company: account.company,
          locked: account.locked,
          companyAdmin: account.isCompanyAdmin,
        }
      : null,
    checks: {
      accountFound: assessment.signals.accountFound,
      accountLocked: assessment.signals.accountLocked,
      senderMatchesRegistered: assessment.signals.senderMatchesRegistered,
      dmarcAlignedPass: assessment.signals.dmarcAligned,
      nameMatchesAccount: assessment.signals.nameMatchesAccount,
      supportUnlocksOfAccount30d: assessment.signals.accountUnlocks30d,
      requestsFromSender30d: assessment.senderRequests30d,
    },
    path: assessment.decision.path,
    pathRules: assessment.decision.rules,
    authentication: request.authVerdict,
    approvalExpiresAt: request.approvalExpiresAt?.toISOString() ?? null,
    mergedInto: parent[0]?.reference ?? null,
    mergedRequests: merged.map((m) => m.reference),
    workingMinutes: {
      toFirstResponse: minutesTo(request.firstResponseAt),
      toResolution: minutesTo(request.resolvedAt),
    },
    decisions,
    emails,
    replies,
  };
}

export type RequestDetails = Awaited<ReturnType<typeof showRequest>>;
