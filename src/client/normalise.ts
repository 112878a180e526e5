// Turns what mod_http_api sends into one result value per catalogue shape. ejabberd 23.01
// (API v0) wraps scalars as {"<name>": value}, newer servers send them bare; rescode comes
// as 0/1; a list of name/value pairs may come as one JSON object.
import { CommandFailedError, NoAnswer, UnreachableError } from '../errors.js';
import { predicateNo } from '../catalogue/predicates.js';
import type { CommandSpec, ResultType, ValueType } from '../catalogue/types.js';
import { exactInteger } from './exact-json.js';

/** An integer beyond Number.MAX_SAFE_INTEGER (2^53 - 1) is a bigint, so that it stays exact. */
export type ResultValue = string | number | bigint | true | ResultValue[] | { [field: string]: ResultValue };

/** A reply that does not have the shape of the definition used: the server speaks another release or API. */
export class ReplyShapeError extends UnreachableError {}

function wrongShape(command: string, what: string): never {
  throw new ReplyShapeError(`the server's reply to '${command}' is not ${what}; is the URL an ejabberd API of a compatible version?`);
}

/** Removes a v0 wrapper `{"name": value}` around a scalar. */
function unwrapScalar(body: unknown): unknown {
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const keys = Object.keys(body);
    if (keys.length === 1) return (body as Record<string, unknown>)[keys[0]];
  }
  return body;
}

function value(v: unknown, type: ValueType, command: string): ResultValue {
  if (type === 'string') {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
    return wrongShape(command, 'a string where one was expected');
  }
  if (type === 'integer') {
    if ((typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint') return v;
    if (typeof v === 'string' && /^-?\d+$/.test(v)) return exactInteger(v);
    return wrongShape(command, 'an integer where one was expected');
  }
  if ('list' in type) {
    const item = type.list.type;
    if (Array.isArray(v)) return v.map((el) => value(el, item, command));
    // A list of 2-field tuples whose first field is an Erlang atom arrives as a JSON object.
    if (v !== null && typeof v === 'object' && typeof item === 'object' && 'tuple' in item && item.tuple.length === 2) {
      const [k, val] = item.tuple;
      return Object.entries(v).map(([key, x]) => ({ [k.name]: value(key, k.type, command), [val.name]: value(x, val.type, command) }));
    }
    return wrongShape(command, 'a list');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return wrongShape(command, 'a record');
  const obj = v as Record<string, unknown>;
  return Object.fromEntries(type.tuple.map((f) => {
    if (!(f.name in obj)) wrongShape(command, `a record with the field '${f.name}'`);
    return [f.name, value(obj[f.name], f.type, command)];
  }));
}

/** Normalises a successful (HTTP 200) reply body. A rescode of 1 is a failure the server reported. */
export function normaliseResult(spec: CommandSpec, body: unknown): ResultValue {
  const type: ResultType = spec.result.type;
  if (type === 'rescode') {
    const code = unwrapScalar(body);
    if (code === 0 || code === true || code === '') return true;
    if (typeof code === 'number' || typeof code === 'bigint' || code === false) {
      const no = (code === 1 || code === false) && predicateNo(spec.name);
      if (no) throw new NoAnswer(spec.name, no);
      throw new CommandFailedError(`'${spec.name}' failed: the server returned status ${code === false ? 1 : code}`);
    }
    return wrongShape(spec.name, 'a status code');
  }
  if (type === 'restuple') {
    const text = unwrapScalar(body);
    if (typeof text === 'string') return text;
    if (text !== null && typeof text === 'object' && 'text' in text) return String((text as { text: unknown }).text);
    return wrongShape(spec.name, 'a text');
  }
  if (type === 'string' || type === 'integer') return value(unwrapScalar(body), type, spec.name);
  return value(body, type, spec.name);
}
