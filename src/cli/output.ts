// Where the output goes decides how it looks: the format (a table only for a person at a
// terminal), colour, width and JSON indentation are settled here and handed to the pure
// formatters of src/format. Only `text` is loaded up front; the others are imported when used.
import type { CommandSpec } from '../catalogue/types.js';
import type { ResultValue } from '../client/normalise.js';
import type { OutputFormat, Settings } from '../config/settings.js';
import type { FormatOptions } from '../format/options.js';
import { prefersTable } from '../format/shape.js';
import { formatText, type TextRule } from '../format/text.js';
import type { Io } from './io.js';
import { escapeControlsKeepLayout } from '../format/escape.js';

type Stream = { isTTY?: boolean };

/**
 * Colour on a stream: never with --no-color; FORCE_COLOR forces it (FORCE_COLOR=0 forbids it);
 * NO_COLOR (non-empty) or TERM=dumb turns it off; otherwise only on a terminal.
 */
export function colorEnabled(stream: Stream, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return !!stream.isTTY;
}

/** The chosen format; without one, a table for a list of records or a record on a terminal, else text. */
export function outputFormat(spec: CommandSpec, settings: Pick<Settings, 'output'>, io: Pick<Io, 'stdout'>): OutputFormat {
  if (settings.output) return settings.output;
  return io.stdout.isTTY && prefersTable(spec.result.type) ? 'table' : 'text';
}

const FALLBACK_COLUMNS = 80;

export function formatOptions(settings: Pick<Settings, 'noColor'>, io: Pick<Io, 'stdout' | 'env'>): FormatOptions {
  const tty = !!io.stdout.isTTY;
  // A terminal's own width (a pseudo-terminal may report 0); a pipe is not cut unless COLUMNS says so.
  const columns = tty ? io.stdout.columns || Number(io.env.COLUMNS) || FALLBACK_COLUMNS : Number(io.env.COLUMNS) || Infinity;
  return { color: colorEnabled(io.stdout, io.env, settings.noColor), width: columns, pretty: tty };
}

type Printer = (spec: CommandSpec, value: ResultValue, options: FormatOptions, rule?: TextRule) => Promise<Iterable<string>>;

/** One printer per -o format, each a chunked rendering ending in a newline (or nothing at all). */
export const printers: Record<OutputFormat, Printer> = {
  text: async (spec, value, _o, rule) => {
    const text = formatText(spec, value, rule);
    return text === '' ? [] : [`${text}\n`];
  },
  table: async (spec, value, o) => (await import('../format/table.js')).formatTable(spec, value, o),
  vertical: async (spec, value, o) => (await import('../format/table.js')).formatTable(spec, value, o, 'vertical'),
  json: async (spec, value, o) => [`${(await import('../format/json.js')).formatJson(spec, value, o.pretty)}\n`],
  yaml: async (spec, value, o) => (await import('../format/yaml.js')).formatYaml(spec, value, o),
  csv: async (spec, value, o) => (await import('../format/delimited.js')).formatDelimited(spec, value, 'csv', o),
  tsv: async (spec, value, o) => (await import('../format/delimited.js')).formatDelimited(spec, value, 'tsv', o),
};

/**
 * The chunks of a result's output. On a terminal, text, CSV and TSV have their control characters
 * escaped (line feeds and tabs kept); into a pipe or a file they are byte for byte what
 * ejabberdctl prints. Tables show control pictures, JSON and YAML escape them in any case.
 */
async function outputChunks(spec: CommandSpec, value: ResultValue, settings: Pick<Settings, 'output' | 'noColor'>, io: Pick<Io, 'stdout' | 'env'>, rule?: TextRule): Promise<Iterable<string>> {
  const format = outputFormat(spec, settings, io);
  const chunks = await printers[format](spec, value, formatOptions(settings, io), rule);
  if (!io.stdout.isTTY || !(format === 'text' || format === 'csv' || format === 'tsv')) return chunks;
  return (function* () {
    for (const chunk of chunks) yield escapeControlsKeepLayout(chunk);
  })();
}

/** Text as it goes to standard output: escaped on a terminal (see outputChunks). */
export function terminalSafe(text: string, io: Pick<Io, 'stdout'>): string {
  return io.stdout.isTTY ? escapeControlsKeepLayout(text) : text;
}

/** The whole output of a result as one string (tests, batch mode). */
export async function formatResult(spec: CommandSpec, value: ResultValue, settings: Pick<Settings, 'output' | 'noColor'>, io: Pick<Io, 'stdout' | 'env'>, rule?: TextRule): Promise<string> {
  return [...await outputChunks(spec, value, settings, io, rule)].join('');
}

type Writable = Io['stdout'] & { once?(event: 'drain', listener: () => void): unknown };

/** Writes the result chunk by chunk, waiting for a slow reader instead of buffering everything. */
export async function writeResult(spec: CommandSpec, value: ResultValue, settings: Pick<Settings, 'output' | 'noColor'>, io: Pick<Io, 'stdout' | 'env'>, rule?: TextRule): Promise<void> {
  const out = io.stdout as Writable;
  for (const chunk of await outputChunks(spec, value, settings, io, rule)) {
    if (out.write(chunk) === false && out.once) await new Promise<void>((resolve) => out.once!('drain', resolve));
  }
}

/** Paints `Error:` red for standard error on a terminal (same rules as for standard output). */
export async function errorLabel(io: Pick<Io, 'stderr' | 'env'>, argv: readonly string[]): Promise<string> {
  const noColor = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : undefined).includes('--no-color');
  if (!colorEnabled(io.stderr, io.env, noColor)) return 'Error:';
  const { Chalk } = await import('chalk');
  return new Chalk({ level: 1 }).red.bold('Error:');
}
