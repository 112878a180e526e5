// Words between ectl and the shell that completes its command line: the words the shell passes
// (as typed, quotes and all, for bash and fish) read back to their values, and each candidate
// made into text the shell can insert without running anything. A server's answer is data: a
// name like `x$(rm -rf ~)` must arrive as that name, never as code.

export type QuoteContext = '' | "'" | '"' | "$'";

export interface TypedWord {
  /** The word's value as the shell will pass it to ectl (quotes removed, escapes read). */
  readonly value: string;
  /** The quote still open where the cursor is ('' when none). */
  readonly open: QuoteContext;
  /** Where the open quote's quote character is (readline replaces from there; -1 when none is open). */
  readonly quoteAt: number;
}

const C_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', e: '\x1b', E: '\x1b', a: '\x07', b: '\b', f: '\f', v: '\v' };

/** Reads a word as bash would (backslashes, '…', "…", $'…'), up to the cursor; an unfinished quote stays open. */
export function readBashWord(raw: string): TypedWord {
  let value = '';
  let open: QuoteContext = '';
  let quoteAt = -1;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (open === "'") {
      if (c === "'") open = '';
      else value += c;
    } else if (open === '"') {
      if (c === '"') open = '';
      else if (c === '\\' && i + 1 < raw.length && '$`"\\\n'.includes(raw[i + 1])) value += raw[++i];
      else value += c;
    } else if (open === "$'") {
      if (c === "'") open = '';
      else if (c === '\\' && i + 1 < raw.length) {
        const [text, used] = readCEscape(raw, i + 1);
        value += text;
        i += used;
      } else value += c;
    } else if (c === '\\') {
      if (i + 1 < raw.length) value += raw[++i];
    } else if (c === "'" || c === '"') {
      open = c;
      quoteAt = i;
    } else if (c === '$' && (raw[i + 1] === "'" || raw[i + 1] === '"')) {
      open = raw[i + 1] === "'" ? "$'" : '"';
      quoteAt = i + 1;
      i++;
    } else value += c;
  }
  return { value, open, quoteAt: open ? quoteAt : -1 };
}

/** The text of the escape after a backslash in $'…' at `at`, and how many characters it used. */
function readCEscape(raw: string, at: number): [string, number] {
  const c = raw[at];
  if (c in C_ESCAPES) return [C_ESCAPES[c], 1];
  const hex = /^(?:x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{1,4})|U([0-9a-fA-F]{1,8})|([0-7]{1,3}))/.exec(raw.slice(at));
  if (hex) {
    const code = parseInt(hex[1] ?? hex[2] ?? hex[3] ?? hex[4], hex[4] ? 8 : 16);
    // \x and octal escapes are bytes; a lone byte above 0x7f is not a character on its own here.
    return [code <= 0x10ffff ? String.fromCodePoint(code) : '', hex[0].length];
  }
  return [c, 1];
}

/** Reads a token as fish passes it (`commandline -ct`: as typed): quotes removed, backslash escapes read. */
export function readFishWord(raw: string): string {
  let value = '';
  let open = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (open) {
      if (c === open) open = '';
      else if (c === '\\' && i + 1 < raw.length && (raw[i + 1] === open || raw[i + 1] === '\\' || (open === '"' && raw[i + 1] === '$'))) value += raw[++i];
      else value += c;
    } else if (c === "'" || c === '"') open = c;
    else if (c === '\\' && i + 1 < raw.length) {
      const [text, used] = readCEscape(raw, i + 1);
      value += text;
      i += used;
    } else value += c;
  }
  return value;
}

/**
 * Characters shown as an escape, never raw: controls, format characters (bidi overrides,
 * zero-width), separators, unassigned and private-use code points, spaces other than U+0020.
 */
const NOT_SHOWN = /[\p{C}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/u;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NOT_SHOWN_RUN = /[\p{C}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+/gu;
/** Characters bash takes literally outside quotes. */
const BASH_PLAIN = /[A-Za-z0-9_.,:=@%+/-]/;

/** $'…' text for characters not to be shown raw: every byte as \xHH, whatever the locale. */
const ansiC = (run: string) => `$'${[...Buffer.from(run, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}'`;

/** One character, quoted for bash outside quotes. */
function bashBare(c: string): string {
  if (NOT_SHOWN.test(c)) return ansiC(c);
  return BASH_PLAIN.test(c) || c.charCodeAt(0) > 0x7f ? c : `\\${c}`;
}

/** `text` as bash text that continues a word whose quote `open` is open, closing that quote at the end. */
function bashContinue(text: string, open: QuoteContext): string {
  const chars = [...text];
  switch (open) {
    case "'":
      return `${chars.map((c) => (c === "'" ? `'\\''` : NOT_SHOWN.test(c) ? `'${ansiC(c)}'` : c)).join('')}'`;
    case '"':
      return `${chars.map((c) => ('$`"\\!'.includes(c) || NOT_SHOWN.test(c) ? `"${bashBare(c)}"` : c)).join('')}"`;
    case "$'":
      return `${text.replace(/[\\']/g, '\\$&').replace(NOT_SHOWN_RUN, (run) => ansiC(run).slice(2, -1))}'`;
    default:
      return chars.map(bashBare).join('');
  }
}

/**
 * The word `raw` completed with a candidate, for bash: the text as typed, then the rest of the
 * candidate quoted for the quote open there, which it closes. Inside an open quote readline
 * replaces from that quote, so the reply starts there; the script strips what comes before a
 * `=` or `:` (where readline starts otherwise). `typed` is the part of the word's value the
 * candidate extends (the value after `--opt=`).
 */
export function bashReply(raw: string, word: TypedWord, typed: string, candidate: string): string {
  return raw.slice(Math.max(word.quoteAt, 0)) + bashContinue(candidate.slice(typed.length), word.open);
}

/** Whether a shell can be given the candidate so that exactly it arrives, and nothing shows raw on the terminal. */
export function canOffer(shell: 'bash' | 'zsh' | 'fish' | undefined, candidate: string): boolean {
  // No argument can hold NUL; JSON can carry a lone surrogate, which no UTF-8 text can.
  if (candidate.includes('\0') || LONE_SURROGATE.test(candidate)) return false;
  // fish quotes what it inserts but shows format characters raw, and reads a tab as the start of a description.
  if (shell === 'fish') return ![...candidate].some((c) => c === '\t' || (NOT_SHOWN.test(c) && !/[\x01-\x1f\x7f]/.test(c)));
  // zsh quotes what it inserts and shows non-printing characters as escapes; bash gets them quoted by ectl.
  if (shell) return true;
  // A script from before ectl quoted (no --shell): only words no shell reads as code.
  return ![...candidate].some((c) => !BASH_PLAIN.test(c) && (c.charCodeAt(0) <= 0x7f || NOT_SHOWN.test(c)));
}
