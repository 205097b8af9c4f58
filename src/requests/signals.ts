import type { EntityManager } from 'typeorm';
import type { Account } from '../db/entities/account';
import type { UnlockRequest } from '../db/entities/unlock-request';
import {
  decideApprovalPath,
  namesMatch,
  type PathDecision,
  type TrustCaps,
  type TrustSignals,
} from '../trust';

interface VerdictShape {
  dmarc?: string;
  aligned?: boolean;
}

/** Support unlocks of an account, and requests from a sender, counted over recent windows. */
async function countHistory(
  db: EntityManager,
  accountId: number | null,
  sender: string | null,
  excludeRequestId: number,
): Promise<{
  unlocks24h: number;
  unlocks30d: number;
  senderRequests24h: number;
  senderRequests30d: number;
}> {
  const [row]: Array<Record<string, string>> = await db.query(
    `SELECT
       (SELECT count(*) FROM audit_log WHERE account_id = $1 AND action = 'account.unlocked'
          AND at > now() - interval '24 hours') AS unlocks24h,
       (SELECT count(*) FROM audit_log WHERE account_id = $1 AND action = 'account.unlocked'
          AND at > now() - interval '30 days') AS unlocks30d,
       (SELECT count(*) FROM unlock_requests WHERE sender_address = $2 AND id <> $3
          AND merged_into_id IS NULL AND received_at > now() - interval '24 hours') AS sender24h,
       (SELECT count(*) FROM unlock_requests WHERE sender_address = $2 AND id <> $3
          AND merged_into_id IS NULL AND received_at > now() - interval '30 days') AS sender30d`,
    [accountId, sender, excludeRequestId],
  );
  return {
    unlocks24h: Number(row.unlocks24h),
    unlocks30d: Number(row.unlocks30d),
    senderRequests24h: Number(row.sender24h),
    senderRequests30d: Number(row.sender30d),
  };
}

/** What the assessment reads of a request; id 0 for one not yet written. */
export type AssessedFacts = Pick<
  UnlockRequest,
  'id' | 'senderAddress' | 'senderProblem' | 'claimedName' | 'authVerdict'
>;

export interface RequestAssessment {
  signals: TrustSignals;
  decision: PathDecision;
  senderRequests30d: number;
}

/**
 * The facts an agent sees and the path they imply, read fresh from the database: used at
 * intake, when showing a request and again when an approval is carried out.
 */
export async function assessRequest(
  db: EntityManager,
  request: AssessedFacts,
  account: Account | null,
  caps: TrustCaps,
): Promise<RequestAssessment> {
  const history = await countHistory(db, account?.id ?? null, request.senderAddress, request.id);
  const verdict = (request.authVerdict ?? {}) as VerdictShape;
  const signals: TrustSignals = {
    accountFound: account !== null,
    accountLocked: account?.locked ?? false,
    senderMatchesRegistered:
      account !== null && request.senderAddress !== null && request.senderAddress === account.email,
    dmarcAligned: verdict.aligned === true,
    dmarcFail: verdict.dmarc === 'fail',
    nameMatchesAccount: account ? namesMatch(request.claimedName, account.fullName) : null,
    privilegedAccount: account?.isCompanyAdmin ?? false,
    senderUnverifiable: request.senderProblem !== null || request.senderAddress === null,
    accountUnlocks24h: history.unlocks24h,
    accountUnlocks30d: history.unlocks30d,
    senderRequests24h: history.senderRequests24h,
  };
  return {
    signals,
    decision: decideApprovalPath(signals, caps),
    senderRequests30d: history.senderRequests30d,
  };
}
