/**
 * Builds a regular expression from a list of alternatives, so long word lists stay readable
 * one entry per line. `before` and `after` are pattern source placed around the group.
 */
export function anyOf(alternatives: string[], flags: string, before = '', after = ''): RegExp {
  return new RegExp(`${before}(?:${alternatives.join('|')})${after}`, flags);
}

/**
 * An email address as people write it in text. The look-behind makes a match start only where
 * a run of address characters starts and the bounds follow RFC 5321 lengths, so a long run
 * of letters costs linear time instead of quadratic.
 */
export const ADDRESS_SOURCE =
  '(?<![\\p{L}\\p{N}._%+-])[\\p{L}\\p{N}._%+-]{1,64}@' +
  '[\\p{L}\\p{N}-]{1,63}(?:\\.[\\p{L}\\p{N}-]{1,63}){0,8}\\.\\p{L}{2,24}(?![\\p{L}\\p{N}-])';
