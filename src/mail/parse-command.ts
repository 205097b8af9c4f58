import { readFile } from 'node:fs/promises';
import { parseEmail } from './index';
import type { ParsedEmail } from './types';

export interface ParseCommandOptions {
  /** Adds reasons, sender, referenceTag and inReplyTo to every line. */
  explain: boolean;
  supportAddress?: string;
}

export interface ParseCommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * `ams-unlock parse FILE.eml... [--explain]`: one JSON object per file per line. A file that
 * cannot be read or parsed is named on the error stream and the others still run. Returns the
 * exit code: 0 when every file was read, 1 otherwise.
 */
export async function runParseCommand(
  files: string[],
  opts: ParseCommandOptions,
  io: ParseCommandIo,
): Promise<number> {
  let failed = false;
  for (const file of files) {
    try {
      const raw = await readFile(file);
      const parsed = await parseEmail(raw, { supportAddress: opts.supportAddress });
      io.out(JSON.stringify(summarise(file, parsed, opts.explain)));
    } catch (err) {
      failed = true;
      io.err(`${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return failed ? 1 : 0;
}

function summarise(file: string, p: ParsedEmail, explain: boolean): Record<string, unknown> {
  const line: Record<string, unknown> = {
    file,
    kind: p.kind,
    fullName: p.fullName,
    registeredEmail: p.registeredEmail,
    description: p.description,
    missing: p.missing,
    senderMatchesRegistered: p.senderMatchesRegistered,
    messageId: p.messageId,
    from: p.from,
    subject: p.subject,
    sources: p.sources,
  };
  if (!explain) return line;
  return {
    ...line,
    reasons: p.reasons,
    sender: p.sender,
    referenceTag: p.referenceTag,
    inReplyTo: p.inReplyTo,
  };
}
