// The layout every rich format starts from, chosen by the catalogue's result type (never by
// the command's name): a scalar, a list of scalars, a list of records, or one record.
import type { CommandSpec, ResultType, ValueType } from '../catalogue/types.js';
import type { ResultValue } from '../client/normalise.js';
import { printedValue } from './text.js';

/** A column: a catalogue field, or `ok` (a boolean) for rescode and restuple. */
export interface Column {
  readonly name: string;
  readonly type: ValueType | 'boolean';
}

export type Shape =
  | { readonly kind: 'scalar'; readonly column: Column; readonly value: ResultValue }
  | { readonly kind: 'list'; readonly column: Column; readonly items: readonly ResultValue[] }
  | { readonly kind: 'records'; readonly columns: readonly Column[]; readonly rows: readonly Record<string, ResultValue>[] }
  | { readonly kind: 'record'; readonly columns: readonly Column[]; readonly record: Record<string, ResultValue> };

const OK: Column = { name: 'ok', type: 'boolean' };

export function shapeOf(spec: CommandSpec, value: ResultValue): Shape {
  const { name, type } = spec.result;
  if (type === 'rescode') return { kind: 'record', columns: [OK], record: { ok: true } };
  if (type === 'restuple') return { kind: 'record', columns: [OK, { name: 'text', type: 'string' }], record: { ok: true, text: printedValue(spec, value) } };
  if (typeof type === 'string') return { kind: 'scalar', column: { name, type }, value };
  if ('tuple' in type) return { kind: 'record', columns: type.tuple, record: value as Record<string, ResultValue> };
  const element = type.list;
  if (typeof element.type === 'object' && 'tuple' in element.type) {
    return { kind: 'records', columns: element.type.tuple, rows: value as Record<string, ResultValue>[] };
  }
  // An unnamed element takes the result's name (e.g. `sessions` for connected_users).
  return { kind: 'list', column: { name: element.name || name, type: element.type }, items: value as ResultValue[] };
}

/** Whether a terminal gets a table by default: a list of records or a record (not a status). */
export function prefersTable(type: ResultType): boolean {
  if (typeof type !== 'object') return false;
  if ('tuple' in type) return true;
  return typeof type.list.type === 'object' && 'tuple' in type.list.type;
}

/** The header and the rows of cells of a shape, as CSV, TSV and tables lay them out. */
export interface Grid {
  readonly columns: readonly Column[];
  readonly rowCount: number;
  /** The row's cells, in column order. */
  row(index: number): ResultValue[];
}

export function gridOf(shape: Shape): Grid {
  switch (shape.kind) {
    case 'scalar':
      return { columns: [shape.column], rowCount: 1, row: () => [shape.value] };
    case 'list':
      return { columns: [shape.column], rowCount: shape.items.length, row: (i) => [shape.items[i]] };
    case 'record':
      return { columns: shape.columns, rowCount: 1, row: () => shape.columns.map((c) => shape.record[c.name]) };
    case 'records':
      return { columns: shape.columns, rowCount: shape.rows.length, row: (i) => shape.columns.map((c) => shape.rows[i][c.name]) };
  }
}

export function isNumeric(type: Column['type']): boolean {
  return type === 'integer';
}
