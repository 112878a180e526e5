// Text inside table cells: how wide it shows in a terminal, control characters made visible,
// and long lines wrapped to a column's width.
import stringWidth from 'string-width';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// C0 controls other than newline, DEL and C1 controls: a terminal would act on them.
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/g;

/** Columns the text takes in a terminal (East Asian wide characters and emoji count 2). */
export function displayWidth(text: string): number {
  return PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text);
}

/**
 * Shows control characters as Unicode control pictures (tab as ␉, ESC as ␛) so that data can
 * neither move the cursor nor colour the terminal, and every character has a known width.
 */
export function visible(text: string): string {
  if (PRINTABLE_ASCII.test(text)) return text;
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    return code === 0x7f ? '\u2421' : '\ufffd';
  });
}

let graphemes: Intl.Segmenter | undefined;

/** The user-perceived characters of a line, so that wrapping never splits an emoji or an accent. */
function splitGraphemes(line: string): string[] {
  if (PRINTABLE_ASCII.test(line)) return line.split('');
  graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  return Array.from(graphemes.segment(line), (s) => s.segment);
}

/**
 * Breaks one line (no newline inside) into lines at most `width` columns wide: at the last
 * space that fits (the space itself is dropped), else in the middle of the word.
 */
export function wrapLine(line: string, width: number): string[] {
  if (displayWidth(line) <= width) return [line];
  if (PRINTABLE_ASCII.test(line)) return wrapAscii(line, width);
  const chars = splitGraphemes(line);
  const widths = chars.map(displayWidth);
  const out: string[] = [];
  let start = 0;
  let rest = widths.reduce((a, b) => a + b, 0);
  while (rest > width) {
    let end = start;
    let used = 0;
    while (end < chars.length && (end === start || used + widths[end] <= width)) used += widths[end++];
    let space = -1;
    for (let i = Math.min(end, chars.length - 1); i > start; i--) if (chars[i] === ' ') { space = i; break; }
    const stop = space > start ? space : end;
    out.push(chars.slice(start, stop).join(''));
    for (let i = start; i < (space > start ? space + 1 : end); i++) rest -= widths[i];
    start = space > start ? space + 1 : end;
  }
  out.push(chars.slice(start).join(''));
  return out;
}

/** wrapLine for printable ASCII, where a character is one column. */
function wrapAscii(line: string, width: number): string[] {
  const out: string[] = [];
  let start = 0;
  while (line.length - start > width) {
    const space = line.lastIndexOf(' ', start + width);
    if (space > start) {
      out.push(line.slice(start, space));
      start = space + 1;
    } else {
      out.push(line.slice(start, start + width));
      start += width;
    }
  }
  out.push(line.slice(start));
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
