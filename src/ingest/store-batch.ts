import type { DataSource, EntityManager } from 'typeorm';
import { dedupeKey, headerBlock, sha256 } from './dedupe-key';

/** One message as fetched: the whole source, or only its headers when it is too large. */
export interface FetchedMessage {
  uid: number;
  size: number;
  source: Buffer;
  /** False when only the headers were fetched because the message is over the size limit. */
  complete: boolean;
  internalDate: Date | null;
}

export interface MailboxPosition {
  mailbox: string;
  uidValidity: bigint;
}

interface Prepared {
  key: string;
  messageId: string | null;
  raw: Buffer | null;
  size: number;
  hash: string;
  receivedAt: Date;
  uid: number;
}

function prepare(message: FetchedMessage): Prepared {
  const headers = headerBlock(message.source);
  const { key, messageId } = dedupeKey(headers);
  return {
    key,
    messageId,
    raw: message.complete ? message.source : null,
    size: message.size,
    hash: sha256(message.source),
    receivedAt: message.internalDate ?? new Date(),
    uid: message.uid,
  };
}

/**
 * Stores a fetched batch in one transaction with multi-row statements: the raw messages
 * (a known Message-ID adds nothing), one delivery row per UID, and the cursor. Returns the
 * inbound ids that still need processing, for their jobs to be added.
 */
export async function storeBatch(
  dataSource: DataSource,
  position: MailboxPosition,
  messages: FetchedMessage[],
  lastUid: number,
): Promise<number[]> {
  const prepared = messages.map(prepare);
  return dataSource.transaction(async (db) => {
    const idsByKey = await insertMessages(db, prepared);
    await insertDeliveries(db, position, prepared, idsByKey);
    await saveCursor(db, position, lastUid);

    const ids = [...new Set(idsByKey.values())];
    if (ids.length === 0) return [];
    const open: Array<{ id: number }> = await db.query(
      `SELECT id FROM inbound_messages WHERE id = ANY($1) AND status = 'stored' ORDER BY id`,
      [ids],
    );
    return open.map((r) => r.id);
  });
}

async function insertMessages(
  db: EntityManager,
  prepared: Prepared[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  if (prepared.length === 0) return ids;

  await db.query(
    `INSERT INTO inbound_messages (dedupe_key, message_id, raw, size_bytes, raw_sha256, received_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::int[], $5::text[],
                          $6::timestamptz[])
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [
      prepared.map((p) => p.key),
      prepared.map((p) => p.messageId),
      prepared.map((p) => p.raw),
      prepared.map((p) => p.size),
      prepared.map((p) => p.hash),
      prepared.map((p) => p.receivedAt),
    ],
  );
  const rows: Array<{ id: number; dedupe_key: string }> = await db.query(
    `SELECT id, dedupe_key FROM inbound_messages WHERE dedupe_key = ANY($1)`,
    [prepared.map((p) => p.key)],
  );
  for (const row of rows) ids.set(row.dedupe_key, row.id);
  return ids;
}

/**
 * A delivery of a message that was already decided (the same Message-ID again) takes that
 * message's folder at once, so the copy leaves the inbox too.
 */
async function insertDeliveries(
  db: EntityManager,
  position: MailboxPosition,
  prepared: Prepared[],
  idsByKey: Map<string, number>,
): Promise<void> {
  if (prepared.length === 0) return;
  await db.query(
    `INSERT INTO mailbox_deliveries (mailbox, uid_validity, uid, inbound_message_id, target_folder)
     SELECT $1, $2, d.uid, d.inbound_id,
            (SELECT md.target_folder FROM mailbox_deliveries md
              WHERE md.inbound_message_id = d.inbound_id AND md.target_folder IS NOT NULL LIMIT 1)
       FROM unnest($3::bigint[], $4::int[]) AS d(uid, inbound_id)
     ON CONFLICT (mailbox, uid_validity, uid) DO NOTHING`,
    [
      position.mailbox,
      position.uidValidity.toString(),
      prepared.map((p) => p.uid),
      prepared.map((p) => idsByKey.get(p.key)),
    ],
  );
}

async function saveCursor(
  db: EntityManager,
  position: MailboxPosition,
  lastUid: number,
): Promise<void> {
  await db.query(
    `INSERT INTO mailbox_state (mailbox, uid_validity, last_uid, updated_at)
     VALUES ($1, $2, $3, now())
     ON CONFLICT (mailbox) DO UPDATE SET uid_validity = $2, last_uid = greatest(
       CASE WHEN mailbox_state.uid_validity = $2 THEN mailbox_state.last_uid ELSE 0 END, $3),
       updated_at = now()`,
    [position.mailbox, position.uidValidity.toString(), lastUid],
  );
}

/** Where reading resumes: after the last stored UID, or from the start under a new UIDVALIDITY. */
export async function readCursor(
  dataSource: DataSource,
  position: MailboxPosition,
): Promise<number> {
  const rows: Array<{ uid_validity: string; last_uid: string }> = await dataSource.query(
    `SELECT uid_validity, last_uid FROM mailbox_state WHERE mailbox = $1`,
    [position.mailbox],
  );
  const row = rows[0];
  if (!row || row.uid_validity !== position.uidValidity.toString()) return 0;
  return Number(row.last_uid);
}

/** Decided deliveries not yet moved, grouped by their target folder. */
export async function findPendingMoves(
  dataSource: DataSource,
  position: MailboxPosition,
): Promise<Map<string, number[]>> {
  const rows: Array<{ uid: string; target_folder: string }> = await dataSource.query(
    `SELECT uid, target_folder FROM mailbox_deliveries
      WHERE mailbox = $1 AND uid_validity = $2 AND target_folder IS NOT NULL AND moved_at IS NULL
      ORDER BY uid LIMIT 2000`,
    [position.mailbox, position.uidValidity.toString()],
  );
  const byFolder = new Map<string, number[]>();
  for (const row of rows) {
    const list = byFolder.get(row.target_folder) ?? [];
    list.push(Number(row.uid));
    byFolder.set(row.target_folder, list);
  }
  return byFolder;
}

export async function markMoved(
  dataSource: DataSource,
  position: MailboxPosition,
  uids: number[],
): Promise<void> {
  await dataSource.query(
    `UPDATE mailbox_deliveries SET moved_at = now()
      WHERE mailbox = $1 AND uid_validity = $2 AND uid = ANY($3::bigint[])`,
    [position.mailbox, position.uidValidity.toString(), uids],
  );
}
