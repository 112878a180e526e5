// Reads ejabberd's own command definitions (the `#ejabberd_commands{}` records returned by
// get_commands_spec() in src/*.erl) at every release tag of a processone/ejabberd git
// directory, and writes their facts to src/catalogue/definitions.json. No ejabberd text is kept.
// Usage: node dist/gen/ejabberd-source.js [--check] [--source GIT_DIR]
//   GIT_DIR: --source, else $ECTL_EJABBERD_GIT, else /work/.mirror/processone+ejabberd/repo
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultType, ValueType } from '../catalogue/types.js';
import { emit, repoRoot } from './catalogue-gen.js';
import { ErlangSyntaxError, functionBodies, textOf, type Term } from './erlang-terms.js';

/** The ejabberd releases the catalogue covers, oldest first (their git tags). */
export const RELEASE_TAGS = ['23.01', '23.04', '23.10', '24.02', '24.06', '24.07', '24.10', '24.12', '25.03', '25.04',
  '25.07', '25.08', '25.10', '26.01', '26.02', '26.03', '26.04', '26.07'] as const;

export const DEFINITIONS_FILE = join(repoRoot, 'src', 'catalogue', 'definitions.json');
const MIRROR = '/work/.mirror/processone+ejabberd/repo';

/**
 * A type as definitions.json writes it: the catalogue's types, plus `any` (internal commands
 * only) and `atom` (the catalogue's string, which ejabberdctl prints as Erlang writes an atom).
 */
export type SourceType = ResultType | 'any' | 'atom' | { readonly list: SourceField } | { readonly tuple: readonly SourceField[] };
export interface SourceField {
  readonly name: string;
  readonly type: SourceType;
}

/** One definition (name + API version) as some consecutive or scattered releases have it. */
export interface SourceDefinition {
  readonly name: string;
  readonly version: number;
  readonly releases: readonly string[];
  readonly args: readonly SourceField[];
  readonly result: SourceField;
  readonly tags: readonly string[];
  /** The gen_mod module that provides the command (what ejabberd's docs name), or null for the core. */
  readonly module: string | null;
  /** The Erlang function that runs it, `module:function`. */
  readonly function: string | null;
  readonly policy: string;
  readonly internal: boolean;
  readonly ctlOnly: boolean;
  /** ejabberd's args_rename: [old, new] argument names mod_http_api renames before reading the arguments (absent when none). */
  readonly argsRename?: readonly (readonly [string, string])[];
  /**
   * The result holds a value declared `binary`, which these releases' mod_http_api cannot encode
   * (it has no rule for it before 25.03): a reply holding one fails with internal_error.
   */
  readonly binaryResultFails?: true;
}

export interface DefinitionsFile {
  readonly releases: readonly string[];
  readonly definitions: readonly SourceDefinition[];
}

/** Where ejabberd's git directory is: the argument, $ECTL_EJABBERD_GIT, or this machine's mirror. */
export function findEjabberdGit(given?: string): string | null {
  const candidates = given ? [given] : [process.env.ECTL_EJABBERD_GIT, MIRROR];
  return candidates.find((p): p is string => !!p && existsSync(p)) ?? null;
}

function git(dir: string, args: string[]): string {
  return execFileSync('git', ['--git-dir', dir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

export class SourceError extends Error {}

/** Reads a type term: binary/string/atom -> string, integer, any, {list, {N, T}}, {tuple, [{N, T}...]}. */
function readType(t: Term, where: string, result: boolean): SourceType {
  if (t.k === 'atom') {
    if (t.v === 'binary' || t.v === 'string') return 'string';
    if (t.v === 'integer' || t.v === 'any' || t.v === 'atom') return t.v;
    if (result && (t.v === 'rescode' || t.v === 'restuple')) return t.v;
  }
  if (t.k === 'tuple' && t.v.length === 2 && t.v[0].k === 'atom') {
    if (t.v[0].v === 'list') return { list: readField(t.v[1], where, false) };
    const items = t.v[0].v === 'tuple' && t.v[1].k === 'list' ? t.v[1].v : t.v[0].v === 'tuple' && textOf(t.v[1]) === '' ? [] : null;
    if (items) return { tuple: items.map((f) => readField(f, where, false)) };
  }
  throw new SourceError(`${where}: unreadable type ${JSON.stringify(t)}`);
}

function readField(t: Term, where: string, result: boolean): SourceField {
  if (t.k === 'tuple' && t.v.length === 2 && t.v[0].k === 'atom') return { name: t.v[0].v, type: readType(t.v[1], `${where} ${t.v[0].v}`, result) };
  throw new SourceError(`${where}: unreadable {Name, Type} ${JSON.stringify(t)}`);
}

function atomList(t: Term, where: string): string[] {
  const items = t.k === 'list' ? t.v : textOf(t) === '' ? [] : null;
  if (!items || items.some((x) => x.k !== 'atom')) throw new SourceError(`${where}: not a list of atoms`);
  return items.map((x) => (x as { v: string }).v);
}

/** How a release treats `policy = user` commands and versioned ones, read from its own code. */
export interface ReleaseRules {
  /** The arguments put before a user-policy command's own: [user, server] or [user, host]. */
  readonly userArgs: readonly [string, string];
  /** Whether registering a version N > 0 definition adds the tag vN. */
  readonly versionTags: boolean;
  /** Whether mod_http_api encodes a result value declared `binary` (it has a format_result rule for it). */
  readonly binaryResults: boolean;
}

function releaseRules(tag: string, commandsErl: string, docErl: string, httpApiErl: string): ReleaseRules {
  // The documented (and, through args_rename, accepted) names: ejabberd_commands_doc adds them
  // for the docs until the commands' registration itself adds them.
  const userArgsRe = /\[\s*\{\s*user\s*,\s*binary\s*\}\s*,\s*\{\s*(\w+)\s*,\s*binary\s*\}\s*\|\s*Args1?\s*\]/;
  const registration = /register_command_prepare[\s\S]*?policy\s*=\s*user[\s\S]*?args\s*=\s*\[\s*\{\s*user\s*,\s*binary\s*\}\s*,\s*\{\s*(\w+)\s*,\s*binary\s*\}/.exec(commandsErl);
  const second = (registration ?? userArgsRe.exec(docErl))?.[1];
  if (!second) throw new SourceError(`${tag}: cannot tell which arguments user-policy commands take`);
  const versionTags = /list_to_atom\(\s*"v"\s*\+\+\s*integer_to_list\(\s*Version\s*\)\s*\)/.test(commandsErl);
  const binaryResults = /^format_result\([^)]*\{\s*_?\w*\s*,\s*binary\s*\}\s*\)\s*->/m.test(httpApiErl);
  return { userArgs: ['user', second], versionTags, binaryResults };
}

const RECORD_DEFAULTS: Record<string, Term> = {
  tags: { k: 'list', v: [] },
  version: { k: 'num', v: 0 },
  args: { k: 'list', v: [] },
  args_rename: { k: 'list', v: [] },
  policy: { k: 'atom', v: 'restricted' },
  result: { k: 'tuple', v: [{ k: 'atom', v: 'res' }, { k: 'atom', v: 'rescode' }] },
};

type ReleaseDefinition = Omit<SourceDefinition, 'releases'>;

function readRecord(rec: Term, file: string, provider: string | null, rules: ReleaseRules): ReleaseDefinition {
  if (rec.k !== 'rec' || rec.name !== 'ejabberd_commands') throw new SourceError(`${file}: get_commands_spec() holds something other than an ejabberd_commands record`);
  let at = `${file}:${rec.line}`;
  const field = (name: string, optional = false): Term | null => {
    const v = rec.fields.get(name) ?? RECORD_DEFAULTS[name] ?? null;
    if (v === null && !optional) throw new SourceError(`${at}: no ${name}`);
    if (v?.k === 'unknown') throw new SourceError(`${at}: cannot read ${name} (${v.why})`);
    return v;
  };
  const atom = (name: string, optional = false): string | null => {
    const v = field(name, optional);
    if (v === null) return null;
    if (v.k !== 'atom') throw new SourceError(`${at}: ${name} is not an atom`);
    return v.v;
  };
  const name = atom('name')!;
  at = `${at} ${name}`;
  const where = at;
  const version = field('version')!;
  if (version.k !== 'num' || !Number.isInteger(version.v)) throw new SourceError(`${where}: version is not an integer`);
  const argsTerm = field('args')!;
  const argItems = argsTerm.k === 'list' ? argsTerm.v : textOf(argsTerm) === '' ? [] : null;
  if (!argItems) throw new SourceError(`${where}: args is not a list`);
  let args = argItems.map((a) => readField(a, `${where} args`, false));
  const policy = atom('policy')!;
  if (policy === 'user') args = [{ name: rules.userArgs[0], type: 'string' }, { name: rules.userArgs[1], type: 'string' }, ...args];
  let tags = atomList(field('tags')!, `${where} tags`);
  if (rules.versionTags && version.v > 0) tags = [...tags, `v${version.v}`];
  const argsRename = renames(field('args_rename')!, `${where} args_rename`);
  const resultTerm = field('result')!;
  return {
    name,
    version: version.v,
    args,
    result: readField(resultTerm, `${where} result`, true),
    tags,
    module: provider,
    function: implementation(atom('module', true), atom('function', true)),
    policy,
    internal: tags.includes('internal'),
    ctlOnly: tags.includes('ejabberdctl'),
    ...(argsRename.length ? { argsRename } : {}),
    ...(!rules.binaryResults && mentionsBinary(resultTerm) ? { binaryResultFails: true as const } : {}),
  };
}

/** Whether a result's type term declares some value `binary`. */
function mentionsBinary(t: Term): boolean {
  if (t.k === 'atom') return t.v === 'binary';
  return (t.k === 'tuple' || t.k === 'list') && t.v.some(mentionsBinary);
}

/** An args_rename list: [{Old, New}...] of atoms. */
function renames(t: Term, where: string): [string, string][] {
  const items = t.k === 'list' ? t.v : textOf(t) === '' ? [] : null;
  if (!items) throw new SourceError(`${where}: not a list`);
  return items.map((x): [string, string] => {
    if (x.k === 'tuple' && x.v.length === 2 && x.v[0].k === 'atom' && x.v[1].k === 'atom') return [x.v[0].v, x.v[1].v];
    throw new SourceError(`${where}: not a list of {Old, New} atoms`);
  });
}

const implementation = (module: string | null, fn: string | null): string | null => (module && fn ? `${module}:${fn}` : null);

/** Reads many `tag:path` blobs with one git process. */
function readBlobs(dir: string, specs: readonly string[]): Map<string, string> {
  const out = execFileSync('git', ['--git-dir', dir, 'cat-file', '--batch'], { input: specs.join('\n') + '\n', maxBuffer: 1 << 30 });
  const blobs = new Map<string, string>();
  let at = 0;
  for (const spec of specs) {
    const eol = out.indexOf(10, at);
    const header = out.subarray(at, eol).toString('utf8');
    const m = /^[0-9a-f]+ blob (\d+)$/.exec(header);
    if (!m) throw new SourceError(`git cannot read ${spec}: ${header}`);
    const size = Number(m[1]);
    blobs.set(spec, out.subarray(eol + 1, eol + 1 + size).toString('utf8'));
    at = eol + 1 + size + 1;
  }
  return blobs;
}

/**
 * The definitions in one source file's get_commands_spec() (`where`: "TAG src/FILE.erl"); throws
 * when a field the catalogue needs cannot be read.
 */
export function readSourceFile(text: string, where: string, rules: ReleaseRules): ReleaseDefinition[] {
  const file = where.split(' ').pop()!;
  // ejabberd's docs name the module that registers a command when it is a gen_mod (one an
  // admin enables in the configuration).
  const provider = /^-behaviou?r\(\s*gen_mod\s*\)/m.test(text) ? file.replace(/^src\/|\.erl$/g, '') : null;
  return functionBodies(text, 'get_commands_spec').flatMap((body) => {
    if (body.k !== 'list') throw new SourceError(`${where}: get_commands_spec() is not a list (${body.k === 'unknown' ? body.why : body.k})`);
    return body.v.map((rec) => readRecord(rec, where, provider, rules));
  });
}

/** Every definition of each release, in source order. */
export function readReleases(dir: string, tags: readonly string[]): Map<string, ReleaseDefinition[]> {
  // The files that define commands: those with a get_commands_spec() function (other mentions
  // of the record are pattern matches or ejabberdctl's own help records).
  const defining = git(dir, ['grep', '-l', '-E', '^get_commands_spec\\(\\) *->', ...tags, '--', 'src/*.erl']).split('\n').filter(Boolean);
  const rulesFiles = tags.flatMap((t) => [`${t}:src/ejabberd_commands.erl`, `${t}:src/ejabberd_commands_doc.erl`, `${t}:src/mod_http_api.erl`]);
  const blobs = readBlobs(dir, [...defining, ...rulesFiles]);
  const result = new Map<string, ReleaseDefinition[]>();
  for (const tag of tags) {
    const rules = releaseRules(tag, blobs.get(`${tag}:src/ejabberd_commands.erl`)!, blobs.get(`${tag}:src/ejabberd_commands_doc.erl`)!, blobs.get(`${tag}:src/mod_http_api.erl`)!);
    const found: ReleaseDefinition[] = [];
    for (const spec of defining.filter((d) => d.startsWith(`${tag}:`))) {
      found.push(...readSourceFile(blobs.get(spec)!, `${tag} ${spec.slice(tag.length + 1)}`, rules));
    }
    const seen = new Set<string>();
    for (const d of found) {
      const key = `${d.name} v${d.version}`;
      if (seen.has(key)) throw new SourceError(`${tag}: ${key} is defined twice`);
      seen.add(key);
    }
    result.set(tag, found);
  }
  return result;
}

/** Merges the releases' definitions: one record per distinct definition, with the releases that have it. */
export function mergeReleases(perRelease: ReadonlyMap<string, readonly ReleaseDefinition[]>): DefinitionsFile {
  const releases = [...perRelease.keys()];
  const byContent = new Map<string, { def: ReleaseDefinition; releases: string[] }>();
  for (const [tag, defs] of perRelease) {
    for (const def of defs) {
      const key = JSON.stringify(def);
      const entry = byContent.get(key) ?? { def, releases: [] };
      entry.releases.push(tag);
      byContent.set(key, entry);
    }
  }
  const definitions = [...byContent.values()].map(({ def, releases: rs }): SourceDefinition => {
    const { name, version, ...rest } = def;
    return { name, version, releases: rs, ...rest };
  });
  const index = (r: string) => releases.indexOf(r);
  definitions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version - b.version || index(a.releases[0]) - index(b.releases[0])));
  return { releases, definitions };
}

export function readDefinitions(dir: string, tags: readonly string[] = RELEASE_TAGS): DefinitionsFile {
  return mergeReleases(readReleases(dir, tags));
}

/** definitions.json's text: one definition per line, so that a release's changes read as a diff. */
export function renderDefinitions(file: DefinitionsFile): string {
  return `{\n  "releases": ${JSON.stringify(file.releases)},\n  "definitions": [\n` +
    file.definitions.map((d) => `    ${JSON.stringify(d)}`).join(',\n') + '\n  ]\n}\n';
}

/**
 * A definition's type as ejabberd's docs (and the catalogue) write it: the element name of a
 * list of tuples is dropped (`[{jid::string, ...}]`), an atom is a string. `any` is only found
 * in internal commands.
 */
export function documentedType(t: SourceType): ResultType {
  if (t === 'any') throw new Error("'any' is the type of internal commands only");
  if (t === 'atom') return 'string';
  if (typeof t === 'string') return t;
  if ('list' in t) {
    const el = t.list;
    return { list: { name: typeof el.type === 'object' && 'tuple' in el.type ? '' : el.name, type: documentedType(el.type) as ValueType } };
  }
  return { tuple: t.tuple.map((f) => ({ name: f.name, type: documentedType(f.type) as ValueType })) };
}

export function loadDefinitions(path = DEFINITIONS_FILE): DefinitionsFile {
  return JSON.parse(readFileSync(path, 'utf8')) as DefinitionsFile;
}

/** Per release: command names, definitions, internal and ejabberdctl-only names, HTTP-callable names. */
export function releaseCounts(file: DefinitionsFile): { release: string; names: number; definitions: number; internal: number; ctlOnly: number; http: number }[] {
  return file.releases.map((release) => {
    const defs = file.definitions.filter((d) => d.releases.includes(release));
    const names = (pick: (d: SourceDefinition) => boolean) => new Set(defs.filter(pick).map((d) => d.name)).size;
    return {
      release,
      names: names(() => true),
      definitions: defs.length,
      internal: names((d) => d.internal),
      ctlOnly: names((d) => d.ctlOnly),
      http: names((d) => !d.internal && !d.ctlOnly),
    };
  });
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const at = argv.indexOf('--source');
  const dir = findEjabberdGit(at >= 0 ? argv[at + 1] : undefined);
  if (!dir) {
    process.stderr.write('ejabberd-source: no ejabberd git directory (pass --source DIR or set ECTL_EJABBERD_GIT)\n');
    return 2;
  }
  let file: DefinitionsFile;
  try {
    file = readDefinitions(dir);
  } catch (e) {
    if (e instanceof SourceError || e instanceof ErlangSyntaxError) {
      process.stderr.write(`ejabberd-source: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
  if (argv.includes('--counts')) {
    for (const c of releaseCounts(file)) process.stdout.write(`${c.release}: ${c.names} names, ${c.definitions} definitions, ${c.internal} internal, ${c.ctlOnly} ejabberdctl-only, ${c.http} over HTTP\n`);
  }
  return emit(DEFINITIONS_FILE, renderDefinitions(file), check) ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
