import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Fields that must never reach a log line. Passwords and tokens are secrets; bodies and raw
 * messages are personal data. Paths cover the field at the top and one level down.
 */
export const REDACTED_FIELDS = [
  'password',
  'pass',
  'token',
  'secret',
  'authorization',
  'raw',
  'body',
  'html',
  'text',
  'source',
] as const;

const redactPaths = REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`]);

/** Removes a password from a connection string before it is shown anywhere. */
export function redactUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable URL]';
  }
}

/** The one logger: structured, object first, constant messages, secrets redacted. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'ams-unlock' },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination({ dest: 2, sync: true }),
  );
}
