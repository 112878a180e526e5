// ejabberdctl's text output, byte for byte: list elements one per line, tuple fields
// separated by tabs, rescode prints nothing, restuple prints its text. A list inside a result
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

function render(value: ResultValue, type: ResultType, rule: TextRule, top: boolean): string {
  if (type === 'rescode') return '';
  if (typeof type === 'string') return String(value);
  if ('list' in type) return (value as ResultValue[]).map((el) => render(el, type.list.type, rule, false)).join(top ? '\n' : rule.listSeparator);
  const record = value as Record<string, ResultValue>;
  return type.tuple.map((f) => render(record[f.name], f.type, rule, false)).join('\t');
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
  return render(printedValue(spec, value), spec.result.type, rule, true);
}
