// Turns command-line strings into the typed JSON values a command's arguments need.
// Lists and tuples accept JSON or the shorthand newer ejabberdctl uses: `a,b,c` for a list,
// `name:value` for a tuple, `k:v,k2:v2` for a list of tuples; a backslash escapes , : and \.
import { UsageError } from '../errors.js';
import type { ArgSpec, CommandSpec, ValueType } from './types.js';
import { closestWord } from './closest.js';
import { dependsOnEarlier, fixedValuesOf, roomOptions, wordsOf } from './fixed-values.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

const INTEGER = /^[+-]?\d+$/;

function parseInteger(raw: string, where: string): number {
  const s = raw.trim();
  const n = Number(s);
  if (!INTEGER.test(s) || !Number.isSafeInteger(n)) throw new UsageError(`${where} must be an integer, got '${raw}'`);
  return n;
}

/** Splits on unescaped separators, keeping escapes for the pieces; `limit` pieces at most (the last keeps the rest). */
export function splitEscaped(text: string, sep: string, limit = Infinity): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === sep && parts.length < limit - 1) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Unescapes the characters the shorthand lets a backslash protect. */
function unescapeShorthand(text: string): string {
  return text.replace(/\\([\\,:])/g, '$1');
}

function fromShorthand(raw: string, type: ValueType, where: string): JsonValue {
  if (type === 'string') return unescapeShorthand(raw);
  if (type === 'integer') return parseInteger(raw, where);
  if ('list' in type) {
    if (raw === '') return [];
    return splitEscaped(raw, ',').map((el, i) => fromShorthand(el, type.list.type, `${where} element ${i + 1}`));
  }
  const pieces = splitEscaped(raw, ':', type.tuple.length);
  if (pieces.length !== type.tuple.length) {
    const names = type.tuple.map((f) => f.name).join(':');
    // What was typed is not quoted: it may hold a room password.
    throw new UsageError(`${where} must have ${type.tuple.length} fields (${names}), got ${pieces.length}`);
  }
  return Object.fromEntries(type.tuple.map((f, i) => [f.name, fromShorthand(pieces[i], f.type, `${where} field ${f.name}`)]));
}

/** Checks a decoded JSON value against a type, converting where the meaning is plain (numbers as strings). */
export function conform(value: unknown, type: ValueType, where: string): JsonValue {
  if (type === 'string') {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new UsageError(`${where} must be a string`);
  }
  if (type === 'integer') {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    if (typeof value === 'string') return parseInteger(value, where);
    throw new UsageError(`${where} must be an integer`);
  }
  if ('list' in type) {
    if (!Array.isArray(value)) throw new UsageError(`${where} must be a list`);
    return value.map((el, i) => conform(el, type.list.type, `${where} element ${i + 1}`));
  }
  const fields = type.tuple;
  if (Array.isArray(value)) {
    if (value.length !== fields.length) throw new UsageError(`${where} must have ${fields.length} fields`);
    return Object.fromEntries(fields.map((f, i) => [f.name, conform(value[i], f.type, `${where} field ${f.name}`)]));
  }
  if (value === null || typeof value !== 'object') throw new UsageError(`${where} must be an object with fields ${fields.map((f) => f.name).join(', ')}`);
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!fields.some((f) => f.name === key)) throw new UsageError(`${where} has an unknown field '${key}'`);
  }
  return Object.fromEntries(fields.map((f) => {
    if (!(f.name in obj)) throw new UsageError(`${where} lacks the field '${f.name}'`);
    return [f.name, conform(obj[f.name], f.type, `${where} field ${f.name}`)];
  }));
}

/**
 * Where a JSON text went wrong, without quoting it: Node's own messages quote the text (22 and
 * later) or a character of it, and the text may hold a password.
 */
export function jsonSyntaxProblem(err: unknown): string {
  const message = (err as Error)?.message ?? '';
  if (/end of JSON input/i.test(message)) return 'it ends too early';
  // "Unterminated string in JSON at position 4": the words and the place, nothing quoted.
  const at = /^([^"]*?)(?: in JSON)? at position (\d+)/.exec(message);
  if (at) return `${at[1].charAt(0).toLowerCase()}${at[1].slice(1)} at character ${Number(at[2]) + 1}`;
  return /^Unexpected token/.test(message) ? 'unexpected character' : 'bad syntax';
}

/** Converts one command-line string to the argument's JSON value. */
export function parseArgument(arg: ArgSpec, raw: string): JsonValue {
  const where = `argument '${arg.name}'`;
  if (arg.type === 'string') return raw; // taken literally: passwords and stanzas may hold any character
  if (/^\s*[[{]/.test(raw)) {
    let decoded: unknown;
    try {
      decoded = JSON.parse(raw);
    } catch (e) {
      throw new UsageError(`${where} is not valid JSON (${jsonSyntaxProblem(e)})`);
    }
    return conform(decoded, arg.type, where);
  }
  return fromShorthand(raw, arg.type, where);
}

/** Converts the positional strings of a command line into the named JSON body. */
export function parseArguments(spec: CommandSpec, raws: readonly string[]): Record<string, JsonValue> {
  if (raws.length !== spec.args.length) {
    const want = spec.args.length;
    throw new UsageError(`'${spec.name}' takes ${want} argument${want === 1 ? '' : 's'} (${spec.args.map((a) => a.name).join(' ') || 'none'}), got ${raws.length}`);
  }
  return checkValues(spec, Object.fromEntries(spec.args.map((a, i) => [a.name, parseArgument(a, raws[i])])));
}

/** One word of a fixed set, or a usage error with the closest word. */
function checkWord(value: string, words: readonly string[], where: string): void {
  if (words.includes(value)) return;
  const near = closestWord(value, words);
  const got = near === undefined ? '' : ` (did you mean ${near}?)`;
  // A long value (an @file's content, a paste gone wrong) is shown by its start only.
  const shown = value.length > 40 ? `${value.slice(0, 32)}... (${value.length} characters)` : value;
  throw new UsageError(`${where} must be one of ${words.join(', ')}; got '${shown}'${got}`);
}

/** A room option's name and value, checked against what the release takes. */
function checkRoomOption(name: string, value: string, release: string, where: string): void {
  const options = roomOptions(release);
  const type = options[name];
  if (type === undefined) {
    const near = closestWord(name, Object.keys(options));
    const notYet = name === 'affiliations' || name === 'subscribers' ? ` (ejabberd ${release} does not take ${name} here: 23.04 and later do)` : '';
    const hint = notYet || (near ? ` (did you mean ${near}?)` : `; it has ${Object.keys(options).join(', ')}`);
    throw new UsageError(`${where}: ejabberd ${release} has no room option '${name}'${hint}`);
  }
  if (type === 'boolean') checkWord(value, ['true', 'false'], `${where} ${name}`);
  else if (type === 'integer' && !/^[+-]?\d+$/.test(value)) throw new UsageError(`${where} ${name} must be an integer`);
  else if (Array.isArray(type)) checkWord(value, type, `${where} ${name}`);
}

const fixedBySpec = new WeakMap<CommandSpec, (readonly string[] | undefined)[]>();

/** Values of fixed sets (subscriptions, affiliations, statistic names, room options...) checked for the spec's release, when it has one. */
function checkValues(spec: CommandSpec, body: Record<string, JsonValue>): Record<string, JsonValue> {
  const release = (spec as { release?: string }).release;
  if (release === undefined) return body;
  // Looked up once per definition (a spec is one release's): a batch checks line after line.
  let fixed = fixedBySpec.get(spec);
  if (!fixed) fixedBySpec.set(spec, (fixed = spec.args.map((a) => fixedValuesOf(spec.name, a.name, release))));
  // change_room_option's option and value are checked together below, with the option named.
  for (const [i, a] of (spec.name === 'change_room_option' ? [] : spec.args).entries()) {
    const value = body[a.name];
    // A set that depends on an earlier argument (srg_set_info's value on its key) is looked up for this call.
    const words = fixed[i] && dependsOnEarlier(spec.name, a.name) ? fixedValuesOf(spec.name, a.name, release, body) : fixed[i];
    if (!words) continue;
    if (typeof value === 'string') for (const w of wordsOf(spec.name, a.name, value)) checkWord(w, words, `argument '${a.name}'`);
    else if (Array.isArray(value)) {
      value.forEach((w, i) => { if (typeof w === 'string') checkWord(w, words, `argument '${a.name}' element ${i + 1}`); });
    }
  }
  if (spec.name === 'change_room_option' && typeof body.option === 'string' && typeof body.value === 'string') {
    checkRoomOption(body.option, body.value, release, 'option');
  }
  const options = body.options;
  if (spec.name === 'create_room_with_opts' && Array.isArray(options)) {
    for (const o of options) {
      const pair = o as Record<string, JsonValue>;
      if (pair && typeof pair.name === 'string' && typeof pair.value === 'string') checkRoomOption(pair.name, pair.value, release, 'room option');
    }
  }
  return body;
}

/** Checks a named-argument object from a program (the typed client) against the command's arguments. */
export function checkArguments(spec: CommandSpec, args: Record<string, unknown>): Record<string, JsonValue> {
  for (const key of Object.keys(args)) {
    if (!spec.args.some((a) => a.name === key)) throw new UsageError(`'${spec.name}' has no argument '${key}'`);
  }
  return checkValues(spec, Object.fromEntries(spec.args.map((a) => {
    if (!(a.name in args)) throw new UsageError(`'${spec.name}' needs the argument '${a.name}'`);
    return [a.name, conform(args[a.name], a.type, `argument '${a.name}'`)];
  })));
}
