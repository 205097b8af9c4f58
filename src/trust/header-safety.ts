/**
 * C0 and C1 control characters (CR and LF among them), DEL, and the Unicode line and paragraph
 * separators. Any of these in a header value can end the header early or confuse a reader, so
 * none survives.
 */
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Bidirectional overrides and zero-width marks that make shown text differ from stored text. */
const INVISIBLE_FORMATTING = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * Makes text from an email safe to place in a header (or a one-line log or evidence field):
 * control characters become spaces, runs of whitespace collapse to one space, the ends are trimmed
 * and the result is cut to `maxLength` characters without splitting a surrogate pair.
 */
export function safeHeaderText(s: string, maxLength = 200): string {
  const flattened = s
    .replace(CONTROL_CHARS, ' ')
    .replace(INVISIBLE_FORMATTING, '')
    .replace(/\s+/g, ' ')
    .trim();

  const codePoints = Array.from(flattened);
  if (codePoints.length <= maxLength) return flattened;
  return codePoints.slice(0, Math.max(0, maxLength)).join('').trimEnd();
}
