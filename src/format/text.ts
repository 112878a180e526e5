// ejabberdctl's text output, byte for byte: list elements one per line, tuple fields
// separated by tabs, rescode prints nothing, restuple prints its text.
import type { CommandSpec, ResultType } from '../catalogue/types.js';
import type { ResultValue } from '../client/normalise.js';

function render(value: ResultValue, type: ResultType): string {
  if (type === 'rescode') return '';
  if (typeof type === 'string') return String(value);
  if ('list' in type) return (value as ResultValue[]).map((el) => render(el, type.list.type)).join('\n');
  const record = value as Record<string, ResultValue>;
  return type.tuple.map((f) => render(record[f.name], f.type)).join('\t');
}

// ejabberdctl prints `status` itself instead of the command's text, which the API sends as
// "The node N is S. Status: P" directly followed by the version line.
const STATUS_TEXT = /^The node (\S+) is (\S+)\. Status: (\w+?)(ejabberd .*)$/s;

const textOverrides: Record<string, (text: string) => string> = {
  status: (text) => text.replace(STATUS_TEXT, 'The node $1 is $2 with status: $3\n$4'),
};

/** The text ejabberdctl would print for this result, without the final newline ('' prints nothing). */
export function formatText(spec: CommandSpec, value: ResultValue): string {
  const text = render(value, spec.result.type);
  const override = textOverrides[spec.name];
  return override ? override(text) : text;
}
