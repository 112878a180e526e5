// Text inside table cells: how wide it shows in a terminal, control characters made visible,
// and long lines wrapped to a column's width without cutting a word.
import stringWidth from 'string-width';
import { escapeCharacter, replaceUnsafe } from './escape.js';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Columns the text takes in a terminal (East Asian wide characters and emoji count 2). */
export function displayWidth(text: string): number {
  return PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text);
}

/**
 * Shows control characters as Unicode control pictures (tab as ␉, ESC as ␛) and invisible ones
 * (format characters, separators) as escapes (\u202e), so that data can neither move the cursor,
 * colour the terminal nor reorder or hide text, and every character has a known width.
 * Line feeds stay: they break the cell into lines.
 */
export function visible(text: string): string {
  if (PRINTABLE_ASCII.test(text)) return text;
  return replaceUnsafe(text, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return c;
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return code <= 0x9f ? '\ufffd' : escapeCharacter(c);
  });
}

// Where a line may break: at a run of spaces (dropped at the break), or after `,` or `;` (kept).
// Nothing else: a JID (bob@localhost/phone), an IP address, a number or a header is one piece.
const PIECE = /( +)|([^ ,;]*[,;]+|[^ ,;]+)/g;

/** The pieces of a line that wrapping keeps whole, each with the spaces before it. */
function pieces(line: string): { space: string; text: string }[] {
  const out: { space: string; text: string }[] = [];
  let space = '';
  for (const m of line.matchAll(PIECE)) {
    if (m[1] !== undefined) space += m[1];
    else {
      out.push({ space, text: m[2] });
      space = '';
    }
  }
  if (space !== '') out.push({ space, text: '' }); // trailing spaces stay with the line
  return out;
}

/** The widest piece of the cell's lines: the narrowest column that shows it without cutting a word. */
export function unbreakableWidth(lines: readonly string[]): number {
  let widest = 0;
  for (const line of lines) {
    if (displayWidth(line) <= widest) continue;
    for (const p of pieces(line)) {
      const w = displayWidth(p.text);
      if (w > widest) widest = w;
    }
  }
  return widest;
}

/**
 * Breaks one line (no newline inside) into lines at most `width` columns wide, at spaces (which
 * are dropped) and after `,` and `;`; never inside a word. A piece wider than `width` gets a line
 * of its own, wider than asked (tables make their columns wide enough, or go vertical).
 */
export function wrapLine(line: string, width: number): string[] {
  if (displayWidth(line) <= width) return [line];
  const out: string[] = [];
  let current = '';
  let used = 0;
  for (const { space, text } of pieces(line)) {
    const w = displayWidth(text);
    if (current === '' && out.length === 0) {
      current = space + text;
      used = displayWidth(current);
    } else if (used + space.length + w <= width) {
      current += space + text;
      used += space.length + w;
    } else {
      out.push(current);
      current = text;
      used = w;
    }
  }
  out.push(current);
  return out;
}

/** The display lines of a cell, each at most `width` wide (embedded newlines start new lines). */
export function wrapCell(lines: readonly string[], width: number): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (line.length <= width && PRINTABLE_ASCII.test(line)) out.push(line);
    else out.push(...wrapLine(line, width));
  }
  return out;
}
