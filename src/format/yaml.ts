// YAML of the same data as -o json, written here rather than by the yaml package, which takes
// ~25 µs per value (2.4 s for 10,000 connected_users_info rows; see scripts/bench-output.mjs).
// A string is written plain only when it is clearly a string to every YAML parser (1.1 and 1.2);
// any other string is written as a JSON string, which is a valid YAML double-quoted scalar.
// The tests parse every output back with the yaml package.
import type { CommandSpec } from '../catalogue/types.js';
import type { ResultValue } from '../client/normalise.js';
import { resultData } from './json.js';
import { escapeJsonText } from './escape.js';
import { DEFAULT_CHUNK_ROWS, type FormatOptions } from './options.js';

// Starts with a letter or `_`; then letters, digits and `_ . @ / + ( ) -`, single inner spaces.
const PLAIN = /^[A-Za-z_][\w.@/+()-]*(?: [\w.@/+()-]+)*$/;
// Words that YAML 1.1 or 1.2 read as booleans or null.
const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null)$/i;
// Noncharacters YAML does not allow unescaped (escapeJsonText has escaped what a terminal acts on).
const NOT_PRINTABLE = /[\ufffe\uffff]/g;

type Data = ResultValue | { [field: string]: Data } | Data[];

export function yamlScalar(value: string | number | bigint | boolean): string {
  if (typeof value !== 'string') return String(value);
  if (PLAIN.test(value) && !RESERVED.test(value)) return value;
  return escapeJsonText(JSON.stringify(value)).replace(NOT_PRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function isEmptyCollection(v: Data): string | null {
  if (Array.isArray(v)) return v.length === 0 ? '[]' : null;
  if (typeof v === 'object') return Object.keys(v).length === 0 ? '{}' : null;
  return null;
}

/** A block mapping whose keys sit at `indent`. */
function mapping(record: { [field: string]: Data }, indent: string): string {
  let out = '';
  for (const [key, v] of Object.entries(record)) {
    const head = `${indent}${yamlScalar(key)}:`;
    if (typeof v !== 'object') out += `${head} ${yamlScalar(v)}\n`;
    else out += isEmptyCollection(v) !== null ? `${head} ${isEmptyCollection(v)}\n`
      : `${head}\n${Array.isArray(v) ? sequence(v, `${indent}  `) : mapping(v, `${indent}  `)}`;
  }
  return out;
}

/** One element of a block sequence whose dashes sit at `indent`. */
function item(v: Data, indent: string): string {
  if (typeof v !== 'object') return `${indent}- ${yamlScalar(v)}\n`;
  const empty = isEmptyCollection(v);
  if (empty !== null) return `${indent}- ${empty}\n`;
  if (Array.isArray(v)) return `${indent}-\n${sequence(v, `${indent}  `)}`;
  // The first key goes on the dash's line: `- jid: ...`.
  return `${indent}- ${mapping(v, `${indent}  `).slice(indent.length + 2)}`;
}

function sequence(list: readonly Data[], indent: string): string {
  let out = '';
  for (const v of list) out += item(v, indent);
  return out;
}

/** The result as a YAML document, a top-level list written in chunks of elements. */
export function* formatYaml(spec: CommandSpec, value: ResultValue, options?: Pick<FormatOptions, 'chunkRows'>): Generator<string> {
  const data = resultData(spec, value) as Data;
  if (typeof data !== 'object') {
    yield `${yamlScalar(data)}\n`;
    return;
  }
  const empty = isEmptyCollection(data);
  if (empty !== null) {
    yield `${empty}\n`;
    return;
  }
  if (!Array.isArray(data)) {
    yield mapping(data, '');
    return;
  }
  const chunkRows = options?.chunkRows ?? DEFAULT_CHUNK_ROWS;
  for (let i = 0; i < data.length; i += chunkRows) yield sequence(data.slice(i, i + chunkRows), '');
}

/** Data keyed by name (each node's result, with --all-nodes) as one YAML mapping. */
export function formatYamlMapping(data: Record<string, unknown>): string {
  return Object.keys(data).length === 0 ? '{}\n' : mapping(data as { [field: string]: Data }, '');
}
