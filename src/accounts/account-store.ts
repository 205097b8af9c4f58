import type { DataSource, EntityManager } from 'typeorm';
import { recordAudit } from '../audit/record-audit';
import { Account } from '../db/entities/account';
import { AppError } from '../errors';
import { isEmailAddress, isLockedOut, normaliseEmail } from './lockout';

export interface NewAccount {
  email: string;
  fullName: string;
  company?: string | null;
  isCompanyAdmin?: boolean;
}

/** Finds an account by email, whatever its case. */
export async function findAccountByEmail(
  db: EntityManager,
  email: string,
  options: { forUpdate?: boolean } = {},
): Promise<Account | null> {
  const query = db
    .getRepository(Account)
    .createQueryBuilder('a')
    .where('lower(a.email) = :email', { email: normaliseEmail(email) });
  if (options.forUpdate) query.setLock('pessimistic_write');
  return query.getOne();
}

export async function requireAccount(db: EntityManager, email: string): Promise<Account> {
  const account = await findAccountByEmail(db, email);
  if (!account) throw new AppError('ACCOUNT_NOT_FOUND', `No AMS account has the email ${email}`);
  return account;
}

export async function addAccount(
  dataSource: DataSource,
  input: NewAccount,
  actor: string,
): Promise<Account> {
  const email = normaliseEmail(input.email);
  if (!isEmailAddress(email)) {
    throw new AppError('INVALID_INPUT', `--email must be an email address (got "${input.email}")`);
  }
  const fullName = input.fullName.replace(/\s+/g, ' ').trim();
  if (
    !fullName ||
    fullName.length > 200 ||
    /[\u0000-\u001f\u007f-\u009f]/.test(input.fullName.replace(/[\t ]/g, ''))
  ) {
    throw new AppError(
      'INVALID_INPUT',
      '--name must be 1 to 200 characters of text, with no control characters',
    );
  }

  return dataSource.transaction(async (db) => {
    const inserted: Array<{ id: number }> = await db.query(
      `INSERT INTO accounts (email, full_name, company, is_company_admin)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id`,
      [email, fullName, input.company?.trim() || null, input.isCompanyAdmin ?? false],
    );
    if (inserted.length === 0) {
      throw new AppError('ACCOUNT_EXISTS', `An account with the email ${email} already exists`);
    }
    await recordAudit(db, { action: 'account.added', accountId: inserted[0].id, actor });
    return requireAccount(db, email);
  });
}

/**
 * Records one failed sign-in, as AMS would, and locks the account once the failures pass
 * the policy. Each new lock bumps lock_version, so approvals given for an earlier lockout lapse.
 */
export async function recordFailedSignIn(
  dataSource: DataSource,
  email: string,
  maxFailures: number,
): Promise<Account> {
  return dataSource.transaction(async (db) => {
    const account = await findAccountByEmail(db, email, { forUpdate: true });
    if (!account) throw new AppError('ACCOUNT_NOT_FOUND', `No AMS account has the email ${email}`);

    const failures = account.failedAttempts + 1;
    const locksNow = !account.locked && isLockedOut(failures, maxFailures);
    await db.query(
      `UPDATE accounts SET failed_attempts = $2,
         locked = locked OR $3, locked_at = CASE WHEN $3 THEN now() ELSE locked_at END,
         lock_version = lock_version + CASE WHEN $3 THEN 1 ELSE 0 END
       WHERE id = $1`,
      [account.id, failures, locksNow],
    );
    if (locksNow) {
      await recordAudit(db, {
        action: 'account.locked',
        accountId: account.id,
        details: { failedAttempts: failures, policy: `more than ${maxFailures} failures` },
      });
    }
    return requireAccount(db, email);
  });
}

/** Outcome of the one unlock function. */
export type UnlockOutcome = 'unlocked' | 'not_locked' | 'changed';

/**
 * The only place an account is unlocked: clears the lock and the failure counter, but only
 * when the account is still locked at the lock version the approval was given for.
 */
export async function unlockAccount(
  db: EntityManager,
  input: {
    accountId: number;
    lockVersion: number;
    email: string;
    actor: string;
    requestId?: number;
  },
): Promise<UnlockOutcome> {
  const rows: Array<{ locked: boolean; lock_version: number; email: string }> = await db.query(
    `SELECT locked, lock_version, email FROM accounts WHERE id = $1 FOR UPDATE`,
    [input.accountId],
  );
  const current = rows[0];
  if (!current) return 'changed';
  if (!current.locked) return 'not_locked';
  if (current.lock_version !== input.lockVersion || current.email !== input.email) return 'changed';

  await db.query(
    `UPDATE accounts SET locked = false, failed_attempts = 0, locked_at = NULL WHERE id = $1`,
    [input.accountId],
  );
  await recordAudit(db, {
    action: 'account.unlocked',
    accountId: input.accountId,
    requestId: input.requestId ?? null,
    actor: input.actor,
    details: { lockedBefore: true, lockedAfter: false, lockVersion: input.lockVersion },
  });
  return 'unlocked';
}

/**
 * Stands in for AMS completing a Forgot Password reset (or a company admin's key-icon unlock):
 * the lock clears outside this product.
 */
export async function clearLockExternally(
  dataSource: DataSource,
  email: string,
  how: 'password_reset' | 'company_admin',
): Promise<Account> {
  return dataSource.transaction(async (db) => {
    const account = await findAccountByEmail(db, email, { forUpdate: true });
    if (!account) throw new AppError('ACCOUNT_NOT_FOUND', `No AMS account has the email ${email}`);
    await db.query(
      `UPDATE accounts SET locked = false, failed_attempts = 0, locked_at = NULL WHERE id = $1`,
      [account.id],
    );
    await recordAudit(db, {
      action: `account.unlocked_by_${how}`,
      accountId: account.id,
      details: { lockedBefore: account.locked, lockedAfter: false },
    });
    return requireAccount(db, email);
  });
}
