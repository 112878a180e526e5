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

/** The text ejabberdctl would print for this result, without the final newline ('' prints nothing). */
export function formatText(spec: CommandSpec, value: ResultValue, rule: TextRule = TEXT_23_01): string {
  return render(printedValue(spec, value), spec.result.type, rule, spec.result.atoms ?? [], spec.result.name, true);
}
