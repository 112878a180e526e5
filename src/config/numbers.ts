// The one rule for a number ectl reads from a flag, an environment variable or a config key
// (--timeout, --api-version, batch -j, login --ttl...): decimal digits, a fraction only where a
// fraction makes sense. Hex (0x10), exponents (1e3), signs, spaces, NaN and Infinity, which
// JavaScript's Number() would take, are refused, and so is an empty value.
import { UsageError } from '../errors.js';

export interface NumberRule {
  /** Whole numbers only (no fraction). */
  readonly integer?: boolean;
  /** What the number counts, for the message: 'seconds'. */
  readonly unit?: string;
  /** The range allowed, both ends included, said in the message when broken. */
  readonly min?: number;
  readonly max?: number;
}

const WHOLE = /^\d+$/;
const DECIMAL = /^\d+(?:\.\d+)?$/;

/** Shows a refused value briefly (it is echoed on one line; reportError escapes it). */
function shown(value: unknown): string {
  const s = String(value);
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

/**
 * `value` read by the rule, or a usage error naming `what` (`--timeout`, `the environment
 * variable ECTL_TIMEOUT`...) and the rule. A number that YAML already read (`timeout: 30` in a
 * config file) is taken by its decimal spelling.
 */
export function parseDecimal(value: unknown, what: string, rule: NumberRule = {}): number {
  const text = typeof value === 'number' ? String(value) : value;
  const unit = rule.unit ? ` of ${rule.unit}` : '';
  const range = rule.min !== undefined && rule.max !== undefined ? `, from ${rule.min} to ${rule.max}` : rule.min !== undefined ? `, at least ${rule.min}` : '';
  if (typeof text !== 'string' || !(rule.integer ? WHOLE : DECIMAL).test(text)) {
    const kind = rule.integer ? `a whole number${unit} in decimal digits` : `a number${unit} in decimal digits (e.g. 30 or 2.5)`;
    throw new UsageError(`${what} must be ${kind}${range}, got '${shown(value)}'`);
  }
  const n = Number(text);
  if ((rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max) || !Number.isFinite(n)) {
    throw new UsageError(`${what} must be ${rule.integer ? 'a whole number' : 'a number'}${unit}${range || ' within range'}, got '${shown(value)}'`);
  }
  return n;
}
