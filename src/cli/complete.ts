// `ectl completion bash|zsh|fish` prints a completion script; the hidden `ectl __complete WORD...`
// is what those scripts call for what only the server knows (vhosts, users, rooms) and for
// profile names. It uses the connection settings every ectl command uses, gives up after
// about two seconds, keeps answers for a minute, and prints nothing when anything goes wrong.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { bashReply, canOffer, readBashWord, readFishWord } from './shell-words.js';
import { cacheFilePath, readCacheFile, writeCacheFile } from './cache-file.js';
import type { CommandSpec } from '../catalogue/types.js';
import { catalogueFor, entryFor, specFor, type ReleaseSpec } from '../catalogue/releases.js';
import { knownChoice, type ReleaseChoice } from './release.js';
import type { ResultValue } from '../client/normalise.js';
import { isProfileName, loadConfig, resolveSettings, type GlobalFlags } from '../config/settings.js';
import { UsageError } from '../errors.js';
import { acceptsGlobal, argKind, fixedValues, hostArgIndex } from './arg-kinds.js';
import { joinerOf } from '../catalogue/fixed-values.js';
import { COMPLETION_HELP, allOptions, otherCommands, tagIndex, type ExtraCommand, type OptionDoc } from './help.js';
import type { Io } from './io.js';
import { clientFor, settingsFor } from './run.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Per request, and for everything one completion asks the server. */
const REQUEST_TIMEOUT_MS = 1500;
const TOTAL_TIMEOUT_MS = 2000;
const CACHE_TTL_MS = 60_000;
/**
 * Bounds for a server with very many accounts or rooms: a reply larger than MAX_REPLY_BYTES
 * offers nothing (type more, or use the command itself), at most MAX_OFFERED candidates are
 * printed, an answer of more than MAX_CACHED_VALUES values is not kept, and the cache file stays
 * under MAX_CACHE_BYTES (the oldest answers go first).
 */
const MAX_REPLY_BYTES = 4 * 1024 * 1024;
const MAX_OFFERED = 1000;
const MAX_CACHED_VALUES = 20_000;
const MAX_CACHE_BYTES = 1024 * 1024;
/** Users of at most this many virtual hosts are asked for at once (one request each). */
const MAX_HOSTS_ASKED = 32;

export async function runCompletionCommand(
  word: string, rest: string[], io: Io, options: readonly OptionDoc[], extras: () => readonly ExtraCommand[],
): Promise<number> {
  if (word === 'completion') {
    if (rest.includes('-h') || rest.includes('--help')) {
      io.stdout.write(COMPLETION_HELP);
      return 0;
    }
    const shell = rest[0] as Shell;
    if (rest.length !== 1 || !SHELLS.includes(shell)) {
      throw new UsageError(`completion takes one shell name: ${SHELLS.join(', ')}`);
    }
    const { completionScript } = await import('../gen/completions.js');
    io.stdout.write(completionScript(shell, { commands: catalogueFor(), options, extras: extras() }, programNames()));
    return 0;
  }
  // `__complete [--shell SHELL] -- WORDS`: the scripts name their shell; a script from before
  // that (none named) is offered only words no shell reads as code.
  const shellAt = rest[0] === '--shell' ? 2 : 0;
  const shell = shellAt ? (SHELLS.includes(rest[1] as Shell) ? (rest[1] as Shell) : undefined) : undefined;
  if (shellAt && !shell) return 0;
  const passed = rest[shellAt] === '--' ? rest.slice(shellAt + 1) : rest.slice(shellAt);
  try {
    io.stdout.write(await completeFor(shell, passed, io, options, extras));
  } catch {
    // A completion that fails offers nothing; the shell stays quiet.
  }
  return 0;
}

/**
 * The output for the shell: bash gets each candidate as the text readline inserts (quoted by
 * ectl, one a line); zsh and fish get the values NUL-separated (they quote what they insert),
 * so that a newline in a name is a newline and not two names.
 */
async function completeFor(shell: Shell | undefined, passed: readonly string[], io: Io, options: readonly OptionDoc[], extras: () => readonly ExtraCommand[]): Promise<string> {
  // bash passes every word as typed, fish the words before the cursor read and the current one as typed.
  const typedWords = shell === 'bash' ? passed.map(readBashWord) : undefined;
  const words = typedWords ? typedWords.map((w) => w.value)
    : shell === 'fish' && passed.length ? [...passed.slice(0, -1), readFishWord(passed.at(-1)!)] : passed;
  const { candidates, current } = await completeLine(words, io, options, extras);
  const offered = bounded(candidates.filter((c) => canOffer(shell, c)));
  if (!offered.length) return '';
  if (shell === 'bash') {
    const raw = passed.at(-1) ?? '';
    return `${offered.map((c) => bashReply(raw, typedWords!.at(-1)!, current, c)).join('\n')}\n`;
  }
  return shell ? `${offered.join('\0')}\0` : `${offered.join('\n')}\n`;
}

/** At most MAX_OFFERED of the sorted candidates: the first ones and the last, so that their common prefix stays that of all. */
function bounded(sorted: readonly string[]): readonly string[] {
  return sorted.length <= MAX_OFFERED ? sorted : [...sorted.slice(0, MAX_OFFERED - 1), sorted.at(-1)!];
}

/**
 * ectl, and the single executable's own file name when it is another that a shell can complete
 * (`ectl-linux-x64`); the npm package's bin is always `ectl`.
 */
function programNames(): string[] {
  let isSea = false;
  try {
    // Required, not imported: an executable's main script cannot import() (Node 20).
    isSea = (createRequire(import.meta.url)('node:sea') as typeof import('node:sea')).isSea();
  } catch {} // a Node before 20.12 has no node:sea

  const own = basename(process.execPath);
  return isSea && own !== 'ectl' && /^[\w.+-]+$/.test(own) ? ['ectl', own] : ['ectl'];
}

// ---------------------------------------------------------------------------------------------
// The command line being completed

interface OptionInfo {
  readonly key: keyof GlobalFlags | string;
  readonly takesValue: boolean;
  readonly isProfile: boolean;
  readonly isNode: boolean;
  readonly choices?: readonly string[];
}

/** Maps every spelling (-o, --output) of the options to what they mean for completion. */
function optionTable(options: readonly OptionDoc[]): Map<string, OptionInfo> {
  const table = new Map<string, OptionInfo>();
  for (const o of allOptions(options)) {
    const long = /--([a-z][a-z-]*)/.exec(o.flags)?.[1];
    const info: OptionInfo = {
      key: (long ?? '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
      takesValue: /[<[]/.test(o.flags),
      isProfile: long === 'profile',
      isNode: long === 'node',
      choices: o.argChoices?.length ? o.argChoices : o.suggestions,
    };
    for (const spelling of o.flags.split(/[ ,|]+/).filter((f) => f.startsWith('-'))) table.set(spelling, info);
  }
  return table;
}

interface Line {
  flags: Record<string, string | boolean>;
  command?: string;
  positionals: string[];
  /** The word being completed (what comes after `--opt=` for an inline option value). */
  current: string;
  /** Set when the current word is the value of this option. */
  valueFor?: OptionInfo;
}

/** Reads the words before the cursor as commander would: options (anywhere), the command, its arguments. */
function parseLine(words: readonly string[], table: Map<string, OptionInfo>): Line {
  const done = words.slice(0, -1);
  const line: Line = { flags: {}, positionals: [], current: words.at(-1) ?? '' };
  let dashes = false;
  for (let i = 0; i < done.length; i++) {
    const w = done[i];
    if (!dashes && w === '--') {
      dashes = true;
      continue;
    }
    if (!dashes && w.length > 1 && w.startsWith('-')) {
      const eq = w.startsWith('--') ? w.indexOf('=') : -1;
      const name = eq > 0 ? w.slice(0, eq) : w.startsWith('--') ? w : w.slice(0, 2);
      const inline = eq > 0 ? w.slice(eq + 1) : !w.startsWith('--') && w.length > 2 ? w.slice(2) : undefined;
      const opt = table.get(name);
      if (opt?.takesValue) {
        if (inline !== undefined) line.flags[opt.key] = inline;
        else if (i + 1 < done.length) line.flags[opt.key] = done[++i];
        else line.valueFor = opt;
      } else if (opt) line.flags[opt.key] = true;
      continue;
    }
    if (line.command === undefined) line.command = w;
    else line.positionals.push(w);
  }
  // An inline value being typed: --profile=pr, -Ppr.
  const eq = line.current.indexOf('=');
  if (!line.valueFor && line.current.startsWith('--') && eq > 0) {
    const opt = table.get(line.current.slice(0, eq));
    if (opt?.takesValue) [line.valueFor, line.current] = [opt, line.current.slice(eq + 1)];
  } else if (!line.valueFor && /^-[^-]./.test(line.current) && table.get(line.current.slice(0, 2))?.takesValue) {
    [line.valueFor, line.current] = [table.get(line.current.slice(0, 2)), line.current.slice(2)];
  }
  return line;
}

// ---------------------------------------------------------------------------------------------
// Answers from the server, cached

interface CacheFile {
  entries: Record<string, { at: number; values: string[] }>;
}

/** Where answers are cached; none without a home directory. */
function cachePath(env: NodeJS.ProcessEnv): string | undefined {
  return cacheFilePath(env, 'completion-cache.json');
}

class ServerLists {
  private cache: CacheFile = { entries: {} };
  private changed = false;

  constructor(
    private readonly send: (command: string, args: Record<string, string>) => Promise<ResultValue>,
    private readonly identity: string,
    private readonly file: string | undefined,
  ) {
    const parsed = readCacheFile(file) as CacheFile | undefined;
    if (parsed && typeof parsed.entries === 'object') this.cache = parsed;
  }

  /** The strings a list-returning command answers, from the cache when fresh; [] on any failure. */
  async list(command: string, args: Record<string, string> = {}): Promise<string[]> {
    const key = `${this.identity} ${command} ${JSON.stringify(args)}`;
    const hit = this.cache.entries[key];
    if (hit && Date.now() - hit.at < CACHE_TTL_MS && Date.now() >= hit.at) return hit.values;
    try {
      const value = await this.send(command, args);
      const values = Array.isArray(value) ? value.map(String) : [];
      if (values.length <= MAX_CACHED_VALUES) {
        this.cache.entries[key] = { at: Date.now(), values };
        this.changed = true;
      }
      return values;
    } catch {
      return [];
    }
  }

  vhosts = () => this.list('registered_vhosts');
  users = (host: string) => this.list('registered_users', { host });
  rooms = () => this.list('muc_online_rooms', { service: 'global' });

  save(): void {
    if (!this.changed || !this.file) return;
    const now = Date.now();
    // Fresh answers only, newest first, as many as fit in MAX_CACHE_BYTES.
    const fresh = Object.entries(this.cache.entries)
      .filter(([, e]) => now - e.at < CACHE_TTL_MS && Array.isArray(e.values) && e.values.length <= MAX_CACHED_VALUES)
      .sort(([, a], [, b]) => b.at - a.at);
    const entries: CacheFile['entries'] = {};
    let size = 20;
    for (const [key, e] of fresh) {
      size += JSON.stringify(key).length + JSON.stringify(e).length + 2;
      if (size > MAX_CACHE_BYTES) break;
      entries[key] = e;
    }
    writeCacheFile(this.file, { entries });
  }
}

const domainOf = (jid: string) => jid.slice(jid.indexOf('@') + 1);
const localOf = (jid: string) => jid.slice(0, jid.indexOf('@'));
/** name@service with both parts (a room's address). */
const isAddress = (jid: string) => jid.indexOf('@') > 0 && jid.indexOf('@') < jid.length - 1;

/** Users of every vhost (or of the vhosts starting with `domainPrefix`), as [user, host] pairs. */
async function allUsers(lists: ServerLists, domainPrefix = ''): Promise<[string, string][]> {
  const hosts = (await lists.vhosts()).filter((h) => h.startsWith(domainPrefix)).slice(0, MAX_HOSTS_ASKED);
  const perHost = await Promise.all(hosts.map(async (h) => (await lists.users(h)).map((u): [string, string] => [u, h])));
  return perHost.flat();
}

async function serverCandidates(spec: CommandSpec, line: Line, lists: ServerLists): Promise<string[]> {
  const index = line.positionals.length;
  const typed = (name: string) => {
    const i = spec.args.findIndex((a) => a.name === name);
    return i >= 0 && i < index ? line.positionals[i] : undefined;
  };
  switch (argKind(spec, index)) {
    case 'vhost':
      return lists.vhosts();
    case 'user': {
      const hostIndex = hostArgIndex(spec, index);
      const host = hostIndex < index ? line.positionals[hostIndex] : undefined;
      if (host) return lists.users(host);
      return (await allUsers(lists)).map(([u]) => u);
    }
    case 'jid': {
      const at = line.current.indexOf('@');
      return (await allUsers(lists, at >= 0 ? line.current.slice(at + 1) : '')).map(([u, h]) => `${u}@${h}`);
    }
    // Rooms come as addresses (name@service); each argument gets the part it takes.
    case 'room_jid':
      return (await lists.rooms()).filter(isAddress);
    case 'room_name': {
      const service = typed('service');
      return (await lists.rooms()).filter((r) => isAddress(r) && (!service || domainOf(r) === service)).map(localOf);
    }
    case 'muc_service':
      return [...(await lists.rooms()).filter(isAddress).map(domainOf), ...(acceptsGlobal(spec.args[index]) ? ['global'] : [])];
    default:
      return [];
  }
}

async function profileNames(line: Line, io: Io): Promise<string[]> {
  const { loaded } = await loadConfig(line.flags as GlobalFlags, io.env, io.cwd);
  const profiles = loaded?.config.profiles;
  // A name ectl would refuse (-P 'a$(x)') is not offered: it could never be used.
  return profiles && typeof profiles === 'object' ? Object.keys(profiles).filter(isProfileName) : [];
}

/** The names of the profile's nodes (or ECTL_NODES'), for --node. */
async function nodeNames(line: Line, io: Io): Promise<string[]> {
  try {
    const flags = { ...(line.flags as GlobalFlags), node: undefined };
    return (await resolveSettings(flags, io.env, io.cwd, { readToken: false, readSecrets: false })).nodes.map((n) => n.name);
  } catch {
    return [];
  }
}

/**
 * The candidates for the last word of `words` (the words after `ectl`, as values), sorted and
 * filtered by what is typed, and that typed part (the value after `--opt=` for an inline value).
 */
async function completeLine(words: readonly string[], io: Io, options: readonly OptionDoc[], extras: () => readonly ExtraCommand[]): Promise<{ candidates: string[]; current: string }> {
  const table = optionTable(options);
  const line = parseLine(words, table);
  const found = await candidatesFor(line, table, io, extras);
  const candidates = [...new Set(found.filter((c) => c.startsWith(line.current)))].sort();
  return { candidates, current: line.current };
}

async function candidatesFor(line: Line, table: Map<string, OptionInfo>, io: Io, extras: () => readonly ExtraCommand[]): Promise<string[]> {
  if (line.valueFor) {
    if (line.valueFor.choices) return [...line.valueFor.choices];
    if (line.valueFor.isNode) return nodeNames(line, io);
    return line.valueFor.isProfile ? profileNames(line, io) : [];
  }
  if (line.current.startsWith('-')) return [...table.keys()];
  const commands = catalogueFor();
  if (line.command === undefined) return [...commands.map((c) => c.name), ...otherCommands({ commands, options: [], extras: extras() }).map((e) => e.name)];
  if (line.command === 'help') return ['tags', ...tagIndex(commands).keys(), ...commands.map((c) => c.name)];
  if (line.command === 'completion') return line.positionals.length === 0 ? [...SHELLS] : [];
  const entry = entryFor(line.command);
  if (!entry) return [];
  // The definition of the release in use, as far as it is known without asking the server.
  let known: ReleaseChoice;
  let spec: ReleaseSpec;
  try {
    const plain = await resolveSettings(line.flags as GlobalFlags, io.env, io.cwd, { readToken: false, readSecrets: false });
    known = knownChoice(plain, io.env);
    spec = specFor(entry, known.release, plain.apiVersion);
  } catch {
    return [];
  }
  if (line.positionals.length >= spec.args.length) return [];
  const kind = argKind(spec, line.positionals.length);
  if (kind === 'none') return [];
  if (kind === 'values') {
    const fixed = fixedValues(spec, line.positionals.length, line.positionals);
    // A list, or a text of several words joined (any:both), gets the words after what is typed up to the last joiner.
    const arg = spec.args[line.positionals.length];
    const joiner = typeof arg.type !== 'string' ? ',' : joinerOf(spec.name, arg.name);
    const typed = joiner ? line.current.slice(0, line.current.lastIndexOf(joiner) + 1) : '';
    return (fixed ?? []).map((w) => typed + w); // no need to ask the server; nothing when the case is free text
  }
  // Warnings (e.g. a readable password file) are for real commands, not for every Tab; and a
  // missing password must not be asked for in the middle of the user's command line.
  const quiet: Io = { ...io, stderr: { write: () => true }, promptSecret: undefined };
  const settings = await settingsFor(line.flags as GlobalFlags, quiet);
  const client = clientFor({ ...settings, timeoutMs: Math.min(settings.timeoutMs, REQUEST_TIMEOUT_MS), maxReplyBytes: Math.min(settings.maxReplyBytes, MAX_REPLY_BYTES) });
  const signal = AbortSignal.timeout(TOTAL_TIMEOUT_MS);
  const identity = `${settings.url} ${settings.user ?? (settings.token ? `token:${createHash('sha256').update(settings.token).digest('hex').slice(0, 12)}` : '-')}`;
  // A release not known yet is not asked for (two seconds are little): the lists are asked for
  // at the server's default API version, whose answer has the same shape in every release.
  const sure = known.source === 'given' || known.source === 'cached';
  const send = (command: string, args: Record<string, string>) => {
    const s = specFor(entryFor(command)!, known.release);
    return client.send(sure ? s : { ...s, version: undefined }, args, { signal, release: known.release });
  };
  const lists = new ServerLists(send, identity, cachePath(io.env));
  try {
    return await serverCandidates(spec, line, lists);
  } finally {
    lists.save();
    await client.close();
  }
}
