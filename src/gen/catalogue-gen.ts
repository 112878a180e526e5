// Builds src/catalogue/commands.ts (one entry per command callable over HTTP in some release,
// with every definition it had) and src/catalogue/command-types.ts (the typed client's argument
// and result types, per release) from src/catalogue/definitions.json (facts read from
// ejabberd's source by ejabberd-source.ts) and our own words in src/catalogue/descriptions.json.
// Usage: node dist/gen/catalogue-gen.js [--check]
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ArgSpec, CommandEntry, CommandSpec, Definition, ResultType, ValueType, Field } from '../catalogue/types.js';
import { isMissing, resolveCommand } from '../catalogue/resolve.js';
import { isSecretName } from '../catalogue/secrets.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One command's description in our own words (src/catalogue/descriptions.json). */
export interface Description {
  summary: string;
  details: string;
  /** Every argument name of every definition. */
  args: Record<string, string>;
  result: string;
  /** An example value (as typed on the command line) for every argument name. */
  example: Record<string, string>;
  /** Example values that differ from API version N on ("v1", "v3"...), applied in order. */
  examples?: Record<string, Record<string, string>>;
  /** Argument and result texts that differ from API version N on, applied in order. */
  versions?: Record<string, { args?: Record<string, string>; result?: string }>;
}

/** Where the 23.01 reference is looked for: $ECTL_REFERENCE, then the steering repo's shared/ beside this checkout. */
export function findReference(): string | null {
  const candidates = [process.env.ECTL_REFERENCE, join(repoRoot, '..', 'shared', 'reference', 'api-reference.txt')];
  return candidates.find((p): p is string => !!p && existsSync(p)) ?? null;
}

/** The facts of definitions.json that the catalogue uses (see ejabberd-source.ts). */
interface SourceDefinition {
  name: string;
  version: number;
  releases: string[];
  args: { name: string; type: unknown }[];
  result: { name: string; type: unknown };
  tags: string[];
  module: string | null;
  policy: string;
  internal: boolean;
  ctlOnly: boolean;
  argsRename?: [string, string][];
  binaryResultFails?: true;
}

export interface DefinitionsData {
  releases: string[];
  definitions: SourceDefinition[];
}

/** ejabberd's docs (and the catalogue) drop the element name of a list of tuples (`[{a::string}]`) and call an atom a string. */
function documentedType(t: unknown, where: string): ResultType {
  if (t === 'string' || t === 'integer' || t === 'rescode' || t === 'restuple') return t;
  if (t === 'atom') return 'string';
  if (typeof t === 'object' && t && 'list' in t) {
    const el = (t as { list: { name: string; type: unknown } }).list;
    const type = documentedType(el.type, where) as ValueType;
    return { list: { name: typeof type === 'object' && 'tuple' in type ? '' : el.name, type } };
  }
  if (typeof t === 'object' && t && 'tuple' in t) {
    return { tuple: (t as { tuple: { name: string; type: unknown }[] }).tuple.map((f) => ({ name: f.name, type: documentedType(f.type, where) as ValueType })) };
  }
  throw new Error(`${where}: type ${JSON.stringify(t)} cannot be called over HTTP`);
}

/** The scalar values inside a type (itself named `name`): [name, type] of each. */
function leaves(name: string, t: unknown): [string, unknown][] {
  if (typeof t !== 'object' || !t) return [[name, t]];
  if ('list' in t) {
    const el = (t as { list: { name: string; type: unknown } }).list;
    return leaves(el.name, el.type);
  }
  return (t as { tuple: { name: string; type: unknown }[] }).tuple.flatMap((f) => leaves(f.name, f.type));
}

/** The overrides of API versions up to `version`, lowest first. */
function upTo<T>(overrides: Record<string, T> | undefined, version: number): T[] {
  return Object.entries(overrides ?? {})
    .map(([k, v]) => [Number(k.slice(1)), v] as const)
    .filter(([n]) => n <= version)
    .sort((a, b) => a[0] - b[0])
    .map(([, v]) => v);
}

export function buildEntries(data: DefinitionsData, descriptions: Record<string, Description>): CommandEntry[] {
  const problems: string[] = [];
  const callable = data.definitions.filter((d) => !d.internal && !d.ctlOnly);
  const names = [...new Set(callable.map((d) => d.name))].sort();
  const index = (r: string) => data.releases.indexOf(r);
  const entries = names.map((name): CommandEntry => {
    const d = descriptions[name];
    const defs = callable.filter((x) => x.name === name).sort((a, b) => index(a.releases[0]) - index(b.releases[0]) || a.version - b.version);
    if (!d) {
      problems.push(`${name}: no description`);
      return { name, summary: '', details: '', definitions: [] };
    }
    const argNames = new Set(defs.flatMap((x) => x.args.map((a) => a.name)));
    for (const a of argNames) {
      if (!(a in d.args)) problems.push(`${name}: argument ${a} is not described`);
      if (!(a in d.example)) problems.push(`${name}: argument ${a} has no example`);
    }
    for (const a of new Set([...Object.keys(d.args), ...Object.keys(d.example)])) if (!argNames.has(a)) problems.push(`${name}: ${a} is described but no definition has it`);
    const versions = new Set(defs.map((x) => `v${x.version}`));
    for (const v of new Set([...Object.keys(d.examples ?? {}), ...Object.keys(d.versions ?? {})])) {
      if (!versions.has(v)) problems.push(`${name}: overrides for ${v}, which it does not have`);
    }
    const definitions = defs.map((x): Definition => {
      const where = `${name} v${x.version}`;
      const texts = Object.assign({}, d.args, ...upTo(d.versions, x.version).map((o) => o.args ?? {})) as Record<string, string>;
      const example = Object.assign({}, d.example, ...upTo(d.examples, x.version)) as Record<string, string>;
      const result = upTo(d.versions, x.version).reduce((r, o) => o.result ?? r, d.result);
      const args = x.args.map((a): ArgSpec => {
        const type = documentedType(a.type, where);
        if (type === 'rescode' || type === 'restuple') problems.push(`${where}: argument ${a.name} has a result type`);
        return { name: a.name, type: type as ValueType, description: texts[a.name] };
      });
      // A rename between two of its own arguments: such a definition is sent as a query (see
      // describeRequest), which carries only text, and shows in URLs: no secrets there.
      const has = (n: string) => args.some((a) => a.name === n);
      const renamedAway = (x.argsRename ?? []).filter(([from, to]) => has(from) && has(to));
      if (renamedAway.length && args.some((a) => a.type !== 'string' || isSecretName(a.name))) {
        problems.push(`${where}: args_rename hides an argument from a JSON body, and not all its arguments can go in a query instead (text only, no secrets)`);
      }
      // The text formatter knows an atom by its name: one name must not be an atom here and text there.
      const values = leaves(x.result.name, x.result.type);
      const atoms = [...new Set(values.filter(([, t]) => t === 'atom').map(([n]) => n))];
      for (const [n, t] of values) if (atoms.includes(n) && t !== 'atom') problems.push(`${where}: result value ${n} is an atom in one place and not in another`);
      return {
        version: x.version,
        releases: x.releases,
        args,
        result: { name: x.result.name, type: documentedType(x.result.type, where), description: result, ...(atoms.length ? { atoms } : {}) },
        example: x.args.map((a) => example[a.name]),
        tags: x.tags,
        module: x.module,
        policy: x.policy,
        ...(renamedAway.length ? { renamedAway } : {}),
        ...(x.binaryResultFails ? { binaryResultFails: true as const } : {}),
      };
    });
    return { name, summary: d.summary, details: d.details, definitions };
  });
  for (const name of Object.keys(descriptions)) if (!names.includes(name)) problems.push(`${name}: described but not callable in any release`);
  if (problems.length) throw new Error(`catalogue problems:\n  ${problems.join('\n  ')}`);
  return entries;
}

/** The compatibility catalogue: ejabberd 23.01 at API version 0, as before every release was known. */
export function compatCommands(entries: readonly CommandEntry[], release: string): CommandSpec[] {
  return entries.flatMap((e): CommandSpec[] => {
    const r = resolveCommand(e, release, 0);
    if (isMissing(r)) return [];
    const { name, summary, details, args, result, tags, module, example, since } = r;
    return [{ name, summary, details, args, result, tags, module, example, since }];
  });
}

const HEADER = '// Generated by src/gen/catalogue-gen.ts from src/catalogue/definitions.json (facts read from\n' +
  "// ejabberd's source at each release tag) and src/catalogue/descriptions.json. Do not edit: change\n" +
  '// those and regenerate (npm run build && node dist/gen/catalogue-gen.js).\n';

/**
 * An array as JSON text parsed at load time, one element per line: V8 reads a string literal
 * and JSON.parse much faster than the same data as object literals (start-up time). A template
 * literal, so that a bundle that does not use the array leaves it out (the call is pure).
 */
function jsonArray(items: readonly unknown[]): string {
  const template = (text: string) => text.replace(/[\\`]/g, '\\$&').replace(/\$\{/g, '\\${');
  return `/* @__PURE__ */ JSON.parse(\`[\n${items.map((x) => template(JSON.stringify(x))).join(',\n')}\n]\`)`;
}

const jsonTexts = (items: readonly unknown[]) => items.map((x) => `  ${JSON.stringify(JSON.stringify(x))},`).join('\n');

export function renderCommandsModule(releases: readonly string[], entries: readonly CommandEntry[], compat: readonly CommandSpec[]): string {
  return `${HEADER}import type { CommandEntry, CommandSpec } from './types.js';\n\n` +
    `/** The ejabberd releases the catalogue covers, oldest first. */\n` +
    `export const releases = ${JSON.stringify(releases)} as const;\n` +
    `export type Release = (typeof releases)[number];\n\n` +
    `// Each command's entry as JSON text, parsed when first asked for: one command's call parses\n` +
    `// its own entry only (start-up time).\n` +
    `const ENTRY_TEXTS: readonly string[] = [\n${jsonTexts(entries)}\n];\n` +
    `const parsed: CommandEntry[] = [];\n` +
    `const entryAt = (i: number): CommandEntry => (parsed[i] ??= JSON.parse(ENTRY_TEXTS[i]));\n` +
    `const NAME_PREFIX = '{"name":';\n\n` +
    `/** Every command callable over the HTTP API in some release, with each of its definitions. */\n` +
    `export function allEntries(): readonly CommandEntry[] {\n  return ENTRY_TEXTS.map((_, i) => entryAt(i));\n}\n\n` +
    `/** The entry of a command by its ejabberd name. */\n` +
    `export function entryNamed(name: string): CommandEntry | undefined {\n` +
    `  const start = NAME_PREFIX + JSON.stringify(name) + ',';\n` +
    `  const i = ENTRY_TEXTS.findIndex((t) => t.startsWith(start));\n` +
    `  return i < 0 ? undefined : entryAt(i);\n}\n\n` +
    `/** Temporary, until every consumer resolves entries: the commands of ejabberd ${releases[0]} at API version 0. */\n` +
    `export const commands: readonly CommandSpec[] = ${jsonArray(compat)};\n`;
}

// An integer argument must be a safe number; a result integer beyond 2^53 arrives as a bigint.
type Side = 'args' | 'results';

function tsType(t: ResultType, indent: string, side: Side): string {
  if (t === 'string' || t === 'restuple') return 'string';
  if (t === 'integer') return side === 'args' ? 'number' : 'number | bigint';
  if (t === 'rescode') return 'true';
  if ('list' in t) return `Array<${tsType(t.list.type, indent, side)}>`;
  return tsObject(t.tuple, indent, side);
}

function tsObject(fields: readonly Field[] | readonly { name: string; type: ValueType }[], indent: string, side: Side): string {
  if (fields.length === 0) return 'Record<string, never>';
  const inner = indent + '  ';
  return `{\n${fields.map((f) => `${inner}${f.name}: ${tsType(f.type, inner, side)};`).join('\n')}\n${indent}}`;
}

const interfaceName = (release: string) => `Commands_${release.replace(/\./g, '_')}`;

/**
 * The typed client's types: for each release, each command's arguments and result at the API
 * version that release uses by default. A release's interface repeats only what changed since
 * the previous one.
 */
export function renderTypesModule(releases: readonly string[], entries: readonly CommandEntry[]): string {
  const out: string[] = [`${HEADER}import type { Release } from './commands.js';\n`, `export type { Release };`,
    `export type NewestRelease = ${JSON.stringify(releases[releases.length - 1])};\n`];
  let previous = new Map<string, string>();
  releases.forEach((release, i) => {
    const current = new Map<string, string>();
    for (const e of entries) {
      const r = resolveCommand(e, release);
      if (isMissing(r)) continue;
      current.set(e.name, `{\n    args: ${tsObject(r.args, '    ', 'args')};\n    result: ${tsType(r.result.type, '    ', 'results')};\n  }`);
    }
    const changed = [...current].filter(([name, text]) => previous.get(name) !== text);
    const dropped = [...previous.keys()].filter((name) => !current.has(name));
    const doc = `/** Each command's arguments and result as ejabberd ${release} takes and gives them by default. */`;
    const members = changed.map(([name, text]) => `  ${name}: ${text};`).join('\n');
    if (i === 0) out.push(`${doc}\nexport interface ${interfaceName(release)} {\n${members}\n}\n`);
    else if (!changed.length && !dropped.length) out.push(`${doc}\nexport type ${interfaceName(release)} = ${interfaceName(releases[i - 1])};\n`);
    else {
      const omitted = [...changed.filter(([name]) => previous.has(name)).map(([name]) => name), ...dropped];
      const base = omitted.length ? `Omit<${interfaceName(releases[i - 1])}, ${omitted.map((n) => JSON.stringify(n)).join(' | ')}>` : interfaceName(releases[i - 1]);
      out.push(`${doc}\nexport interface ${interfaceName(release)} extends ${base} {\n${members}\n}\n`);
    }
    previous = current;
  });
  out.push(`/** The commands of each release. */\nexport interface ReleaseCommands {\n${releases.map((r) => `  ${JSON.stringify(r)}: ${interfaceName(r)};`).join('\n')}\n}\n`);
  out.push(`/** The command names of a release (by default the newest). */\n` +
    `export type CommandName<R extends Release = NewestRelease> = keyof ReleaseCommands[R] & string;\n\n` +
    `/** Named arguments of each command, as sent in the JSON body. */\n` +
    `export type CommandArgs<R extends Release = NewestRelease> = {\n  [K in CommandName<R>]: ReleaseCommands[R][K] extends { args: infer A } ? A : never;\n};\n\n` +
    `/** The normalised result of each command (rescode: \`true\`; restuple: its text; an integer beyond 2^53: a bigint). */\n` +
    `export type CommandResults<R extends Release = NewestRelease> = {\n  [K in CommandName<R>]: ReleaseCommands[R][K] extends { result: infer T } ? T : never;\n};\n`);
  return out.join('\n');
}

/** Writes (or with check, compares) a generated file; returns false when a check finds a difference. */
export function emit(path: string, content: string, check: boolean): boolean {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : null;
  if (current === content) return true;
  if (check) {
    process.stderr.write(`out of date: ${path}\n`);
    return false;
  }
  writeFileSync(path, content);
  process.stderr.write(`wrote ${path}\n`);
  return true;
}

const catalogueFile = (name: string) => join(repoRoot, 'src', 'catalogue', name);

/** The catalogue generated from the committed data: [commands.ts, command-types.ts] contents. */
export function generateCatalogue(): [string, string] {
  const data = JSON.parse(readFileSync(catalogueFile('definitions.json'), 'utf8')) as DefinitionsData;
  const descriptions = JSON.parse(readFileSync(catalogueFile('descriptions.json'), 'utf8')) as Record<string, Description>;
  const entries = buildEntries(data, descriptions);
  return [
    renderCommandsModule(data.releases, entries, compatCommands(entries, data.releases[0])),
    renderTypesModule(data.releases, entries),
  ];
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const [commandsModule, typesModule] = generateCatalogue();
  const ok1 = emit(catalogueFile('commands.ts'), commandsModule, check);
  const ok2 = emit(catalogueFile('command-types.ts'), typesModule, check);
  return ok1 && ok2 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
