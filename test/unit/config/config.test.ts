import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, loadServiceConfig, SETTING_NAMES } from '../../../src/config';
import { AppError } from '../../../src/errors';

const root = join(__dirname, '..', '..', '..');

const valid = {
  DATABASE_URL: 'postgres://u:secret@db:5432/ams',
  REDIS_URL: 'redis://cache:6379',
  IMAP_HOST: 'imap.example.com',
  IMAP_PORT: '993',
  IMAP_USER: 'support',
  IMAP_PASSWORD: 'hunter2',
  IMAP_TLS: 'true',
  SMTP_URL: 'smtp://mail.example.com:587',
  SUPPORT_ADDRESS: 'Support@AMS-Support.example',
};

function problemsOf(env: Record<string, string>): string {
  try {
    loadServiceConfig(env);
  } catch (err) {
    return (err as AppError).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('reads a valid environment with defaults and freezes it', () => {
    const config = loadServiceConfig(valid);

    expect(config).toMatchObject({
      IMAP_PORT: 993,
      IMAP_TLS: true,
      IMAP_PROCESSED_FOLDER: 'Processed',
    });
    expect(config.SUPPORT_ADDRESS).toBe('support@ams-support.example');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every bad or missing variable at once, without echoing values', () => {
    const message = problemsOf({ ...valid, IMAP_PORT: 'abc', IMAP_TLS: 'maybe', SMTP_URL: '' });

    expect(message).toContain('IMAP_PORT must be a whole number');
    expect(message).toContain('IMAP_TLS must be true or false');
    expect(message).toContain('SMTP_URL is not set');
    expect(message).not.toContain('hunter2');
  });

  it('asks only for the groups a command needs', () => {
    expect(() => loadConfig({ DATABASE_URL: valid.DATABASE_URL }, ['database'])).not.toThrow();
  });

  it('parses the supervisor list', () => {
    const config = loadServiceConfig({
      ...valid,
      SUPERVISOR_AGENTS: ' Boss@x.example , ,b@y.example',
    });

    expect(config.SUPERVISOR_AGENTS).toEqual(['boss@x.example', 'b@y.example']);
  });
});

describe('documentation', () => {
  it('lists every setting in .env.example and the README', () => {
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');

    const undocumented = SETTING_NAMES.filter(
      (name) => !example.includes(name) || !readme.includes(name),
    );
    expect(undocumented).toEqual([]);
  });
});
