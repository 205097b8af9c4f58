import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Handlebars from 'handlebars';
import { z } from 'zod';
import { AppError } from '../errors';
import { stripControl } from './strip-control';

/** Every email the desk sends. Each has a subject, text and HTML template in templates/. */
export type EmailKind =
  | 'acknowledgement'
  | 'needs_info'
  | 'confirmation'
  | 'reset_sent'
  | 'no_action_needed'
  | 'rejection';

export const EMAIL_KINDS: readonly EmailKind[] = [
  'acknowledgement',
  'needs_info',
  'confirmation',
  'reset_sent',
  'no_action_needed',
  'rejection',
];

export interface RenderedEmail {
  /** One line, no control characters. */
  subject: string;
  text: string;
  html: string;
}

export interface Renderer {
  /**
   * Renders one email. The variables are checked against the kind's schema first: a missing,
   * empty or unexpected variable throws INVALID_INPUT naming it, so an acknowledgement cannot
   * be handed a name or anything else the sender wrote.
   */
  render(kind: EmailKind, vars: Record<string, unknown>): RenderedEmail;
}

/** The longest rejection reason shown; longer text is cut and ends with an ellipsis. */
export const MAX_REASON_CHARS = 1000;

// Every value is made one line before it reaches a template. HTML templates escape on top of
// that; text templates do not escape, so this is what keeps their output plain.
const line = (maxChars = 200) =>
  z
    .string()
    .transform((v) => stripControl(v, maxChars))
    .pipe(z.string().min(1, { message: 'must not be empty' }));

const common = {
  /** Working hours in words, e.g. 'Monday to Friday, 9:00 to 17:00 UK time'. */
  hours: line(),
  supportName: line(100),
  supportAddress: line(254),
  reference: line(40),
};

const schemas = {
  acknowledgement: z.strictObject({
    ...common,
    receivedAt: line(),
    reviewFrom: line().nullable(),
  }),
  needs_info: z.strictObject({ ...common, missing: z.array(line()).min(1) }),
  confirmation: z.strictObject(common),
  reset_sent: z.strictObject(common),
  no_action_needed: z.strictObject(common),
  rejection: z.strictObject({ ...common, reason: line(MAX_REASON_CHARS) }),
} satisfies Record<EmailKind, z.ZodType>;

/** The variables each kind takes, as the caller passes them. */
export type EmailVars<K extends EmailKind> = z.input<(typeof schemas)[K]>;

type Template = Handlebars.TemplateDelegate<Record<string, unknown>>;

interface CompiledKind {
  subject: Template;
  text: Template;
  html: Template;
}

type Part = keyof CompiledKind;

// strict: a variable the template names but the data lacks is an error, not an empty string.
// knownHelpersOnly: the templates may use the built-in block helpers and nothing else.
const HTML_OPTIONS: CompileOptions = { strict: true, knownHelpersOnly: true };
const PLAIN_OPTIONS: CompileOptions = { ...HTML_OPTIONS, noEscape: true };

/**
 * Compiles every template in templatesDir once and checks each against sample variables, so
 * a missing file or a template naming an unknown variable fails at start-up, not on the first
 * send. Throws CONFIG_INVALID naming the file.
 */
export function createRenderer(templatesDir: string): Renderer {
  const env = Handlebars.create();
  registerPartials(env, templatesDir);
  const compiled = new Map<EmailKind, CompiledKind>(
    EMAIL_KINDS.map((kind) => [kind, compileKind(env, templatesDir, kind)]),
  );
  const renderer: Renderer = {
    render: (kind, vars) => renderWith(compiled, kind, vars),
  };

  for (const kind of EMAIL_KINDS) checkTemplates(renderer, kind);
  return renderer;
}

/**
 * The templates/ folder of this package, found by walking up from this file to the folder
 * holding package.json, so it works from src/ under ts-jest and from dist/src/ after a build.
 */
export function defaultTemplatesDir(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new AppError('CONFIG_INVALID', 'Cannot find the package root above ' + __dirname);
    }
    dir = parent;
  }
  return join(dir, 'templates');
}

function renderWith(
  compiled: Map<EmailKind, CompiledKind>,
  kind: EmailKind,
  vars: Record<string, unknown>,
): RenderedEmail {
  const templates = compiled.get(kind);
  if (!templates) throw new AppError('INVALID_INPUT', `Unknown email kind: ${String(kind)}`);
  const data = validateVars(kind, vars);

  return {
    subject: stripControl(templates.subject(data)),
    text: tidyText(templates.text(data)),
    html: templates.html(data),
  };
}

function validateVars(kind: EmailKind, vars: Record<string, unknown>): Record<string, unknown> {
  const result = schemas[kind].safeParse(vars);
  if (result.success) return result.data;

  const problems = result.error.issues.map((i) => describeIssue(i));
  throw new AppError('INVALID_INPUT', `Email ${kind}: ${problems.join('; ')}`, {
    kind,
    fields: result.error.issues.map((i) => i.path.join('.')),
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unexpected ${issue.keys.join(', ')}`;
  const name = issue.path.join('.') || 'variables';
  return `${name} ${issue.message}`;
}

// Blank-line runs left by optional sections collapse to one blank line; the text ends with
// exactly one newline.
function tidyText(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}

function compileKind(env: typeof Handlebars, dir: string, kind: EmailKind): CompiledKind {
  const compile = (part: Part) => {
    const source = readTemplate(join(dir, `${kind}.${part}.hbs`));
    return env.compile<Record<string, unknown>>(
      source.trim(),
      part === 'html' ? HTML_OPTIONS : PLAIN_OPTIONS,
    );
  };

  return { subject: compile('subject'), text: compile('text'), html: compile('html') };
}

// Partials are compiled here with the options of the templates that use them; a partial left
// as a string would be compiled on first use with Handlebars' defaults, escaping included.
function registerPartials(env: typeof Handlebars, dir: string): void {
  const layout = readTemplate(join(dir, 'partials', 'layout.html.hbs'));
  const footer = readTemplate(join(dir, 'partials', 'footer.text.hbs'));

  env.registerPartial('layout', env.compile(layout, HTML_OPTIONS));
  env.registerPartial('footer', env.compile(footer.trimEnd(), PLAIN_OPTIONS));
}

function readTemplate(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `Email template ${path} cannot be read`, {
      path,
      // readFileSync fails with a Node system error, which carries an errno code.
      cause: (err as NodeJS.ErrnoException).code,
    });
  }
}

const SAMPLE_COMMON = {
  hours: 'Monday to Friday, 9:00 to 17:00',
  supportName: 'Support',
  supportAddress: 'support@example.com',
  reference: 'AMS-1',
};

/** Variables that satisfy each kind's schema, used to try every template once at start-up. */
export const SAMPLE_VARS: { readonly [K in EmailKind]: EmailVars<K> } = {
  acknowledgement: { ...SAMPLE_COMMON, receivedAt: 'now', reviewFrom: 'later' },
  needs_info: { ...SAMPLE_COMMON, missing: ['your full name'] },
  confirmation: SAMPLE_COMMON,
  reset_sent: SAMPLE_COMMON,
  no_action_needed: SAMPLE_COMMON,
  rejection: { ...SAMPLE_COMMON, reason: 'A reason.' },
};

function checkTemplates(renderer: Renderer, kind: EmailKind): void {
  try {
    renderer.render(kind, SAMPLE_VARS[kind]);
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `Email templates for ${kind} do not render`, {
      kind,
      cause: (err as Error).message,
    });
  }
}
