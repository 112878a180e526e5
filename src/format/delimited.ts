// CSV (RFC 4180 quoting) and TSV: a header row of the catalogue's field names, then one line
// per row. A field that is itself a list (or record) is written as JSON text, e.g.
// ["urn:xmpp:mucsub:nodes:messages","urn:xmpp:mucsub:nodes:subject"], so that [] and [""]
// and elements holding the separator stay distinct.
import type { CommandSpec } from '../catalogue/types.js';
import type { ResultValue } from '../client/normalise.js';
import { DEFAULT_CHUNK_ROWS, type FormatOptions } from './options.js';
import { gridOf, shapeOf } from './shape.js';
import { stringifyExact } from './json.js';

export type Delimited = 'csv' | 'tsv';

const NEEDS_QUOTES = /[",\r\n]/;
const TSV_SPECIAL = /[\\\t\n\r]/g;
const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** RFC 4180: a field holding a quote, comma or line break is quoted, quotes doubled. */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** TSV cannot quote: backslash, tab, newline and carriage return become \\ \t \n \r. */
export function tsvField(text: string): string {
  return text.replace(TSV_SPECIAL, (c) => TSV_ESCAPES[c]);
}

function fieldText(value: ResultValue): string {
  return typeof value === 'object' ? stringifyExact(value) : String(value);
}

/** The result as CSV or TSV lines (LF-terminated), in chunks. */
export function* formatDelimited(spec: CommandSpec, value: ResultValue, kind: Delimited, options?: Pick<FormatOptions, 'chunkRows'>): Generator<string> {
  const grid = gridOf(shapeOf(spec, value));
  const field = kind === 'csv' ? csvField : tsvField;
  const separator = kind === 'csv' ? ',' : '\t';
  const line = (cells: readonly string[]) => cells.map(field).join(separator);
  const chunkRows = options?.chunkRows ?? DEFAULT_CHUNK_ROWS;
  let out = `${line(grid.columns.map((c) => c.name))}\n`;
  for (let r = 0; r < grid.rowCount; r++) {
    out += `${line(grid.row(r).map(fieldText))}\n`;
    if ((r + 1) % chunkRows === 0) {
      yield out;
      out = '';
    }
  }
  if (out !== '') yield out;
}
