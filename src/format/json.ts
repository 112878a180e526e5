// The normalised result as one JSON document. Status-only results become {"ok":true}.
import type { CommandSpec } from '../catalogue/types.js';
import type { ResultValue } from '../client/normalise.js';
import { escapeJsonText } from './escape.js';

export function resultData(spec: CommandSpec, value: ResultValue): unknown {
  if (spec.result.type === 'rescode') return { ok: true };
  if (spec.result.type === 'restuple') return { ok: true, text: value };
  return value;
}

export function formatJson(spec: CommandSpec, value: ResultValue, pretty: boolean): string {
  // The same JSON value with nothing a terminal would act on (JSON.stringify escapes only C0).
  return escapeJsonText(JSON.stringify(resultData(spec, value), null, pretty ? 2 : undefined));
}
