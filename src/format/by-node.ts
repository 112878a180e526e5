// One command's results from several nodes of a cluster (--all-nodes), laid out as one output:
// text lines prefixed with the node's name and a tab, JSON and YAML keyed by node name, and
// tables, CSV and TSV with a `node` column first. Nodes come in the order given (the profile's).
import type { CommandSpec, Field } from '../catalogue/types.js';
import type { ResultValue } from '../client/normalise.js';
import { resultData } from './json.js';
import { gridOf, shapeOf } from './shape.js';
import { formatText, type TextRule } from './text.js';

export interface NodeResult {
  readonly node: string;
  /** The definition the node answered (nodes may run different releases). */
  readonly spec: CommandSpec;
  readonly value: ResultValue;
  readonly rule?: TextRule;
}

/** ejabberdctl's text of each node, every line prefixed `NODE<TAB>`; '' when no node printed anything. */
export function formatTextByNode(results: readonly NodeResult[]): string {
  let out = '';
  for (const r of results) {
    const text = formatText(r.spec, r.value, r.rule);
    if (text !== '') out += `${text.split('\n').map((line) => `${r.node}\t${line}`).join('\n')}\n`;
  }
  return out;
}

/** The data of -o json and yaml: each node's result (as one node's output has it) under its name. */
export function dataByNode(results: readonly NodeResult[]): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const r of results) data[r.node] = resultData(r.spec, r.value);
  return data;
}

/**
 * The rows of tables, CSV and TSV: one result whose records are every node's rows, each with the
 * node's name in a first `node` column. Columns come from the first node's definition (one
 * named `node` is renamed after the result).
 */
export function recordsByNode(results: readonly NodeResult[]): { spec: CommandSpec; value: ResultValue } | undefined {
  if (results.length === 0) return undefined;
  const first = results[0].spec;
  // A result column called `node` (list_cluster's) takes the result's name instead.
  const rename = (name: string) => (name !== 'node' ? name : first.result.name !== 'node' ? first.result.name : 'value');
  const columns = gridOf(shapeOf(first, results[0].value)).columns.map((c) => ({ ...c, name: rename(c.name) }));
  const rows: Record<string, ResultValue>[] = [];
  for (const r of results) {
    const grid = gridOf(shapeOf(r.spec, r.value));
    for (let i = 0; i < grid.rowCount; i++) {
      const cells = grid.row(i);
      const row: Record<string, ResultValue> = { node: r.node };
      grid.columns.forEach((c, j) => { row[rename(c.name)] = cells[j]; });
      rows.push(row);
    }
  }
  // `ok` (a status) is a boolean column, which the formatters know from single results.
  const fields = [{ name: 'node', type: 'string' }, ...columns] as Field[];
  const spec: CommandSpec = { ...first, result: { ...first.result, type: { list: { name: '', type: { tuple: fields } } } } };
  return { spec, value: rows as unknown as ResultValue };
}
