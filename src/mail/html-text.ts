import { compile } from 'html-to-text';
import type { DomNode, FormatCallback } from 'html-to-text';

/*
 * HTML is turned into text by html-to-text, with tables read row by row: each row becomes one
 * line and its cells are separated by a tab, so "Full name | Hannah Whitaker" stays a
 * label and its value on one line whatever the column widths.
 */

const tableRow: FormatCallback = (elem, walk, builder) => {
  builder.openBlock({ leadingLineBreaks: 1 });
  walk(elem.children ?? [], builder);
  builder.closeBlock({ trailingLineBreaks: 1 });
};

const tableCell: FormatCallback = (elem, walk, builder) => {
  walk(elem.children ?? [], builder);
  builder.addLiteral('\t');
};

const tableBlock: FormatCallback = (elem, walk, builder) => {
  builder.openBlock({ leadingLineBreaks: 1 });
  walk(elem.children ?? [], builder);
  builder.closeBlock({ trailingLineBreaks: 1 });
};

/** Link text is kept; a mailto: address is added only when the text does not already show it. */
const anchor: FormatCallback = (elem, walk, builder) => {
  walk(elem.children ?? [], builder);
  // The typings declare attribs as any; narrowing it here keeps the unchecked type out.
  const attribs = (elem.attribs ?? {}) as Record<string, unknown>;
  const href = String(attribs.href ?? '');
  const m = /^mailto:([^?]+)/i.exec(href.trim());
  if (!m) return;
  const address = safeDecode(m[1]).trim();
  if (!textOf(elem).toLowerCase().includes(address.toLowerCase()))
    builder.addInline(` <${address}>`);
};

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function textOf(node: DomNode): string {
  if (node.type === 'text') return String(node.data ?? '');
  return (node.children ?? []).map(textOf).join('');
}

/**
 * HTML beyond this many characters is not converted: conversion time grows with it and no
 * request needs more. Text after the cut is lost for extraction; the raw message keeps it.
 */
const MAX_HTML_CHARS = 256 * 1024;

const convert = compile({
  wordwrap: false,
  preserveNewlines: false,
  formatters: { tableRow, tableCell, tableBlock, anchor },
  limits: { maxDepth: 200, maxInputLength: MAX_HTML_CHARS },
  selectors: [
    { selector: 'a', format: 'anchor' },
    { selector: 'img', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'head', format: 'skip' },
    { selector: 'table', format: 'tableBlock' },
    { selector: 'tr', format: 'tableRow' },
    { selector: 'td', format: 'tableCell' },
    { selector: 'th', format: 'tableCell' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'blockquote', format: 'blockquote', options: { trimEmptyLines: true } },
  ],
});

/** Nesting deeper than this is no real email; such HTML is only stripped of its tags. */
const MAX_NESTING = 300;
const VOID_TAGS = /^(?:br|hr|img|meta|link|input|col|area|base|wbr|source|o:p)$/i;

/** Plain text of an HTML body, paragraphs and table rows as lines. Never throws. */
export function htmlToPlainText(html: string): string {
  const capped = html.slice(0, MAX_HTML_CHARS);
  if (nestingExceeds(capped, MAX_NESTING)) return stripTags(capped);
  try {
    return convert(capped);
  } catch {
    return stripTags(capped);
  }
}

/** A cheap scan, because html-to-text slows sharply on pathologically deep documents. */
function nestingExceeds(html: string, limit: number): boolean {
  let depth = 0;
  for (const m of html.matchAll(/<(\/?)([a-zA-Z][\w:-]{0,40})[^<>]{0,4000}?(\/?)>/g)) {
    if (m[1]) depth = Math.max(0, depth - 1);
    else if (!m[3] && !VOID_TAGS.test(m[2])) depth++;
    if (depth > limit) return true;
  }
  return false;
}

function stripTags(html: string): string {
  return html
    .replace(/<(?:br|p|div|tr|li|h\d)\b[^<>]*>/gi, '\n')
    .replace(/<[^<>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>');
}
