// The normalised result as one JSON document. Status-only results become {"ok":true}.
import type { CommandSpec } from '../catalogue/types.js';
import type { ResultValue } from '../client/normalise.js';
import { escapeJsonText } from './escape.js';
import { printedValue } from './text.js';

export function resultData(spec: CommandSpec, value: ResultValue): unknown {
  if (spec.result.type === 'rescode') return { ok: true };
  if (spec.result.type === 'restuple') return { ok: true, text: printedValue(spec, value) };
  return value;
}

/**
 * JSON.stringify that writes bigints (integers beyond 2^53) as the exact JSON numbers they are.
 * Most data holds none: it is tried as it is first, and only a bigint makes it take the slow way.
 */
export function stringifyExact(data: unknown, space?: number): string {
  try {
    return JSON.stringify(data, null, space);
  } catch (e) {
    if (!(e instanceof TypeError) || !/BigInt/i.test(e.message)) throw e;
  }
  // Each bigint becomes a marked string, then its quotes and mark are taken off. The mark holds a
  // random part, so that no string in the data can pass for one.
  const mark = `~${Math.random().toString(36).slice(2)}~`;
  const text = JSON.stringify(data, (_key, v: unknown) => (typeof v === 'bigint' ? `${mark}${v}` : v), space);
  return text.replaceAll(new RegExp(`"${mark}(-?\\d+)"`, 'g'), '$1');
}

export function formatJson(spec: CommandSpec, value: ResultValue, pretty: boolean): string {
  // The same JSON value with nothing a terminal would act on (JSON.stringify escapes only C0).
  return escapeJsonText(stringifyExact(resultData(spec, value), pretty ? 2 : undefined));
}
