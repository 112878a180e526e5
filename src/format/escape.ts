// Text from the server, from arguments or from input, made safe to show on a terminal: every
// character a terminal would act on or that cannot be seen is written as an escape (`\x1b`,
// `\n`, `\u202e`, `\u{e0041}`), so that it can neither move the cursor, clear the screen, colour
// the text, split a message into lines, reorder what is shown nor hide in it.
//
// Escaped: C0 and C1 controls and DEL; the line and paragraph separators (U+2028, U+2029); every
// format character (category Cf: bidirectional controls, zero-width space, word joiner, BOM, soft
// hyphen, tag characters, interlinear annotations...) and every other character Unicode says a
// renderer ignores (Default_Ignorable_Code_Point: Hangul fillers, variation selectors,
// combining grapheme joiner...); lone surrogates. Kept as they are, as they belong to ordinary
// text: an emoji sequence joined by U+200D (👩‍💻), a flag written with tag characters, a single
// variation selector right after a visible character (❤️, 1️⃣), and U+200C/U+200D between two
// letters of a script that uses them (Persian, Indic; not Latin, Greek or Cyrillic, where they
// would only serve to make two names look alike).

const UNSAFE_CHAR = '[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\p{Cf}\\p{Default_Ignorable_Code_Point}\\p{Cs}]';
const EMOJI = '\\p{Extended_Pictographic}(?:\\p{Emoji_Modifier}|\\uFE0F)?';
const JOINING_LETTER = '(?![\\p{Script=Latin}\\p{Script=Greek}\\p{Script=Cyrillic}])[\\p{L}\\p{M}]';
/** Sequences made of characters otherwise escaped that ordinary text holds: kept whole. */
const KEPT = [
  `${EMOJI}(?:\\u200D${EMOJI})+`,
  '\\u{1F3F4}[\\u{E0020}-\\u{E007E}]+\\u{E007F}',
  `(?<=${JOINING_LETTER})[\\u200C\\u200D](?=${JOINING_LETTER})`,
  '(?<=[^\\p{C}\\p{Z}\\p{Default_Ignorable_Code_Point}])[\\uFE00-\\uFE0F\\u{E0100}-\\u{E01EF}]',
].join('|');

const unsafe = (chars: string) => new RegExp(`(${KEPT})|${chars}`, 'gu');
const UNSAFE = unsafe(UNSAFE_CHAR);
// JSON.stringify has escaped C0 controls already; line feeds and spaces of its indentation stay.
const UNSAFE_IN_JSON = unsafe(UNSAFE_CHAR.replace('\\x00-\\x1f', ''));
const PLAIN_ASCII = /^[\x20-\x7e]*$/;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** How ectl writes one unsafe character: `\n`, `\x1b`, `\u202e`, `\u{e0041}` (beyond the BMP). */
export function escapeCharacter(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.codePointAt(0)!;
  if (code < 0x100) return `\\x${hex(code, 2)}`;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${hex(code, 4)}`;
}

/** A character as a JSON escape: `\u202e`, or a surrogate pair beyond the BMP. */
function jsonEscape(c: string): string {
  let out = '';
  for (let i = 0; i < c.length; i++) out += `\\u${hex(c.charCodeAt(i), 4)}`;
  return out;
}

/** The text with each unsafe character replaced by `replace(c)`; kept sequences (see above) stay. */
export function replaceUnsafe(text: string, replace: (c: string) => string): string {
  if (PLAIN_ASCII.test(text)) return text;
  return text.replace(UNSAFE, (c: string, kept: string | undefined) => kept ?? replace(c));
}

/** Whether the text holds a character a terminal would act on, or one that cannot be seen. */
export function hasControls(text: string): boolean {
  return replaceUnsafe(text, () => '\0!') !== text;
}

/** The text with every unsafe character escaped: one line, nothing a terminal acts on, nothing hidden. */
export function escapeControls(text: string): string {
  return replaceUnsafe(text, escapeCharacter);
}

/** Like escapeControls but keeps line feeds and tabs, which only start a line or a column. */
export function escapeControlsKeepLayout(text: string): string {
  return replaceUnsafe(text, (c) => (c === '\n' || c === '\t' ? c : escapeCharacter(c)));
}

/** JSON text with the characters JSON.stringify leaves raw but a terminal acts on (or hides) written as \u escapes. */
export function escapeJsonText(json: string): string {
  if (PLAIN_ASCII.test(json)) return json;
  return json.replace(UNSAFE_IN_JSON, (c: string, kept: string | undefined) => kept ?? jsonEscape(c));
}
