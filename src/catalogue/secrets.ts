// Which values of the catalogue's commands are secret: a fact about arguments and results that
// everything showing a request, a reply or what was typed (--verbose, --dry-run, error
// messages) asks here, so that no printer needs a special case.
import type { CommandSpec } from './types.js';

/** Argument, result and field names whose values are secret, in every command and at any depth. */
const SECRET_NAMES = new Set(['password', 'newpass', 'passwordhash', 'secret', 'token', 'cookie']);

/**
 * Room options whose value is secret. Options travel as name/value pairs: `{name, value}` in
 * create_room_with_opts and get_room_options, the `option` and `value` arguments of
 * change_room_option.
 */
const SECRET_OPTIONS = new Set(['password']);
const OPTION_NAME_KEYS = ['name', 'option'];

export function isSecretName(name: string): boolean {
  return SECRET_NAMES.has(name);
}

/** Whether field `key` of `record` (an argument object, a tuple, a name/value pair) holds a secret. */
export function isSecretField(record: Readonly<Record<string, unknown>>, key: string): boolean {
  return SECRET_NAMES.has(key) || (key === 'value' && secretOptionOf(record) !== undefined);
}

/** The secret room option a name/value pair sets, if it sets one. */
function secretOptionOf(record: Readonly<Record<string, unknown>>): string | undefined {
  for (const k of OPTION_NAME_KEYS) {
    const option = record[k];
    if (typeof option === 'string' && SECRET_OPTIONS.has(option.toLowerCase())) return option;
  }
  return undefined;
}

/** The command's last argument when it is a secret: a command line may leave it out, and ectl asks for it on a terminal. */
export function promptableArgument<A extends { readonly name: string }>(spec: { readonly args: readonly A[] }): A | undefined {
  const last = spec.args[spec.args.length - 1];
  return last && isSecretName(last.name) ? last : undefined;
}

/** Whether positional argument `index` of a command line (`raws`, as typed) holds a secret. */
export function isSecretArgument(spec: CommandSpec, index: number, raws: readonly string[]): boolean {
  const record = Object.fromEntries(spec.args.map((a, i) => [a.name, raws[i]]));
  return isSecretField(record, spec.args[index].name);
}

/** The values of a command line's (`raws`, as typed) secret arguments. */
export function secretArguments(spec: CommandSpec, raws: readonly (string | undefined)[]): string[] {
  return raws.filter((raw, i): raw is string => raw !== undefined && i < spec.args.length && isSecretArgument(spec, i, raws as string[]));
}

/** Where a secret sits: the field names from the top (`['options', 'password']` for a room password). */
export type SecretPath = readonly string[];

/**
 * A copy of a decoded JSON value with each secret replaced by `replace(path)` (default `***`).
 * `name` is the name of the value itself: a bare result (get_cookie's `cookie`) is secret by its name.
 */
export function redactValue(value: unknown, name?: string, replace: (path: SecretPath, original: unknown) => unknown = () => '***'): unknown {
  if (name !== undefined && isSecretName(name) && (value === null || typeof value !== 'object')) return replace([name], value);
  const walk = (v: unknown, path: string[]): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, path));
    if (v && typeof v === 'object') {
      const record = v as Record<string, unknown>;
      return Object.fromEntries(Object.entries(record).map(([k, x]) => {
        if (!isSecretField(record, k)) return [k, walk(x, [...path, k])];
        // A secret room option is named by its option (options.password), any other by its field.
        return [k, replace([...path, (k === 'value' && secretOptionOf(record)) || k], x)];
      }));
    }
    return v;
  };
  return walk(value, []);
}

/** The secret strings inside a decoded value (to blank them out of a server's error message). */
export function secretStrings(value: unknown, name?: string): string[] {
  const found: string[] = [];
  redactValue(value, name, (_path, original) => {
    if ((typeof original === 'string' && original !== '') || typeof original === 'number') found.push(String(original));
    return original;
  });
  return found;
}
