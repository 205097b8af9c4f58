import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCode } from '../../../src/errors';
import {
  createRenderer,
  defaultTemplatesDir,
  EMAIL_KINDS,
  MAX_REASON_CHARS,
  SAMPLE_VARS,
  type EmailKind,
} from '../../../src/notify/render';
import { COMMON_VARS } from './factories';

const renderer = createRenderer(defaultTemplatesDir());

const VARS: Record<EmailKind, Record<string, unknown>> = {
  acknowledgement: {
    ...COMMON_VARS,
    receivedAt: 'Friday 4 December 2026, 18:20 UK time',
    reviewFrom: '9:00 on Monday 7 December',
  },
  needs_info: {
    ...COMMON_VARS,
    missing: ['your full name', 'the email address registered with AMS'],
  },
  confirmation: COMMON_VARS,
  reset_sent: COMMON_VARS,
  no_action_needed: COMMON_VARS,
  rejection: { ...COMMON_VARS, reason: 'The account is managed by your company administrator.' },
};

describe('render', () => {
  describe.each(EMAIL_KINDS)('%s', (kind) => {
    const email = renderer.render(kind, VARS[kind]);

    it('carries the reference in the subject, text and HTML', () => {
      expect(email.subject).toContain('[AMS-1042]');
      expect(email.text).toContain('AMS-1042');
      expect(email.html).toContain('AMS-1042');
    });

    it('states the working hours and who we are', () => {
      for (const body of [email.text, email.html]) {
        expect(body).toContain(COMMON_VARS.hours);
        expect(body).toContain(COMMON_VARS.supportAddress);
      }
    });

    it('leaves no template syntax behind', () => {
      for (const part of [email.subject, email.text, email.html]) {
        expect(part).not.toMatch(/{{|}}/);
      }
    });

    it('has a one-line subject starting with the fixed request phrase', () => {
      expect(email.subject).toMatch(/^AMS Account Unlock Request \[AMS-1042\]/);
      expect(email.subject).not.toMatch(/[\r\n]/);
    });

    it('ends the text with one newline', () => {
      expect(email.text.endsWith('\n')).toBe(true);
      expect(email.text.endsWith('\n\n')).toBe(false);
    });
  });

  it('advises Forgot Password in the confirmation, reset and no-action emails', () => {
    for (const kind of ['confirmation', 'reset_sent', 'no_action_needed'] as const) {
      const email = renderer.render(kind, VARS[kind]);

      expect(email.text).toContain('"Forgot Password"');
      expect(email.html).toContain('Forgot Password');
    }
  });

  it('says when an out-of-hours request will be looked at, and nothing when in hours', () => {
    const outOfHours = renderer.render('acknowledgement', VARS.acknowledgement);
    const inHours = renderer.render('acknowledgement', {
      ...VARS.acknowledgement,
      reviewFrom: null,
    });

    expect(outOfHours.text).toContain(
      'Your request will be looked at from 9:00 on Monday 7 December.',
    );
    expect(inHours.text).not.toContain('will be looked at from');
    expect(inHours.html).not.toContain('will be looked at from');
  });

  it('lists each missing item in the needs_info email', () => {
    const email = renderer.render('needs_info', VARS.needs_info);

    expect(email.text).toContain('- your full name\n');
    expect(email.html).toContain('<li>the email address registered with AMS</li>');
  });

  it('renders identical acknowledgements apart from the reference', () => {
    const first = renderer.render('acknowledgement', {
      ...VARS.acknowledgement,
      reference: 'AMS-1',
    });
    const second = renderer.render('acknowledgement', {
      ...VARS.acknowledgement,
      reference: 'AMS-99999',
    });
    const neutral = (s: string, ref: string) => s.split(ref).join('AMS-REF');

    expect(neutral(second.subject, 'AMS-99999')).toBe(neutral(first.subject, 'AMS-1'));
    expect(neutral(second.text, 'AMS-99999')).toBe(neutral(first.text, 'AMS-1'));
    expect(neutral(second.html, 'AMS-99999')).toBe(neutral(first.html, 'AMS-1'));
  });

  it('refuses an acknowledgement handed the sender’s name', () => {
    const attempt = () =>
      renderer.render('acknowledgement', { ...VARS.acknowledgement, fullName: 'Jane Doe' });

    expect(attempt).toThrow(/unexpected fullName/);
  });
});

describe('render escaping', () => {
  const hostile = 'Not verified <script>alert("x")</script> & <b>bold</b>';

  it('escapes HTML in a rejection reason', () => {
    const email = renderer.render('rejection', { ...COMMON_VARS, reason: hostile });

    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(email.html).toContain('&amp; &lt;b&gt;bold&lt;/b&gt;');
  });

  it('keeps a rejection reason to one line of plain text', () => {
    const reason = 'First line\r\nBcc: victim@example.com\n\nSecond\tparagraph\u202e';

    const email = renderer.render('rejection', { ...COMMON_VARS, reason });

    expect(email.text).toContain('\nFirst line Bcc: victim@example.com Second paragraph\n');
    expect(email.text).not.toContain('\u202e');
  });

  it('caps a long rejection reason', () => {
    const reason = 'x'.repeat(MAX_REASON_CHARS + 500);

    const email = renderer.render('rejection', { ...COMMON_VARS, reason });

    expect(email.text).toContain('x'.repeat(MAX_REASON_CHARS - 1) + '…');
    expect(email.text).not.toContain('x'.repeat(MAX_REASON_CHARS));
  });

  it('gives a one-line subject even when the reference carries CR/LF', () => {
    const reference = 'AMS-1042\r\nBcc: victim@example.com';

    const email = renderer.render('confirmation', { ...COMMON_VARS, reference });

    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.subject).toBe(
      'AMS Account Unlock Request [AMS-1042 Bcc: victim@example.com]: account unlocked',
    );
  });
});

describe('render validation', () => {
  it('names each missing variable', () => {
    const attempt = () => renderer.render('rejection', { ...COMMON_VARS });

    expect(attempt).toThrow(/rejection: reason/);
  });

  it('throws INVALID_INPUT for an empty value', () => {
    let caught: unknown;

    try {
      renderer.render('confirmation', { ...COMMON_VARS, reference: ' \r\n ' });
    } catch (err) {
      caught = err;
    }

    expect(hasCode(caught, 'INVALID_INPUT')).toBe(true);
  });

  it('requires at least one missing item for needs_info', () => {
    expect(() => renderer.render('needs_info', { ...COMMON_VARS, missing: [] })).toThrow(/missing/);
  });

  it('accepts the sample variables for every kind', () => {
    for (const kind of EMAIL_KINDS) {
      expect(() => renderer.render(kind, SAMPLE_VARS[kind])).not.toThrow();
    }
  });
});

describe('createRenderer', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'templates-'));
    cpSync(defaultTemplatesDir(), dir, { recursive: true });
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fails at start-up when a template names an unknown variable', () => {
    writeFileSync(join(dir, 'confirmation.text.hbs'), 'Hello {{fullName}}');

    expect(() => createRenderer(dir)).toThrow(/confirmation do not render/);
  });

  it('fails at start-up when a template file is missing', () => {
    rmSync(join(dir, 'rejection.html.hbs'));

    expect(() => createRenderer(dir)).toThrow(/rejection\.html\.hbs cannot be read/);
  });

  it('refuses helpers other than the built-in ones', () => {
    writeFileSync(join(dir, 'confirmation.html.hbs'), '{{shout reference}}');

    expect(() => createRenderer(dir)).toThrow(/confirmation do not render/);
  });
});
