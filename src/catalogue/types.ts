// The shapes of ejabberd command arguments and results, as the API reference writes them.

/** A value's type: `string`, `integer`, a list of one named element, or a tuple of named fields. */
export type ValueType =
  | 'string'
  | 'integer'
  | { readonly list: Field }
  | { readonly tuple: readonly Field[] };

export interface Field {
  readonly name: string;
  readonly type: ValueType;
}

/**
 * What a command returns. `rescode` is a 0/1 status and `restuple` a status with a text
 * (the reference shows them as "integer : Status code..." and "string : Raw result string").
 */
export type ResultType = ValueType | 'rescode' | 'restuple';

export interface ArgSpec {
  readonly name: string;
  readonly type: ValueType;
  readonly description: string;
}

export interface ResultSpec {
  readonly name: string;
  readonly type: ResultType;
  readonly description: string;
  /**
   * The names of the values (the result itself, list elements, tuple fields) that ejabberd
   * declares as atoms: its ejabberdctl prints them as Erlang writes an atom, quoted when needed.
   */
  readonly atoms?: readonly string[];
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly details: string;
  readonly args: readonly ArgSpec[];
  readonly result: ResultSpec;
  readonly tags: readonly string[];
  /** The server module that provides the command, when the reference names one. */
  readonly module: string | null;
  /** Example positional arguments, one per argument. */
  readonly example: readonly string[];
  /** The ejabberd release that added the command, when the reference says. */
  readonly since: string | null;
}

export function isList(t: ResultType): t is { readonly list: Field } {
  return typeof t === 'object' && 'list' in t;
}

export function isTuple(t: ResultType): t is { readonly tuple: readonly Field[] } {
  return typeof t === 'object' && 'tuple' in t;
}

/** The reference's notation for a type, e.g. `[{name::string, value::string}]`. */
export function typeToString(t: ResultType): string {
  if (typeof t === 'string') return t;
  if (isList(t)) return `[${fieldToString(t.list)}]`;
  return `{${t.tuple.map(fieldToString).join(', ')}}`;
}

function fieldToString(f: Field): string {
  return f.name === '' ? typeToString(f.type) : `${f.name}::${typeToString(f.type)}`;
}

/** One API version of a command as a run of ejabberd releases defines it. */
export interface Definition {
  /** ejabberd's API version of this definition (0 when unversioned). */
  readonly version: number;
  /** The releases that have exactly this definition, oldest first. */
  readonly releases: readonly string[];
  readonly args: readonly ArgSpec[];
  readonly result: ResultSpec;
  /** Example positional arguments, one per argument. */
  readonly example: readonly string[];
  readonly tags: readonly string[];
  /** The gen_mod module that provides the command, or null for ejabberd's core. */
  readonly module: string | null;
  /** ejabberd's access policy of the command: admin, restricted, user or open. */
  readonly policy: string;
  /**
   * ejabberd's args_rename pairs [old, new] whose two names are both arguments of this
   * definition: mod_http_api renames `old` to `new` before reading a call's arguments, so a JSON
   * body cannot carry `old` (see describeRequest). Absent when there is none.
   */
  readonly renamedAway?: readonly (readonly [string, string])[];
  /**
   * The result declares a value `binary`, which this definition's releases' mod_http_api cannot
   * encode (before 25.03): a reply holding such a value fails with internal_error.
   */
  readonly binaryResultFails?: true;
}

/** A command callable over the HTTP API in at least one release, with every definition it had. */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly details: string;
  /** Oldest first: by first release, then API version. */
  readonly definitions: readonly Definition[];
}

/** Where a command's arguments or result changed: the release and the API version it then used. */
export interface CommandChange {
  readonly release: string;
  readonly version: number;
}

/** A command as one release speaks it at one API version. */
export interface ResolvedCommand extends CommandSpec {
  /** The API version of the definition in use. */
  readonly version: number;
  /** The release this definition was resolved for. */
  readonly release: string;
  /** The first release that has the command over HTTP. */
  readonly added: string;
  /** Releases up to the one asked for where the arguments or result changed. */
  readonly changes: readonly CommandChange[];
  /** See Definition.renamedAway. */
  readonly renamedAway?: readonly (readonly [string, string])[];
  /** See Definition.binaryResultFails. */
  readonly binaryResultFails?: true;
}

/**
 * What resolving gives when the release lacks the command (`versions` absent), or has it but no
 * definition at or below the API version asked for (`versions`: the API versions it has).
 */
export interface MissingCommand {
  readonly missing: true;
  readonly name: string;
  readonly added: string;
  readonly release: string;
  readonly versions?: readonly number[];
}
