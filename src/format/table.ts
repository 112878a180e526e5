// Tables for people: headers from the catalogue's field names, numbers right-aligned, fitted to
// the terminal by wrapping cells at spaces (never inside a word), laid out vertically when even
// that does not fit; colour only when the caller says so.
//
// cli-table3 draws the frame (top border, header, separators, bottom border). The body rows are
// drawn here with the same characters and widths, streamed in chunks: cli-table3 spends ~55 µs
// on every cell, which is 5.8 s for 100,000 rows (see scripts/bench-output.mjs).
import Table from 'cli-table3';
import { Chalk, type ChalkInstance } from 'chalk';
import type { CommandSpec } from '../catalogue/types.js';
import type { ResultValue } from '../client/normalise.js';
import { displayWidth, unbreakableWidth, visible, wrapCell, wrapLine } from './cells.js';
import { DEFAULT_CHUNK_ROWS, type FormatOptions } from './options.js';
import { gridOf, isNumeric, shapeOf, type Column } from './shape.js';
import { stringifyExact } from './json.js';

export const TABLE_CHARS = {
  top: '─', 'top-mid': '┬', 'top-left': '┌', 'top-right': '┐',
  bottom: '─', 'bottom-mid': '┴', 'bottom-left': '└', 'bottom-right': '┘',
  left: '│', 'left-mid': '├', mid: '─', 'mid-mid': '┼', right: '│', 'right-mid': '┤', middle: '│',
} as const;

const MIN_COLUMN = 2;

/** Columns of frame and padding around n cells: `│ a │ b │` is 3 per cell plus 1. */
const frameWidth = (n: number) => 3 * n + 1;

type Tone = 'good' | 'bad' | 'warn';

// Words that say how something is; coloured wherever a cell holds exactly one of them.
const TONES = new Map<string, Tone>([
  ['true', 'good'], ['available', 'good'], ['online', 'good'], ['chat', 'good'],
  ['false', 'bad'], ['unavailable', 'bad'], ['offline', 'bad'],
  ['away', 'warn'], ['xa', 'warn'], ['dnd', 'warn'],
]);
const LONGEST_TONE_WORD = 11;

function toneOf(value: ResultValue): Tone | undefined {
  if (value === true) return 'good';
  return typeof value === 'string' && value.length <= LONGEST_TONE_WORD ? TONES.get(value.toLowerCase()) : undefined;
}

export interface TableCell {
  /** Display lines before wrapping (control characters already made visible). */
  readonly lines: readonly string[];
  readonly right: boolean;
  /** Styled like a header (the field names of a single record). */
  readonly label?: boolean;
  readonly tone?: Tone;
}

/** What a table shows: optional header cells and rows of cells, fetched by index. */
export interface TableSource {
  readonly head: readonly Column[] | null;
  readonly columnCount: number;
  readonly rowCount: number;
  row(index: number): TableCell[];
}

function cellLines(value: ResultValue, type: Column['type']): string[] {
  if (Array.isArray(value)) {
    const element = typeof type === 'object' && 'list' in type ? type.list.type : 'string';
    return value.flatMap((v) => cellLines(v, element)); // a nested list: one element per line
  }
  if (typeof value === 'object') return [visible(stringifyExact(value))];
  const text = visible(String(value));
  return text.includes('\n') ? text.split('\n') : [text];
}

function cell(value: ResultValue, type: Column['type']): TableCell {
  return { lines: cellLines(value, type), right: isNumeric(type), tone: toneOf(value) };
}

/** The table of a result: its columns with a header row, or field/value rows for one record. */
export function tableSource(spec: CommandSpec, value: ResultValue): TableSource {
  const shape = shapeOf(spec, value);
  if (shape.kind === 'record') {
    const { columns, record } = shape;
    return {
      head: null,
      columnCount: 2,
      rowCount: columns.length,
      row: (i) => [{ lines: [columns[i].name], right: false, label: true }, cell(record[columns[i].name], columns[i].type)],
    };
  }
  const grid = gridOf(shape);
  return {
    head: grid.columns,
    columnCount: grid.columns.length,
    rowCount: grid.rowCount,
    row: (i) => grid.row(i).map((v, c) => cell(v, grid.columns[c].type)),
  };
}

/**
 * Column widths (without padding) that fit `total` terminal columns: narrow columns keep their
 * width, the wider ones share what is left equally, none below its `minimum` (its widest word).
 * Infinity (or enough room) keeps every width; when even the minimums do not fit, they are returned.
 */
export function fitWidths(natural: readonly number[], total: number, minimum: readonly number[] = natural.map((w) => Math.min(w, MIN_COLUMN))): number[] {
  const n = natural.length;
  const room = total - frameWidth(n);
  if (natural.reduce((a, b) => a + b, 0) <= room) return [...natural];
  const floor = natural.map((w, i) => Math.min(w, Math.max(minimum[i], 1)));
  const at = (level: number) => natural.map((w, i) => Math.max(floor[i], Math.min(w, level)));
  const sum = (ws: number[]) => ws.reduce((a, b) => a + b, 0);
  if (sum(floor) >= room) return floor;
  // The highest level every wide column can be cut to, then the columns left over one more each.
  let low = 0;
  let high = Math.max(...natural);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (sum(at(mid)) <= room) low = mid;
    else high = mid - 1;
  }
  const widths = at(low);
  let extra = room - sum(widths);
  for (let i = 0; i < n && extra > 0; i++) if (widths[i] < natural[i]) { widths[i]++; extra--; }
  return widths;
}

export interface TableLayout {
  /** Header lines per column, already wrapped; null when the table has no header row. */
  readonly head: string[][] | null;
  readonly widths: number[];
  readonly right: boolean[];
  /** No separator lines between rows (every row is one line high). */
  readonly compact: boolean;
  /** Even with every column cut to its widest word the table is wider than the terminal: draw it vertically. */
  readonly vertical: boolean;
}

/** First pass over all rows: natural widths, then the fitted widths and whether rows need separators. */
export function tableLayout(source: TableSource, width: number): TableLayout {
  const n = source.columnCount;
  const natural = new Array<number>(n).fill(1);
  const right = new Array<boolean>(n).fill(false);
  if (source.head) source.head.forEach((c, i) => { natural[i] = Math.max(natural[i], displayWidth(c.name)); right[i] = isNumeric(c.type); });
  let multiLine = false;
  for (let r = 0; r < source.rowCount; r++) {
    const cells = source.row(r);
    for (let c = 0; c < n; c++) {
      const { lines } = cells[c];
      if (lines.length > 1) multiLine = true;
      for (const line of lines) {
        const w = displayWidth(line);
        if (w > natural[c]) natural[c] = w;
      }
    }
  }
  let minimum = natural;
  if (natural.reduce((a, b) => a + b, 0) > width - frameWidth(n)) {
    // Too wide: a second pass finds each column's widest word (headers are never cut).
    minimum = source.head ? source.head.map((c) => displayWidth(c.name)) : new Array<number>(n).fill(1);
    for (let r = 0; r < source.rowCount; r++) {
      const cells = source.row(r);
      for (let c = 0; c < n; c++) minimum[c] = Math.max(minimum[c], unbreakableWidth(cells[c].lines));
    }
    if (minimum.reduce((a, b) => a + b, 0) > width - frameWidth(n)) return { head: null, widths: natural, right, compact: true, vertical: true };
  }
  const widths = fitWidths(natural, width, minimum);
  const wraps = widths.some((w, i) => w < natural[i]);
  const head = source.head ? source.head.map((c, i) => wrapCell([c.name], widths[i])) : null;
  return { head, widths, right, compact: !multiLine && !wraps, vertical: false };
}

/** The frame lines cli-table3 draws for this layout: everything above the body, the row separator and the bottom. */
export function tableFrame(layout: TableLayout, paint: ChalkInstance): { above: string; between: string | null; bottom: string } {
  const { head, widths, right, compact } = layout;
  const table = new Table({
    head: head ? head.map((lines) => lines.map((l) => paint.bold(l)).join('\n')) : [],
    colWidths: widths.map((w) => w + 2),
    colAligns: right.map((r) => (r ? 'right' : 'left')),
    chars: TABLE_CHARS,
    style: { head: [], border: [], compact, 'padding-left': 1, 'padding-right': 1 },
    wordWrap: false,
  });
  // Two empty rows, so that the drawing shows the separators between body rows too.
  table.push(widths.map(() => ''), widths.map(() => ''));
  const lines = table.toString().split('\n');
  const headHeight = head ? Math.max(...head.map((l) => l.length)) : 0;
  return {
    above: lines.slice(0, head ? 2 + headHeight : 1).join('\n'),
    between: compact ? null : lines[lines.length - 3],
    bottom: lines[lines.length - 1],
  };
}

function painter(paint: ChalkInstance, c: TableCell): ((s: string) => string) | null {
  if (c.label) return paint.bold;
  if (c.tone === 'good') return paint.green;
  if (c.tone === 'bad') return paint.red;
  if (c.tone === 'warn') return paint.yellow;
  return null;
}

const spaces: string[] = [''];
/** n spaces, built once per width. */
function pad(n: number): string {
  if (n <= 0) return '';
  for (let k = spaces.length; k <= n; k++) spaces[k] = `${spaces[k - 1]} `;
  return spaces[n];
}

/** The lines of one body row, drawn as cli-table3 would draw them. */
function drawRow(cells: readonly TableCell[], layout: TableLayout, paint: ChalkInstance, out: string[]): void {
  const n = cells.length;
  const { widths, compact } = layout;
  const wrapped = compact ? cells.map((c) => c.lines) : cells.map((c, i) => wrapCell(c.lines, widths[i]));
  let height = 1;
  if (!compact) for (const lines of wrapped) if (lines.length > height) height = lines.length;
  const last = ` ${TABLE_CHARS.right}`;
  const between = ` ${TABLE_CHARS.middle} `;
  for (let h = 0; h < height; h++) {
    const parts: string[] = [`${TABLE_CHARS.left} `];
    for (let i = 0; i < n; i++) {
      const text = wrapped[i][h] ?? '';
      const fill = pad(widths[i] - displayWidth(text));
      const style = text === '' ? null : painter(paint, cells[i]);
      const shown = style ? style(text) : text;
      parts.push(cells[i].right ? fill + shown : shown + fill, i === n - 1 ? last : between);
    }
    out.push(parts.join(''));
  }
}

/** Draws a table source in chunks of output (each ends with a newline). */
export function* drawTable(source: TableSource, options: FormatOptions): Generator<string> {
  const paint = new Chalk({ level: options.color ? 1 : 0 });
  const layout = tableLayout(source, options.width);
  if (layout.vertical) {
    yield* drawVertical(source, options);
    return;
  }
  const frame = tableFrame(layout, paint);
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  let out: string[] = [frame.above];
  for (let r = 0; r < source.rowCount; r++) {
    if (r > 0 && frame.between) out.push(frame.between);
    drawRow(source.row(r), layout, paint, out);
    if ((r + 1) % chunkRows === 0) {
      yield `${out.join('\n')}\n`;
      out = [];
    }
  }
  out.push(frame.bottom);
  yield `${out.join('\n')}\n`;
}

/**
 * Records laid out vertically, like psql's expanded mode: a `-[ RECORD n ]-` line before each
 * record of a list, then one `field: value` line per field, values aligned and wrapped at spaces
 * to the width (continuation lines indented under the value; a word wider than that is not cut).
 */
export function* drawVertical(source: TableSource, options: FormatOptions): Generator<string> {
  const paint = new Chalk({ level: options.color ? 1 : 0 });
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  // A record (no header) has its field names in the first cell of each row.
  const single = source.head === null;
  const names = single ? Array.from({ length: source.rowCount }, (_, r) => source.row(r)[0].lines.join(' ')) : source.head!.map((c) => c.name);
  const labelWidth = Math.max(...names.map(displayWidth)) + 1;
  const valueWidth = Math.max(options.width - labelWidth - 1, 1);
  const indent = pad(labelWidth + 1);
  const field = (name: string, c: TableCell, out: string[]) => {
    const lines = c.lines.flatMap((l) => wrapLine(l, valueWidth));
    const style = painter(paint, c);
    const label = `${paint.bold(`${name}:`)}${pad(labelWidth - displayWidth(name) - 1)}`;
    lines.forEach((l, i) => {
      const shown = l === '' || !style ? l : style(l);
      if (i === 0) out.push(l === '' ? label.trimEnd() : `${label} ${shown}`);
      else out.push(l === '' ? '' : `${indent}${shown}`);
    });
    if (lines.length === 0) out.push(`${paint.bold(`${name}:`)}`);
  };
  if (single) {
    const out: string[] = [];
    for (let r = 0; r < source.rowCount; r++) field(names[r], source.row(r)[1], out);
    yield `${out.join('\n')}\n`;
    return;
  }
  let out: string[] = [];
  for (let r = 0; r < source.rowCount; r++) {
    out.push(paint.dim(`-[ RECORD ${r + 1} ]-`));
    source.row(r).forEach((c, i) => {
      field(names[i], c, out);
    });
    if ((r + 1) % chunkRows === 0) {
      yield `${out.join('\n')}\n`;
      out = [];
    }
  }
  if (out.length) yield `${out.join('\n')}\n`;
}

/** The result as a table, in chunks; an empty list is one dimmed `(no results)` line. */
export function* formatTable(spec: CommandSpec, value: ResultValue, options: FormatOptions, layout: 'table' | 'vertical' = 'table'): Generator<string> {
  const source = tableSource(spec, value);
  if (source.rowCount === 0) {
    yield `${new Chalk({ level: options.color ? 1 : 0 }).dim('(no results)')}\n`;
    return;
  }
  yield* layout === 'vertical' ? drawVertical(source, options) : drawTable(source, options);
}
