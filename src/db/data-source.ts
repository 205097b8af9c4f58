import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { AppError } from '../errors';
import { redactUrl } from '../log';
import { Account } from './entities/account';
import { AuditEntry } from './entities/audit-entry';
import { InboundMessage } from './entities/inbound-message';
import { MailboxDelivery } from './entities/mailbox-delivery';
import { MailboxState } from './entities/mailbox-state';
import { OutboundEmail } from './entities/outbound-email';
import { RequestDecision } from './entities/request-decision';
import { UnlockRequest } from './entities/unlock-request';
import { InitialSchema1764860000000 } from './migrations/1764860000000-initial-schema';

export const ENTITIES = [
  Account,
  AuditEntry,
  InboundMessage,
  MailboxDelivery,
  MailboxState,
  OutboundEmail,
  RequestDecision,
  UnlockRequest,
];

export interface DatabaseOptions {
  url: string;
  /** A PostgreSQL schema to work in (tests use one each); the default is the search path. */
  schema?: string;
  poolSize?: number;
}

/** Builds the data source. The schema is owned by migrations: synchronize is always off. */
export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: ENTITIES,
    migrations: [InitialSchema1764860000000],
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    poolSize: options.poolSize ?? 10,
    extra: {
      connectionTimeoutMillis: 10_000,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    },
  });
}

/** Connects, or fails with a message naming the database (password removed). */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = createDataSource(options);
  try {
    await dataSource.initialize();
  } catch (err) {
    throw new AppError(
      'DATABASE_UNAVAILABLE',
      `Cannot connect to PostgreSQL at ${redactUrl(options.url)}: ${(err as Error).message}`,
    );
  }
  return dataSource;
}

/** Applies pending migrations; returns their names. */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  if (dataSource.options.type === 'postgres' && dataSource.options.schema) {
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${dataSource.options.schema}"`);
  }
  const applied = await dataSource.runMigrations({ transaction: 'all' });
  return applied.map((m) => m.name);
}

/** Refuses to run against a database whose schema is behind the code. */
export async function assertMigrated(dataSource: DataSource): Promise<void> {
  if (await dataSource.showMigrations()) {
    throw new AppError(
      'CONFIG_INVALID',
      'The database schema is out of date: run `ams-unlock migrate` first',
    );
  }
}
