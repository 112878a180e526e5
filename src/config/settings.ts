// Resolves connection and output settings from flags, environment and the config file, in
// that order of precedence, into one validated object.
//
// Config files are data only: YAML or JSON, never code. ectl reads --config/ECTL_CONFIG, else
// the user's own $XDG_CONFIG_HOME/ectl/config.yaml; a project file (.ectlrc...) in the working
// directory or a parent is read only when the user's file lists that directory in trusted-dirs,
// so a cloned repository cannot point the user's credentials at a server of its choosing.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UnauthorizedError, UsageError } from '../errors.js';
import { DEFAULT_MAX_REPLY_BYTES } from '../client/request.js';
import { KiB, MiB, readRegularFileSync, readSettingsFile } from '../bounded-read.js';
import { configBase, homeDir, othersCanChange } from '../files.js';
import { parseDecimal } from './numbers.js';

export const OUTPUT_FORMATS = ['text', 'table', 'vertical', 'json', 'yaml', 'csv', 'tsv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const DEFAULT_URL = 'http://localhost:5280/api';
export const DEFAULT_TIMEOUT_S = 60;
// Below a kilobyte is surely a slip (`64` meant as megabytes); above 500 MiB the reply would not fit in one string.
const MAX_REPLY_RANGE = [1024, 500 * 1024 * 1024] as const;
/** The longest wait a Node.js timer can hold (2^31 - 1 ms), in whole seconds. */
export const MAX_TIMEOUT_S = Math.floor((2 ** 31 - 1) / 1000);
/** Config files are small; this bounds what a broken or hostile one can cost. */
export const CONFIG_MAX_BYTES = MiB;
/** Password and token files hold one line. */
export const SECRET_FILE_MAX_BYTES = 64 * KiB;

/** An ejabberd release number: YY.MM, maybe with a patch level (25.03.1). */
export const RELEASE_PATTERN = /^\d{2}\.\d{2}(\.\d+)?$/;

/** The keys a profile (or the top level of the config file) may hold. */
export const PROFILE_KEYS = ['url', 'user', 'password-file', 'token', 'token-file', 'ca-file', 'insecure', 'timeout', 'api-version', 'release', 'output', 'max-reply-size'] as const;
type ProfileKey = (typeof PROFILE_KEYS)[number];
export type Profile = Partial<Record<ProfileKey, string | number | boolean>> & { nodes?: ClusterNode[] };
/** Top-level keys besides the profile keys. */
const FILE_KEYS = ['profiles', 'default', 'trusted-dirs'];

/** Project config files, in the order they are looked for in each directory (YAML or JSON only). */
export const PROJECT_CONFIG_NAMES = [
  'package.json', '.ectlrc', '.ectlrc.json', '.ectlrc.yaml', '.ectlrc.yml',
  '.config/ectlrc', '.config/ectlrc.json', '.config/ectlrc.yaml', '.config/ectlrc.yml',
] as const;

/** One node of a cluster: its name (the Erlang node name, or any name the user gives it) and API URL. */
export interface ClusterNode {
  readonly name: string;
  readonly url: string;
}

export interface GlobalFlags {
  node?: string;
  allNodes?: boolean;
  yes?: boolean;
  url?: string;
  user?: string;
  passwordFile?: string;
  token?: string;
  tokenFile?: string;
  caFile?: string;
  insecure?: boolean;
  timeout?: string;
  apiVersion?: string;
  maxReplySize?: string;
  release?: string;
  profile?: string;
  config?: string;
  output?: string;
  verbose?: boolean;
  dryRun?: boolean;
  /** --columns: the result's fields to show, in this order (comma-separated). */
  columns?: string;
  /** false with --no-color. */
  color?: boolean;
}

/**
 * Where the admin password or the token came from, so that --dry-run's curl line can take it
 * from the same place without printing it: an environment variable, a file it can read again,
 * or neither (typed at the prompt, given with --token, held in the config file, read from a
 * pipe), when the user must put it in a variable the line names.
 */
export type CredentialSource =
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'file'; readonly path: string; readonly json: boolean }
  | { readonly kind: 'elsewhere'; readonly how: string };

export interface Settings {
  url: string;
  /** The cluster's nodes in the profile's order (`nodes:` or ECTL_NODES); empty for one server. */
  nodes: ClusterNode[];
  /** The node --node chose (its URL is `url`). */
  node?: string;
  /** The nodes a call that cannot reach `url` may go to instead, in order (none with --url or --node). */
  failover: ClusterNode[];
  user?: string;
  password?: string;
  token?: string;
  /** Where the password (with a user) or else the token came from. */
  credentials?: CredentialSource;
  /** Where `ectl login` keeps this profile's token (absent with no home directory to put it in). */
  tokenFile?: string;
  timeoutMs: number;
  /** The largest reply body accepted, in bytes. */
  maxReplyBytes: number;
  apiVersion?: number;
  /** The ejabberd release the server runs, when given (otherwise it is detected). */
  release?: string;
  caFile?: string;
  insecure: boolean;
  output?: OutputFormat;
  /** --no-color was given. */
  noColor: boolean;
  profile?: string;
  configFile?: string;
  /** Warnings to show on stderr (e.g. a secret file others can read). */
  warnings: string[];
  /** Facts to show once on stderr (which project config file was read, or ignored). */
  notes: string[];
}

export interface LoadedConfig {
  filepath: string;
  config: Record<string, unknown>;
  /** The file's text, for line numbers in messages (absent for package.json). */
  text?: string;
}

export interface FoundConfig {
  loaded: LoadedConfig | null;
  notes: string[];
  warnings: string[];
}

function expandHome(p: string, env: NodeJS.ProcessEnv): string {
  if (p !== '~' && !p.startsWith('~/')) return p;
  const home = homeDir(env);
  if (!home) throw new UsageError(`cannot expand '~' in ${p}: there is no home directory (HOME is not set)`);
  return join(home, p.slice(1));
}

/** The user's config file: $XDG_CONFIG_HOME/ectl/config.yaml, else ~/.config/ectl/config.yaml (none without a home). */
export function userConfigPath(env: NodeJS.ProcessEnv): string | undefined {
  const base = configBase(env);
  return base ? join(base, 'ectl', 'config.yaml') : undefined;
}

/** Parses YAML (JSON is YAML too) into a mapping; every failure is a usage error naming the file. */
async function parseConfigText(filepath: string, text: string): Promise<Record<string, unknown>> {
  const { parseDocument } = await import('yaml');
  const bad = (why: string, line?: number) => new UsageError(`bad config file ${filepath}${line ? ` line ${line}` : ''}: ${why}`);
  let value: unknown;
  try {
    const doc = parseDocument(text, { prettyErrors: true });
    if (doc.errors.length) {
      const err = doc.errors[0];
      throw bad(err.message.split('\n')[0], err.linePos?.[0]?.line);
    }
    // Aliases are expanded here; the yaml package stops an "alias bomb" at 100 of them.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const message = (e as Error).message ?? String(e);
    if (/alias/i.test(message)) throw bad('too many aliases (a YAML alias bomb?)');
    throw bad(e instanceof RangeError ? 'nested too deeply' : message.split('\n')[0]);
  }
  value ??= {};
  if (!isMapping(value)) throw bad('expected a mapping of settings');
  return value;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a config file (bounded, regular file or pipe); `project` files are also checked for keys only the user's file may hold. */
async function readConfigFile(filepath: string, warnings: string[]): Promise<LoadedConfig> {
  const { text, mode, uid } = await readSettingsFile(filepath, 'config file', CONFIG_MAX_BYTES);
  const changeable = othersCanChange(filepath, { mode, uid });
  if (changeable) warnings.push(`the config file ${filepath} can be changed by other users (${changeable}): it should be yours, and only you should be able to write it and its directory (chown, chmod go-w)`);
  const parsed = await parseConfigText(filepath, text);
  let config = parsed;
  let lines: string | undefined = text;
  if (filepath.endsWith('package.json')) {
    config = (parsed.ectl ?? {}) as Record<string, unknown>;
    if (!isMapping(config)) throw new UsageError(`bad config file ${filepath}: its "ectl" key must hold a mapping of settings`);
    lines = undefined;
  }
  if ((mode & 0o077) !== 0 && holdsToken(config)) warnings.push(`the config file ${filepath} holds a token and can be read by other users; chmod 600 it`);
  return { filepath, config, text: lines };
}

function holdsToken(config: Record<string, unknown>): boolean {
  if (Object.hasOwn(config, 'token')) return true;
  const profiles = config.profiles;
  return isMapping(profiles) && Object.values(profiles).some((p) => isMapping(p) && Object.hasOwn(p, 'token'));
}

/** The nearest directory, from cwd up, holding a project config file, and that file. */
function findProjectConfig(cwd: string): { dir: string; file: string } | undefined {
  let dir = cwd;
  for (;;) {
    for (const name of PROJECT_CONFIG_NAMES) {
      const file = join(dir, name);
      if (name === 'package.json' ? packageHasEctlKey(file) : existsSync(file)) return { dir, file };
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function packageHasEctlKey(file: string): boolean {
  try {
    // Bounded: a package.json linked to /proc/self/pagemap or /dev/zero is read no further.
    const pkg: unknown = JSON.parse(readRegularFileSync(file, CONFIG_MAX_BYTES));
    return isMapping(pkg) && Object.hasOwn(pkg, 'ectl');
  } catch {
    return false; // not a package.json ectl could read: not a config file
  }
}

function realDir(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/**
 * Whether the user's config trusts `dir`: `trusted-dirs` lists absolute directories (or ~/...);
 * an entry trusts exactly that directory, and an entry ending in `/**` also every directory below it.
 */
function isTrusted(dir: string, user: LoadedConfig | null, env: NodeJS.ProcessEnv): boolean {
  const entries = user ? trustedDirs(user, env) : [];
  const real = realDir(dir);
  return entries.some(({ path, subtree }) => {
    const base = realDir(path);
    return real === base || (subtree && (base === '/' || real.startsWith(`${base}/`)));
  });
}

function trustedDirs(user: LoadedConfig, env: NodeJS.ProcessEnv): { path: string; subtree: boolean }[] {
  const raw = user.config['trusted-dirs'];
  if (raw === undefined || raw === null) return [];
  const bad = (why: string) => new UsageError(`bad config file ${user.filepath}${keyLine(user, 'trusted-dirs')}: ${why}`);
  if (!Array.isArray(raw)) throw bad("'trusted-dirs' must be a list of directories");
  return raw.map((entry) => {
    if (typeof entry !== 'string' || entry === '') throw bad("'trusted-dirs' must be a list of directories");
    const subtree = entry === '/**' || entry.endsWith('/**');
    const path = expandHome(subtree ? entry.slice(0, -3) || '/' : entry, env);
    if (!isAbsolute(path)) throw bad(`'trusted-dirs' entries must be absolute paths (or start with ~/), not '${entry}'`);
    return { path, subtree };
  });
}

/**
 * Finds and reads the config: --config/ECTL_CONFIG; else a project file in cwd or a parent when
 * the user's config trusts its directory (said once in `notes`); else the user's own file.
 */
export async function loadConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv, cwd: string): Promise<FoundConfig> {
  // A command line resolves its settings twice (its release first, then the rest), and each
  // search looks at some thirty paths: the first search of this environment and place serves both.
  let searches = configSearches.get(env);
  if (!searches) configSearches.set(env, (searches = new Map()));
  const key = [cwd, flags.config, env.ECTL_CONFIG, env.HOME, env.XDG_CONFIG_HOME].join('\0');
  let found = searches.get(key);
  if (!found) searches.set(key, (found = searchConfig(flags, env, cwd)));
  const { loaded, notes, warnings } = await found;
  return { loaded, notes: [...notes], warnings: [...warnings] };
}

const configSearches = new WeakMap<NodeJS.ProcessEnv, Map<string, Promise<FoundConfig>>>();

async function searchConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv, cwd: string): Promise<FoundConfig> {
  const warnings: string[] = [];
  const notes: string[] = [];
  const explicit = flags.config ?? (env.ECTL_CONFIG || undefined);
  if (explicit !== undefined) {
    if (explicit === '') throw new UsageError('--config needs a file name');
    return { loaded: await readConfigFile(resolve(cwd, expandHome(explicit, env)), warnings), notes, warnings };
  }
  const userPath = userConfigPath(env);
  const user = userPath && existsSync(userPath) ? await readConfigFile(userPath, warnings) : null;
  const project = findProjectConfig(cwd);
  if (!project || project.file === userPath) return { loaded: user, notes, warnings };
  if (!isTrusted(project.dir, user, env)) {
    notes.push(`ignoring ${project.file}: its directory is not in trusted-dirs of ${userPath ?? 'your config file'}`);
    return { loaded: user, notes, warnings };
  }
  const loaded = await readConfigFile(project.file, warnings);
  if (Object.hasOwn(loaded.config, 'trusted-dirs')) {
    throw new UsageError(`bad config file ${project.file}${keyLine(loaded, 'trusted-dirs')}: 'trusted-dirs' is read only from your own config file${userPath ? ` ${userPath}` : ''}`);
  }
  notes.push(`reading settings from ${project.file} (a directory trusted in ${userPath})`);
  return { loaded, notes, warnings };
}

/** ` line N` of a key in a YAML config file ('' when it cannot be told, e.g. inside package.json). */
function keyLine(loaded: LoadedConfig, key: string, indent = ''): string {
  const i = loaded.text?.split('\n').findIndex((l) => l.startsWith(`${indent}${key}:`)) ?? -1;
  return i >= 0 ? ` line ${i + 1}` : '';
}

/** Checks the settings of a profile (`profile` set) or of the top level: known keys, single values. */
function checkProfileValues(values: Record<string, unknown>, loaded: LoadedConfig, profile?: string): Profile {
  const out: Profile = {};
  const bad = (key: string, why: string) => new UsageError(profile === undefined
    ? `bad config file ${loaded.filepath}${keyLine(loaded, key)}: ${why}`
    : `bad config file ${loaded.filepath}: in profile '${profile}', ${why}`);
  for (const key of Object.keys(values)) {
    if (key === 'nodes') {
      if (values.nodes !== null && values.nodes !== undefined) out.nodes = checkNodes(values.nodes, (why) => bad(key, why), `'nodes' in ${loaded.filepath}`);
      continue;
    }
    if (!(PROFILE_KEYS as readonly string[]).includes(key)) {
      const hint = key === 'password' ? ' (a password is not kept in the config file: use password-file)' : '';
      throw bad(key, `unknown key '${key}'${hint}`);
    }
    const v = values[key];
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw bad(key, `'${key}' must be a single value, not a ${Array.isArray(v) ? 'list' : 'mapping'}`);
    }
    out[key as ProfileKey] = v;
  }
  return out;
}

/** A node name as it may be written in a profile and in ECTL_NODES (`name=url,...`). */
const NODE_NAME = /^[^\s=,\x00-\x1f\x7f]+$/;

/** `nodes:` of a profile: a mapping of node names to API URLs, in the order written. */
function checkNodes(raw: unknown, bad: (why: string) => UsageError, source: string): ClusterNode[] {
  if (!isMapping(raw)) throw bad("'nodes' must map each node's name to its API URL");
  const nodes = Object.entries(raw).map(([name, url]) => {
    if (!NODE_NAME.test(name)) throw bad(`node name '${name}' must not be empty or hold spaces, '=', ',' or control characters`);
    if (typeof url !== 'string' || url === '') throw bad(`node '${name}' needs an API URL, e.g. ${DEFAULT_URL}`);
    return { name, url: checkUrl(url, `node '${name}' of ${source}`) };
  });
  if (nodes.length === 0) throw bad("'nodes' is empty");
  return nodes;
}

/** ECTL_NODES: `name=url,name=url...`. */
export function parseNodesVariable(text: string): ClusterNode[] {
  const bad = (why: string) => new UsageError(`bad ECTL_NODES: ${why} (expected name=url,name=url...)`);
  const entries = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (entries.length === 0) throw bad('no node');
  const mapping: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw bad(`'${shownUrl(entry)}' has no name=`);
    const name = entry.slice(0, eq);
    if (Object.hasOwn(mapping, name)) throw bad(`node '${name}' is named twice`);
    mapping[name] = entry.slice(eq + 1);
  }
  return checkNodes(mapping, bad, 'the environment variable ECTL_NODES');
}

/** The nodes a call goes to when `url` cannot be reached: those after it in the list, then those before it. */
function failoverOrder(nodes: readonly ClusterNode[], url: string): ClusterNode[] {
  const at = nodes.findIndex((n) => n.url === url);
  return at < 0 ? [...nodes] : [...nodes.slice(at + 1), ...nodes.slice(0, at)];
}

function pickProfile(loaded: LoadedConfig | null, name: string | undefined): Profile {
  if (!loaded) {
    if (name) throw new UsageError(`unknown profile '${name}': no config file found`);
    return {};
  }
  const { config, filepath } = loaded;
  const profiles = config.profiles ?? {};
  if (!isMapping(profiles)) throw new UsageError(`bad config file ${filepath}${keyLine(loaded, 'profiles')}: 'profiles' must be a mapping of profile names to settings`);
  const topValues = Object.fromEntries(Object.entries(config).filter(([k]) => !FILE_KEYS.includes(k)));
  const top = checkProfileValues(topValues, loaded);
  const fallback = config.default;
  if (fallback !== undefined && fallback !== null && typeof fallback !== 'string') {
    throw new UsageError(`bad config file ${filepath}${keyLine(loaded, 'default')}: 'default' must name a profile`);
  }
  const chosen = name ?? (fallback || undefined);
  if (!chosen) return top;
  if (!Object.hasOwn(profiles, chosen)) {
    const known = Object.keys(profiles);
    // The line that asked for it: `default:` when no profile was named, else the profiles it is not among.
    const line = keyLine(loaded, name ? 'profiles' : 'default');
    throw new UsageError(`unknown profile '${chosen}' in ${filepath}${line}${known.length ? ` (known: ${known.join(', ')})` : ''}`);
  }
  const profile = profiles[chosen] ?? {};
  if (!isMapping(profile)) {
    throw new UsageError(`bad config file ${filepath}${keyLine(loaded, chosen, '  ')}: profile '${chosen}' must be a mapping of settings`);
  }
  return { ...top, ...checkProfileValues(profile, loaded, chosen) };
}

async function readSecretFile(path: string, what: 'password' | 'token', warnings: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const file = expandHome(path, env);
  const { text, mode } = await readSettingsFile(file, `${what} file`, SECRET_FILE_MAX_BYTES);
  if ((mode & 0o077) !== 0) warnings.push(`${what} file ${file} can be read by other users; chmod 600 it`);
  return text.replace(/\r?\n$/, '');
}

/** A token given directly, or the file to read one from: flag, then environment, then profile. */
function tokenSource(flags: GlobalFlags, env: NodeJS.ProcessEnv, profile: Profile): { token?: string; file?: string; from?: string } {
  if (flags.tokenFile) return { file: flags.tokenFile };
  if (flags.token) return { token: flags.token, from: '--token' };
  if (env.ECTL_TOKEN) return { token: env.ECTL_TOKEN, from: 'ECTL_TOKEN' };
  if (env.ECTL_TOKEN_FILE) return { file: env.ECTL_TOKEN_FILE };
  if (profile.token) return { token: String(profile.token), from: "the config file's token" };
  if (profile['token-file']) return { file: String(profile['token-file']) };
  return {};
}

/** A profile's name names its token file: a plain word of letters, digits, '.', '_' and '-', never '..'. */
/** Whether a profile may be named so: a plain word (letters, digits, '.', '_', '-'), at most 100, no '..'. */
export const isProfileName = (name: string) => /^[A-Za-z0-9._-]{1,100}$/.test(name) && !name.includes('..');

export function checkProfileName(name: string, from: string): string {
  if (!isProfileName(name)) {
    throw new UsageError(`bad profile name in ${from}: a profile is named with letters, digits, '.', '_' and '-' (at most 100, no '..'), got '${name.length > 100 ? `${name.slice(0, 100)}...` : name}'`);
  }
  return name;
}

/** The default place of a profile's token saved by `ectl login` (none without a home directory). */
export function loginTokenPath(env: NodeJS.ProcessEnv, profile: string | undefined): string | undefined {
  const config = userConfigPath(env);
  return config && join(dirname(config), 'tokens', `${checkProfileName(profile ?? 'default', 'the token file name')}.json`);
}

export interface SavedToken {
  token: string;
  expires_at?: string;
  user?: string;
  url?: string;
}

/** A bearer token goes into an HTTP header: visible ASCII only (no spaces, line breaks or control characters). */
export function isUsableToken(token: string): boolean {
  return /^[\x21-\x7e]+$/.test(token);
}

function checkToken(token: string, from: string): string {
  if (token === '') throw new UsageError(`${from} is empty`);
  if (!isUsableToken(token)) {
    throw new UsageError(`${from} holds a line break, space or other character an HTTP header cannot carry`);
  }
  return token;
}

/** A secret file as a source: a regular file can be read again by its absolute path; a pipe cannot. */
function fileSource(path: string, cwd: string, env: NodeJS.ProcessEnv, json: boolean): CredentialSource {
  const file = resolve(cwd, expandHome(path, env));
  try {
    if (statSync(file).isFile()) return { kind: 'file', path: file, json };
  } catch {
    // read a moment ago: gone already, or not a path at all
  }
  return { kind: 'elsewhere', how: `it was read from ${path}, which cannot be read a second time` };
}

/** Reads a token file: the JSON `ectl login` writes, or a bare token. An expired token is refused. */
async function readTokenFile(path: string, warnings: string[], env: NodeJS.ProcessEnv): Promise<{ token: string; json: boolean }> {
  const text = await readSecretFile(path, 'token', warnings, env);
  const from = `the token in ${path}`;
  if (!text.trimStart().startsWith('{')) return { token: checkToken(text.trim(), from), json: false };
  let saved: SavedToken;
  try {
    saved = JSON.parse(text);
  } catch {
    throw new UsageError(`bad token file ${path}: not JSON`);
  }
  if (typeof saved.token !== 'string') throw new UsageError(`bad token file ${path}: no "token"`);
  if (saved.expires_at && Date.parse(saved.expires_at) <= Date.now()) {
    throw new UnauthorizedError(`the token in ${path} expired at ${saved.expires_at}; run 'ectl login' again`, 401);
  }
  return { token: checkToken(saved.token, from), json: true };
}


const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A size in bytes: `65536`, `64k`, `64M`, `1G` (binary units; `KiB`, `MB`... read the same). */
export function parseSize(value: string, what: string, [min, max]: readonly [number, number]): number {
  const m = /^(\d+(?:\.\d+)?)([kmg]?)(?:i?b)?$/i.exec(value);
  const bytes = m ? Math.floor(Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()]) : NaN;
  if (!(bytes >= min && bytes <= max)) {
    throw new UsageError(`${what} must be a size from ${min / 1024}K to ${max / 1024 ** 2}M (e.g. 64M), got '${value}'`);
  }
  return bytes;
}

/** A URL as it may be shown: no user name or password, no query or fragment (they may hold secrets too). */
export function shownUrl(raw: string): string {
  return raw.replace(/^([^:/?#]*:\/\/)?[^]*@/, '$1').replace(/[?#][^]*$/, '');
}

/** The API base URL: http(s), no user info (refused, never echoed), no query or fragment. */
function checkUrl(url: string, source = '--url'): string {
  // The URL parser would quietly drop some of these; the request must go where the user sees.
  if (/[\x00-\x20\x7f]/.test(url)) throw new UsageError(`bad URL in ${source}: it holds a space, line break or other control character`);
  let u: URL;
  try {
    u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new UsageError(`bad URL '${shownUrl(url)}' in ${source}: expected http(s)://host:port/path, e.g. ${DEFAULT_URL}`);
  }
  if (u.username || u.password || /^[^:/?#]*:\/\/[^/?#]*@/.test(url)) {
    throw new UsageError(`the URL ${u.origin}${u.pathname} has a user name or password in it: give the user with --user and the password with ECTL_PASSWORD or --password-file`);
  }
  if (u.search || u.hash || /[?#]/.test(url)) {
    throw new UsageError(`the URL ${u.origin}${u.pathname} has a query or fragment ('?...' or '#...'): give the API's base URL only, e.g. ${DEFAULT_URL}`);
  }
  return url;
}

/** The keys of a profile that hold credentials: sent only to the profile's own server. */
const CREDENTIAL_KEYS = ['user', 'password-file', 'token', 'token-file'] as const;

/** A server as credentials are scoped to it: scheme, host, port and path (case of the host, a default port and trailing slashes aside). */
function serverKey(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url;
  }
}

/** The servers a profile's credentials belong to: its url and nodes (the default URL when it names neither). */
function profileServers(profile: Profile): Set<string> {
  const urls = [...(profile.url === undefined || profile.url === '' ? [] : [String(profile.url)]), ...(profile.nodes ?? []).map((n) => n.url)];
  return new Set((urls.length ? urls : [DEFAULT_URL]).map(serverKey));
}

/** The `url` a token file written by `ectl login` was issued for, if it says. */
function savedTokenUrl(file: string): string | undefined {
  try {
    const saved: unknown = JSON.parse(readRegularFileSync(file, SECRET_FILE_MAX_BYTES));
    return isMapping(saved) && typeof saved.url === 'string' ? saved.url : undefined;
  } catch {
    return undefined; // read (and judged) properly below
  }
}

/** Flag > environment > profile > built-in default. */
export async function resolveSettings(flags: GlobalFlags, env: NodeJS.ProcessEnv, cwd: string, opts: { readToken?: boolean; readSecrets?: boolean } = {}): Promise<Settings> {
  const { loaded, notes, warnings } = await loadConfig(flags, env, cwd);
  const profileName = flags.profile ?? (env.ECTL_PROFILE || undefined);
  if (profileName !== undefined) checkProfileName(profileName, flags.profile !== undefined ? '--profile' : 'the environment variable ECTL_PROFILE');
  else if (typeof loaded?.config.default === 'string' && loaded.config.default !== '') checkProfileName(loaded.config.default, `'default' in ${loaded.filepath}`);
  const profile = pickProfile(loaded, profileName);
  const profileUsed = profileName ?? ((loaded?.config.default as string | undefined) || undefined);
  const pick = (flag: string | undefined, envName: string, key: ProfileKey) => {
    const v = flag ?? (env[envName] || undefined) ?? profile[key];
    return v === undefined || v === '' ? undefined : String(v);
  };
  // Where a bad value came from, so the message blames the flag, the variable or the config key that holds it.
  const from = (flag: string | undefined, flagName: string, envName: string, key: ProfileKey) => {
    if (flag !== undefined) return flagName;
    if (env[envName]) return `the environment variable ${envName}`;
    return `'${key}' in ${loaded?.filepath ?? 'the config file'}`;
  };
  const nodes = env.ECTL_NODES ? parseNodesVariable(env.ECTL_NODES) : profile.nodes ?? [];
  let url: string;
  let failover: ClusterNode[] = [];
  if (flags.node !== undefined) {
    if (flags.url !== undefined) throw new UsageError('give --node or --url, not both');
    const node = nodes.find((n) => n.name === flags.node);
    if (!node) {
      throw new UsageError(nodes.length ? `unknown node '${flags.node}' (known: ${nodes.map((n) => n.name).join(', ')})`
        : `unknown node '${flags.node}': the profile has no nodes (add nodes: to it, or set ECTL_NODES)`);
    }
    url = node.url;
  } else {
    // Without a URL of its own, a profile with nodes speaks to its first node.
    url = checkUrl(pick(flags.url, 'ECTL_URL', 'url') ?? nodes[0]?.url ?? DEFAULT_URL, from(flags.url, '--url', 'ECTL_URL', 'url'));
    if (flags.url === undefined) failover = failoverOrder(nodes, url);
  }
  // The profile's credentials go only to its own servers: with --url, ECTL_URL or ECTL_NODES
  // naming another, only those given by flags and environment are used (said once in notes).
  const targets = [url, ...nodes.map((n) => n.url)].map(serverKey);
  const ownServers = profileServers(profile);
  const scoped = targets.every((t) => ownServers.has(t));
  const credentialProfile: Profile = scoped ? profile : Object.fromEntries(Object.entries(profile).filter(([k]) => !(CREDENTIAL_KEYS as readonly string[]).includes(k)));
  const pickCredential = (flag: string | undefined, envName: string, key: ProfileKey) => {
    const v = flag ?? (env[envName] || undefined) ?? credentialProfile[key];
    return v === undefined || v === '' ? undefined : String(v);
  };
  const withheld: string[] = [];
  const user = pickCredential(flags.user, 'ECTL_USER', 'user');
  if (!scoped && user === undefined && profile.user !== undefined) withheld.push('user');
  let password: string | undefined;
  let credentials: CredentialSource | undefined;
  // readSecrets: false (working out the release before the command line is parsed) leaves
  // password files alone: a pipe can be read only once.
  if (user && opts.readSecrets !== false) {
    // An empty ECTL_PASSWORD counts as unset.
    const envPassword = env.ECTL_PASSWORD || undefined;
    const pwFile = flags.passwordFile ?? (envPassword === undefined ? pickCredential(undefined, 'ECTL_PASSWORD_FILE', 'password-file') : undefined);
    password = pwFile !== undefined ? await readSecretFile(pwFile, 'password', warnings, env) : envPassword;
    if (password !== undefined) credentials = pwFile !== undefined ? fileSource(pwFile, cwd, env, false) : { kind: 'variable', name: 'ECTL_PASSWORD' };
    if (!scoped && pwFile === undefined && envPassword === undefined && profile['password-file'] !== undefined) withheld.push('password file');
  }
  const source = tokenSource(flags, env, credentialProfile);
  if (!scoped && password === undefined && !source.file && source.token === undefined && (profile.token !== undefined || profile['token-file'] !== undefined)) withheld.push('token');
  if (flags.token) warnings.push('a token given with --token can be seen by other users (ps) and stays in shell history; use ECTL_TOKEN, --token-file or ectl login');
  const defaultTokenFile = loginTokenPath(env, profileUsed);
  const tokenFile = source.file ? expandHome(source.file, env) : defaultTokenFile;
  let token: string | undefined;
  if (password === undefined && opts.readToken !== false) {
    if (source.token !== undefined) {
      token = checkToken(source.token, `the token from ${source.from}`);
      credentials = source.from === 'ECTL_TOKEN' ? { kind: 'variable', name: 'ECTL_TOKEN' } : { kind: 'elsewhere', how: `it was given by ${source.from}` };
    } else if (tokenFile && !source.file && !scoped && existsSync(tokenFile) && !targets.every((t) => t === serverKey(savedTokenUrl(tokenFile) ?? ''))) {
      // The token `ectl login` saved for this profile: for the server it was issued by, or the profile's own.
      withheld.push('saved login token');
    } else if (tokenFile && (source.file || existsSync(tokenFile))) {
      const read = await readTokenFile(tokenFile, warnings, env);
      token = read.token;
      credentials = fileSource(tokenFile, cwd, env, read.json);
    }
  }
  if (withheld.length) {
    const whose = profileUsed ? `profile '${profileUsed}'` : 'the default profile';
    notes.push(`not sending the ${withheld.join(', ')} of ${whose} to ${shownUrl(url)}${nodes.length ? ' and its nodes' : ''}: not the profile's server (its url or nodes); give credentials for it with --user/ECTL_USER and ECTL_PASSWORD, --password-file or ECTL_TOKEN`);
  }
  // A number given empty (--timeout '', `timeout: ''`) is refused, not taken as the default; an
  // empty variable counts as unset, as every ECTL_ variable does.
  const pickNumber = (flag: string | undefined, envName: string, key: ProfileKey) => flag ?? (env[envName] || undefined) ?? profile[key];
  const timeoutFrom = from(flags.timeout, '--timeout', 'ECTL_TIMEOUT', 'timeout');
  const timeoutRaw = pickNumber(flags.timeout, 'ECTL_TIMEOUT', 'timeout');
  const timeoutS = timeoutRaw === undefined ? DEFAULT_TIMEOUT_S : parseDecimal(timeoutRaw, timeoutFrom, { unit: 'seconds' });
  if (timeoutS === 0) throw new UsageError(`${timeoutFrom} must be more than 0 seconds`);
  if (timeoutS > MAX_TIMEOUT_S) throw new UsageError(`${timeoutFrom} must be at most ${MAX_TIMEOUT_S} seconds (about 24 days), got '${timeoutS}'`);
  const maxReply = pickNumber(flags.maxReplySize, 'ECTL_MAX_REPLY_SIZE', 'max-reply-size');
  const maxReplyBytes = maxReply === undefined ? DEFAULT_MAX_REPLY_BYTES : parseSize(String(maxReply), from(flags.maxReplySize, '--max-reply-size', 'ECTL_MAX_REPLY_SIZE', 'max-reply-size'), MAX_REPLY_RANGE);
  const apiVersionRaw = pickNumber(flags.apiVersion, 'ECTL_API_VERSION', 'api-version');
  const apiVersion = apiVersionRaw === undefined ? undefined : parseDecimal(apiVersionRaw, from(flags.apiVersion, '--api-version', 'ECTL_API_VERSION', 'api-version'), { integer: true });
  const release = pick(flags.release, 'ECTL_RELEASE', 'release');
  if (release !== undefined && !RELEASE_PATTERN.test(release)) {
    throw new UsageError(`${from(flags.release, '--release', 'ECTL_RELEASE', 'release')} must be an ejabberd release like 24.12 or 25.03.1, got '${release}'`);
  }
  const output = pick(flags.output, 'ECTL_OUTPUT', 'output');
  if (output !== undefined && !(OUTPUT_FORMATS as readonly string[]).includes(output)) {
    throw new UsageError(`unknown output format '${output}' in ${from(flags.output, '--output', 'ECTL_OUTPUT', 'output')} (choose from ${OUTPUT_FORMATS.join(', ')})`);
  }
  const caFile = pick(flags.caFile, 'ECTL_CA_FILE', 'ca-file');
  const insecureRaw = flags.insecure ? true : (env.ECTL_INSECURE || undefined) ?? profile.insecure;
  const insecure = insecureRaw === true || insecureRaw === 'true' || insecureRaw === '1';
  if (!insecure && insecureRaw !== undefined && insecureRaw !== false && insecureRaw !== 'false' && insecureRaw !== '0') {
    throw new UsageError(`${from(undefined, '--insecure', 'ECTL_INSECURE', 'insecure')} must be true, false, 1 or 0, got '${String(insecureRaw)}'`);
  }
  return {
    url, nodes, node: flags.node, failover, user, password, token, credentials, tokenFile, timeoutMs: Math.max(1, Math.round(timeoutS * 1000)), maxReplyBytes, apiVersion, release, caFile: caFile && expandHome(caFile, env), insecure,
    output: output as OutputFormat | undefined, noColor: flags.color === false, profile: profileUsed,
    configFile: loaded?.filepath, warnings, notes,
  };
}
