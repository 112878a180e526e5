// --columns: a result narrowed to some of its fields, in the order asked for. The narrowed
// result has a catalogue shape of its own, so every format (text, table, vertical, JSON, YAML,
// CSV, TSV) prints it with no code of its own.
import type { CommandSpec, Field, ResultType } from '../catalogue/types.js';
import type { ResultValue } from '../client/normalise.js';

/** The fields of a result (of a record, or of each record of a list); null when it has none to pick. */
export function columnNames(type: ResultType): string[] | null {
  const tuple = recordFields(type);
  return tuple ? tuple.map((f) => f.name) : null;
}

function recordFields(type: ResultType): readonly Field[] | null {
  if (typeof type !== 'object') return null;
  if ('tuple' in type) return type.tuple;
  const element = type.list.type;
  return typeof element === 'object' && 'tuple' in element ? element.tuple : null;
}

/** The names asked for that the result lacks (an empty list when every one is a field). */
export function unknownColumns(type: ResultType, names: readonly string[]): string[] {
  const known = columnNames(type) ?? [];
  return names.filter((n) => !known.includes(n));
}

/** The spec and value showing only `names` (all fields of the result), in that order. */
export function selectColumns<S extends CommandSpec>(spec: S, value: ResultValue, names: readonly string[]): { spec: S; value: ResultValue } {
  const type = spec.result.type;
  const fields = recordFields(type)!;
  const chosen = names.map((n) => fields.find((f) => f.name === n)!);
  const pick = (record: Record<string, ResultValue>) => Object.fromEntries(names.map((n) => [n, record[n]]));
  const isList = typeof type === 'object' && 'list' in type;
  const narrowed: ResultType = isList ? { list: { name: type.list.name, type: { tuple: chosen } } } : { tuple: chosen };
  return {
    spec: { ...spec, result: { ...spec.result, type: narrowed } },
    value: isList ? (value as Record<string, ResultValue>[]).map(pick) : pick(value as Record<string, ResultValue>),
  };
}
