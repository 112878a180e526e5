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

const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cs}]/gu;
// JSON.stringify has escaped C0 controls already; line feeds and spaces of its indentation stay.
const UNSAFE_IN_JSON = /[\x7f-\x9f\u2028\u2029\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cs}]/gu;
// biome-ignore lint/suspicious/noMisleadingCharacterClass: each code point alone is the point (a modifier or U+FE0F after a pictograph)
const EMOJI_PART = /^[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F]$/u;
const PICTOGRAPH = /^\p{Extended_Pictographic}$/u;
const JOINING_LETTER = /^(?![\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}])[\p{L}\p{M}]$/u;
const VARIATION_BASE = /^[^\p{C}\p{Z}\p{Default_Ignorable_Code_Point}]$/u;
const isTag = (c: number) => c >= 0xe0020 && c <= 0xe007f;

/** The code point before `at` (as a string), or '' at the start. */
function before(text: string, at: number): string {
  if (at === 0) return '';
  const low = text.charCodeAt(at - 1);
  return at >= 2 && low >= 0xdc00 && low <= 0xdfff && text.charCodeAt(at - 2) >= 0xd800 && text.charCodeAt(at - 2) <= 0xdbff ? text.slice(at - 2, at) : text[at - 1];
}

/** The code point starting at `at`, or ''. */
const after = (text: string, at: number) => String.fromCodePoint(text.codePointAt(at) ?? 0).slice(0, at < text.length ? 2 : 0);

/** Whether the invisible character `c` at `at` belongs to ordinary text (see above) and stays. */
function belongs(c: string, text: string, at: number): boolean {
  const code = c.codePointAt(0)!;
  if (code === 0x200d || code === 0x200c) {
    const prev = before(text, at);
    const next = after(text, at + 1);
    if (code === 0x200d && EMOJI_PART.test(prev) && PICTOGRAPH.test(next)) return true;
    return JOINING_LETTER.test(prev) && JOINING_LETTER.test(next);
  }
  if ((code >= 0xfe00 && code <= 0xfe0f) || (code >= 0xe0100 && code <= 0xe01ef)) return VARIATION_BASE.test(before(text, at));
  if (isTag(code)) {
    // A flag: U+1F3F4, tag characters, ending with the cancel tag U+E007F.
    let start = at;
    while (start > 0 && isTag(before(text, start).codePointAt(0)!)) start -= 2;
    if (before(text, start) !== '\u{1F3F4}') return false;
    let end = at;
    while (end < text.length && isTag(text.codePointAt(end)!) && text.codePointAt(end) !== 0xe007f) end += 2;
    return text.codePointAt(end) === 0xe007f;
  }
  return false;
}
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
  return text.replace(UNSAFE, (c: string, at: number) => (belongs(c, text, at) ? c : replace(c)));
}

/** The text with every unsafe character escaped: one line, nothing a terminal acts on, nothing hidden. */
export function escapeControls(text: string): string {
  return replaceUnsafe(text, escapeCharacter);
}

/**
 * A word the user typed (a command, a topic), as an error names it: escaped, and cut short past
 * `most` characters with its length, so that no message repeats a huge or odd word whole.
 */
export function shownWord(word: string, most = 40): string {
  return escapeControls(word.length > most ? `${word.slice(0, most)}... (${word.length} characters)` : word);
}

/** Like escapeControls but keeps line feeds and tabs, which only start a line or a column. */
export function escapeControlsKeepLayout(text: string): string {
  return replaceUnsafe(text, (c) => (c === '\n' || c === '\t' ? c : escapeCharacter(c)));
}

/** JSON text with the characters JSON.stringify leaves raw but a terminal acts on (or hides) written as \u escapes. */
export function escapeJsonText(json: string): string {
  if (PLAIN_ASCII.test(json)) return json;
  return json.replace(UNSAFE_IN_JSON, (c: string, at: number) => (belongs(c, json, at) ? c : jsonEscape(c)));
}
