import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The first schema: every table the pipeline needs, and the append-only audit log. */
export class InitialSchema1764860000000 implements MigrationInterface {
  name = 'InitialSchema1764860000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE accounts (
        id serial PRIMARY KEY,
        email text NOT NULL CHECK (email = lower(btrim(email)) AND email LIKE '%_@_%'),
        full_name text NOT NULL,
        company text,
        is_company_admin boolean NOT NULL DEFAULT false,
        locked boolean NOT NULL DEFAULT false,
        failed_attempts integer NOT NULL DEFAULT 0,
        locked_at timestamptz,
        lock_version integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email))`);

    await db.query(`
      CREATE TABLE inbound_messages (
        id serial PRIMARY KEY,
        dedupe_key text NOT NULL UNIQUE,
        message_id text,
        raw bytea,
        size_bytes integer NOT NULL,
        raw_sha256 text NOT NULL,
        status text NOT NULL DEFAULT 'stored'
          CHECK (status IN ('stored', 'processed', 'ignored', 'quarantined')),
        kind text,
        sender_address text,
        reasons text[] NOT NULL DEFAULT '{}',
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        request_id integer,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz
      )`);
    await db.query(
      `CREATE INDEX inbound_messages_open ON inbound_messages (id) WHERE status = 'stored'`,
    );

    await db.query(`
      CREATE TABLE mailbox_deliveries (
        id serial PRIMARY KEY,
        mailbox text NOT NULL,
        uid_validity bigint NOT NULL,
        uid bigint NOT NULL,
        inbound_message_id integer NOT NULL REFERENCES inbound_messages (id),
        target_folder text,
        moved_at timestamptz,
        UNIQUE (mailbox, uid_validity, uid)
      )`);
    await db.query(`
      CREATE INDEX mailbox_deliveries_to_move ON mailbox_deliveries (mailbox)
        WHERE target_folder IS NOT NULL AND moved_at IS NULL`);
    await db.query(
      `CREATE INDEX mailbox_deliveries_inbound ON mailbox_deliveries (inbound_message_id)`,
    );

    await db.query(`
      CREATE TABLE mailbox_state (
        mailbox text PRIMARY KEY,
        uid_validity bigint NOT NULL,
        last_uid bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`CREATE SEQUENCE unlock_request_number START 1001`);
    await db.query(`
      CREATE TABLE unlock_requests (
        id serial PRIMARY KEY,
        reference text NOT NULL UNIQUE DEFAULT ('AMS-' || nextval('unlock_request_number')),
        status text NOT NULL CHECK (status IN ('received', 'needs_info', 'pending_review',
          'approved', 'unlocked', 'reset_sent', 'no_action_needed', 'rejected', 'duplicate')),
        inbound_message_id integer NOT NULL REFERENCES inbound_messages (id),
        message_id text,
        sender_address text,
        sender_problem text,
        claimed_name text,
        claimed_email text,
        description text,
        field_sources jsonb NOT NULL DEFAULT '{}',
        missing text[] NOT NULL DEFAULT '{}',
        account_id integer REFERENCES accounts (id),
        auth_verdict jsonb,
        path text,
        path_rules text[] NOT NULL DEFAULT '{}',
        received_at timestamptz NOT NULL,
        review_due_at timestamptz,
        first_response_at timestamptz,
        resolved_at timestamptz,
        merged_into_id integer REFERENCES unlock_requests (id),
        approved_lock_version integer,
        approved_email text,
        approval_expires_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX unlock_requests_status ON unlock_requests (status, received_at)`);
    await db.query(`CREATE INDEX unlock_requests_account ON unlock_requests (account_id)`);
    await db.query(
      `CREATE INDEX unlock_requests_sender ON unlock_requests (sender_address, received_at)`,
    );

    await db.query(`
      CREATE TABLE request_decisions (
        id serial PRIMARY KEY,
        request_id integer NOT NULL REFERENCES unlock_requests (id),
        agent text NOT NULL,
        decision text NOT NULL CHECK (decision IN ('approve', 'reject')),
        reason text,
        override_reason text,
        lock_version integer,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX request_decisions_request ON request_decisions (request_id)`);

    await db.query(`
      CREATE TABLE outbound_emails (
        id serial PRIMARY KEY,
        kind text NOT NULL,
        request_id integer REFERENCES unlock_requests (id),
        to_address text NOT NULL,
        subject text NOT NULL,
        text_body text NOT NULL,
        html_body text NOT NULL,
        message_id text NOT NULL UNIQUE,
        in_reply_to text,
        "references" text[] NOT NULL DEFAULT '{}',
        auto_submitted boolean NOT NULL DEFAULT true,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN
          ('queued', 'sending', 'sent', 'uncertain', 'failed', 'suppressed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await db.query(`
      CREATE INDEX outbound_emails_due ON outbound_emails (next_attempt_at)
        WHERE status IN ('queued', 'sending', 'uncertain')`);
    await db.query(`CREATE INDEX outbound_emails_to ON outbound_emails (to_address, created_at)`);

    await db.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        action text NOT NULL,
        request_id integer,
        account_id integer,
        actor text,
        details jsonb NOT NULL DEFAULT '{}'
      )`);
    await db.query(`CREATE INDEX audit_log_request ON audit_log (request_id)`);
    await db.query(`CREATE INDEX audit_log_account ON audit_log (account_id, action, at)`);
    // The audit log is evidence: the database itself refuses to change or remove a row.
    await db.query(`
      CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only';
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'audit_log',
      'outbound_emails',
      'request_decisions',
      'unlock_requests',
      'mailbox_state',
      'mailbox_deliveries',
      'inbound_messages',
      'accounts',
    ]) {
      await db.query(`DROP TABLE IF EXISTS ${table} CASCADE`);
    }
    await db.query(`DROP SEQUENCE IF EXISTS unlock_request_number`);
    await db.query(`DROP FUNCTION IF EXISTS audit_log_is_append_only()`);
  }
}
