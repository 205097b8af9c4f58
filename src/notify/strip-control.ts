/*
 * Text that reaches a header, or a text template rendered without escaping, must be one line
 * of visible characters. A CR or LF would let a value start a new header (RFC 5322 section
 * 2.2), and bidirectional overrides can make a reference or an address read as something else.
 */

// C0 and C1 controls (CR, LF, TAB and NUL among them), DEL, and the Unicode line and paragraph
// separators: each becomes a space so that words either side stay apart.
const BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

// Bidirectional marks, embeddings, overrides and isolates, plus zero-width characters and the
// byte-order mark: they change how text is shown without being visible, so they are removed.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * Returns the value as one trimmed line: controls and line breaks become single spaces,
 * invisible formatting characters are dropped, and runs of spaces collapse to one. When the
 * result is longer than maxChars it is cut at a character boundary and ends with an ellipsis.
 */
export function stripControl(value: string, maxChars = Number.POSITIVE_INFINITY): string {
  const line = value.replace(INVISIBLE, '').replace(BREAKING, ' ').replace(/\s+/g, ' ').trim();
  const chars = Array.from(line);
  if (chars.length <= maxChars) return line;

  return (
    chars
      .slice(0, Math.max(0, maxChars - 1))
      .join('')
      .trimEnd() + '…'
  );
}
