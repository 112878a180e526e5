// ejabberdctl's text output, byte for byte: list elements one per line, tuple fields
// separated by tabs, rescode prints nothing, restuple prints its text, atoms as Erlang writes them. A list inside a result
// (a record's field) is printed as that release's ejabberdctl prints it: one element per line
// (23.01), joined by `;` (23.10) or by `,` (24.02 and later).
import type { CommandSpec, ResultType } from '../catalogue/types.js';
import type { ResultValue } from '../client/normalise.js';

/** How the release's ejabberdctl joins the elements of a list inside a result. */
export interface TextRule {
  readonly listSeparator: string;
}

/** ejabberd 23.01's ejabberdctl. */
export const TEXT_23_01: TextRule = { listSeparator: '\n' };

// Erlang's reserved words, which an atom must be quoted to be (OTP 27 and later also quote
// `maybe` and `else`: no atom ejabberd returns is either).
const RESERVED = new Set(['after', 'and', 'andalso', 'band', 'begin', 'bnot', 'bor', 'bsl', 'bsr', 'bxor', 'case', 'catch',
  'cond', 'div', 'end', 'fun', 'if', 'let', 'not', 'of', 'or', 'orelse', 'receive', 'rem', 'try', 'when', 'xor']);
const BARE_ATOM = /^[a-z\u00df-\u00f6\u00f8-\u00ff][\w@\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]*$/;
const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\b': '\\b', '\f': '\\f', '\x1b': '\\e', '\x7f': '\\d', "'": "\\'", '\\': '\\\\' };

/** An atom as Erlang's `~p` writes it: bare when it can be, else in single quotes with escapes. */
export function erlangAtom(text: string): string {
  if (BARE_ATOM.test(text) && !RESERVED.has(text)) return text;
  const escaped = [...text].map((ch) => {
    const c = ch.codePointAt(0)!;
    if (NAMED_ESCAPES[ch]) return NAMED_ESCAPES[ch];
    if (c < 0x20 || (c >= 0x80 && c < 0xa0)) return `\\${c.toString(8).padStart(3, '0')}`;
    return c > 0xff ? `\\x{${c.toString(16).toUpperCase()}}` : ch;
  });
  return `'${escaped.join('')}'`;
}

function render(value: ResultValue, type: ResultType, rule: TextRule, atoms: readonly string[], name: string, top: boolean): string {
  if (type === 'rescode') return '';
  if (typeof type === 'string') return atoms.includes(name) ? erlangAtom(String(value)) : String(value);
  if ('list' in type) return (value as ResultValue[]).map((el) => render(el, type.list.type, rule, atoms, type.list.name, false)).join(top ? '\n' : rule.listSeparator);
  const record = value as Record<string, ResultValue>;
  return type.tuple.map((f) => render(record[f.name], f.type, rule, atoms, f.name, false)).join('\t');
}

// ejabberdctl prints `status` itself instead of the command's text, which the API sends as
// "The node N is S. Status: P" followed by the version line: directly (23.01), after two
// spaces (24.12) or after a line break (25.03).
const STATUS_TEXT = /^The node (\S+) is (\S+)\. Status: (\w+?)\s*(ejabberd .*)$/s;

const textOverrides: Record<string, (text: string) => string> = {
  status: (text) => text.replace(STATUS_TEXT, 'The node $1 is $2 with status: $3\n$4'),
};

/** A result's text as ejabberdctl words it (`status`): every format carries this text, not the API's. */
export function printedValue(spec: Pick<CommandSpec, 'name'>, value: ResultValue): ResultValue {
  const override = Object.hasOwn(textOverrides, spec.name) ? textOverrides[spec.name] : undefined;
  return override && typeof value === 'string' ? override(value) : value;
}

// Erlang's printable latin-1 characters (io_lib:printable_latin1_list), the escapes `~p` writes
// for some of them, and the line width `~p` fills a list to (io_lib_pretty: a line of a list holds
// at most 78 characters, the comma or bracket after its last element included).
const ERLANG_STRING_ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v', 0x08: '\\b', 0x0c: '\\f', 0x1b: '\\e' };
const printableByte = (b: number) => (b >= 0x20 && b < 0x7f) || b >= 0xa0 || ERLANG_STRING_ESCAPES[b] !== undefined;
const PRETTY_LINE = 78;

/**
 * One string of a list as `~p` writes it: the server holds UTF-8 bytes, so a string whose bytes
 * are all printable is quoted (its text kept as UTF-8, its width the bytes'), else it is the list
 * of its byte values (`ints`), which `~p` lays out as a list of its own.
 */
function erlangString(text: string): { text: string; width: number; ints?: number[] } {
  if (text === '') return { text: '[]', width: 2 };
  const bytes = Buffer.from(text, 'utf8');
  if (!bytes.every(printableByte)) {
    const ints = `[${bytes.join(',')}]`;
    return { text: ints, width: ints.length, ints: [...bytes] };
  }
  const escaped = text.replace(/["\\\n\r\t\v\b\f\x1b]/g, (c) => ERLANG_STRING_ESCAPES[c.charCodeAt(0)]);
  return { text: `"${escaped}"`, width: bytes.length + 2 + (escaped.length - text.length) };
}

/**
 * Elements filled into lines as `~p` fills a list that does not fit on one line: each line holds
 * at most PRETTY_LINE characters (the comma or bracket after an element included), and continued
 * lines are indented to `indent` (the column after the list's bracket). An element that is itself
 * a list of numbers (`breaks`) stands on its own line: the element before it and the one after
 * it end and start a line. Returns the text after the opening bracket and the column it ends at.
 */
function fillLines(els: readonly { text: string; width: number; breaks?: boolean }[], indent: number): { text: string; column: number } {
  let out = els[0].text;
  let column = indent + els[0].width;
  let broke = els[0].breaks === true;
  for (const e of els.slice(1)) {
    if (!broke && !e.breaks && column + 1 + e.width + 1 <= PRETTY_LINE) {
      out += `,${e.text}`;
      column += 1 + e.width;
    } else {
      out += `,\n${' '.repeat(indent)}${e.text}`;
      column = indent + e.width;
    }
    broke = e.breaks === true;
  }
  return { text: out, column };
}

/** A list of strings as Erlang's `~p` prints it: on one line when it fits, else filled into lines indented by one space. */
export function erlangStringList(items: readonly string[]): string {
  const els = items.map(erlangString);
  const oneLine = els.reduce((w, e) => w + e.width, 1 + els.length);
  if (els.length === 0 || oneLine <= PRETTY_LINE) return `[${els.map((e) => e.text).join(',')}]`;
  // A list of byte values too wide for its line is filled itself, one column further in.
  const laidOut = els.map((e) => {
    if (!e.ints) return e;
    if (1 + e.width + 1 <= PRETTY_LINE) return { ...e, breaks: true };
    const inner = fillLines(e.ints.map((n) => ({ text: String(n), width: String(n).length })), 2);
    return { text: `[${inner.text}]`, width: inner.column, breaks: true };
  });
  return `[${fillLines(laidOut, 1).text}]`;
}

/**
 * Fields of a record that the server holds as a list of strings: the API sends its elements joined
 * by line feeds, ejabberdctl prints the Erlang list (`~p`). Per command: the field that names the
 * row, the names of such rows, and the field that holds the list. Any other row's empty value is
 * an empty Erlang string, which ejabberdctl prints as `[]` (srg_get_info's label and description,
 * measured on 23.01, 24.12 and 26.07).
 */
const ERLANG_LIST_FIELDS: Record<string, { readonly keyField: string; readonly keys: readonly string[]; readonly valueField: string }> = {
  srg_get_info: { keyField: 'key', keys: ['displayed_groups'], valueField: 'value' },
};

/** The result with those lists written as ejabberdctl prints them. */
function withErlangLists(spec: Pick<CommandSpec, 'name'>, value: ResultValue): ResultValue {
  const rule = Object.hasOwn(ERLANG_LIST_FIELDS, spec.name) ? ERLANG_LIST_FIELDS[spec.name] : undefined;
  if (!rule || !Array.isArray(value)) return value;
  return value.map((row) => {
    const record = row as Record<string, ResultValue>;
    const text = record[rule.valueField];
    if (typeof text !== 'string') return row;
    if (!rule.keys.includes(String(record[rule.keyField]))) return text === '' ? { ...record, [rule.valueField]: '[]' } : row;
    return { ...record, [rule.valueField]: erlangStringList(text === '' ? [] : text.split('\n')) };
  });
}

/** The text ejabberdctl would print for this result, without the final newline ('' prints nothing). */
export function formatText(spec: CommandSpec, value: ResultValue, rule: TextRule = TEXT_23_01): string {
  return render(withErlangLists(spec, printedValue(spec, value)), spec.result.type, rule, spec.result.atoms ?? [], spec.result.name, true);
}
