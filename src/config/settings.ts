// Resolves connection and output settings from flags, environment and the config file, in
// that order of precedence, into one validated object.
import { readFileSync, existsSync, statSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UnauthorizedError, UsageError } from '../errors.js';
import { DEFAULT_MAX_REPLY_BYTES } from '../client/request.js';

export const OUTPUT_FORMATS = ['text', 'table', 'json', 'yaml', 'csv', 'tsv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const DEFAULT_URL = 'http://localhost:5280/api';
export const DEFAULT_TIMEOUT_S = 60;
// Below a kilobyte is surely a slip (`64` meant as megabytes); above 500 MiB the reply would not fit in one string.
const MAX_REPLY_RANGE = [1024, 500 * 1024 * 1024] as const;

/** The keys a profile (or the top level of the config file) may hold. */
export const PROFILE_KEYS = ['url', 'user', 'password-file', 'token', 'token-file', 'ca-file', 'insecure', 'timeout', 'api-version', 'output', 'max-reply-size'] as const;
type ProfileKey = (typeof PROFILE_KEYS)[number];
export type Profile = Partial<Record<ProfileKey, string | number | boolean>>;

export interface GlobalFlags {
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
  profile?: string;
  config?: string;
  output?: string;
  verbose?: boolean;
  dryRun?: boolean;
  /** false with --no-color. */
  color?: boolean;
}

export interface Settings {
  url: string;
  user?: string;
  password?: string;
  token?: string;
  /** Where `ectl login` keeps this profile's token. */
  tokenFile: string;
  timeoutMs: number;
  /** The largest reply body accepted, in bytes. */
  maxReplyBytes: number;
  apiVersion?: number;
  caFile?: string;
  insecure: boolean;
  output?: OutputFormat;
  /** --no-color was given. */
  noColor: boolean;
  profile?: string;
  configFile?: string;
  /** Warnings to show on stderr (e.g. a secret file others can read). */
  warnings: string[];
}

export interface LoadedConfig {
  filepath: string;
  config: Record<string, unknown>;
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
}

/** The user's config file: $XDG_CONFIG_HOME/ectl/config.yaml, else ~/.config/ectl/config.yaml. */
export function userConfigPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'ectl', 'config.yaml');
}

async function parseYamlFile(filepath: string): Promise<Record<string, unknown>> {
  const { parseDocument } = await import('yaml');
  const text = readFileSync(filepath, 'utf8');
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const err = doc.errors[0];
    const line = err.linePos?.[0]?.line;
    throw new UsageError(`bad config file ${filepath}${line ? ` line ${line}` : ''}: ${err.message.split('\n')[0]}`);
  }
  const value = doc.toJS() ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`bad config file ${filepath}: expected a mapping of settings`);
  return value as Record<string, unknown>;
}

/** Finds and reads the config: --config/ECTL_CONFIG, project rc files (cosmiconfig), then the user's file. */
export async function loadConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv, cwd: string): Promise<LoadedConfig | null> {
  const explicit = flags.config ?? env.ECTL_CONFIG;
  if (explicit) {
    const filepath = resolve(cwd, expandHome(explicit));
    if (!existsSync(filepath)) throw new UsageError(`config file ${filepath} does not exist`);
    return { filepath, config: await parseYamlFile(filepath) };
  }
  if (!mayHoldProjectConfig(cwd)) return userConfig(env);
  const { cosmiconfig } = await import('cosmiconfig');
  const yamlLoader = async (filepath: string) => parseYamlFile(filepath);
  const explorer = cosmiconfig('ectl', {
    searchStrategy: 'none',
    loaders: { '.yaml': yamlLoader, '.yml': yamlLoader, noExt: yamlLoader },
  });
  let found;
  try {
    found = await explorer.search(cwd);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`bad config file: ${(e as Error).message.split('\n')[0]}`);
  }
  if (found && !found.isEmpty) return { filepath: found.filepath, config: (found.config ?? {}) as Record<string, unknown> };
  return userConfig(env);
}

async function userConfig(env: NodeJS.ProcessEnv): Promise<LoadedConfig | null> {
  const user = userConfigPath(env);
  if (existsSync(user)) return { filepath: user, config: await parseYamlFile(user) };
  return null;
}

/**
 * Whether cwd has anything cosmiconfig could read for 'ectl' (.ectlrc*, .config/ectlrc*,
 * ectl.config.*, an "ectl" key in package.json). A cheap over-approximation: when it says no,
 * loading cosmiconfig (a noticeable part of start-up) is skipped.
 */
function mayHoldProjectConfig(cwd: string): boolean {
  let names: string[];
  try {
    names = readdirSync(cwd);
  } catch {
    return false;
  }
  if (names.some((n) => n.startsWith('.ectlrc') || n.startsWith('ectl.config.'))) return true;
  if (names.includes('.config')) {
    try {
      if (readdirSync(join(cwd, '.config')).some((n) => n.startsWith('ectlrc'))) return true;
    } catch { /* not a directory */ }
  }
  if (names.includes('package.json')) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
      return !!pkg && typeof pkg === 'object' && 'ectl' in pkg;
    } catch {
      return true; // let cosmiconfig report what is wrong with it
    }
  }
  return false;
}

/** ` line N` of a key in a YAML config file ('' when it cannot be told, e.g. inside package.json). */
function keyLine(filepath: string, key: string, indent = ''): string {
  try {
    const lines = readFileSync(filepath, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.startsWith(`${indent}${key}:`));
    return i >= 0 ? ` line ${i + 1}` : '';
  } catch {
    return '';
  }
}

function pickProfile(loaded: LoadedConfig | null, name: string | undefined): Profile {
  if (!loaded) {
    if (name) throw new UsageError(`unknown profile '${name}': no config file found`);
    return {};
  }
  const { config, filepath } = loaded;
  const profiles = (config.profiles ?? {}) as Record<string, Profile>;
  if (typeof profiles !== 'object' || Array.isArray(profiles)) throw new UsageError(`bad config file ${filepath}: 'profiles' must be a mapping`);
  const top: Profile = {};
  for (const key of PROFILE_KEYS) if (key in config) top[key] = config[key] as string;
  for (const key of Object.keys(config)) {
    if (key !== 'profiles' && key !== 'default' && !(PROFILE_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(`bad config file ${filepath}${keyLine(filepath, key)}: unknown key '${key}'`);
    }
  }
  const chosen = name ?? (config.default as string | undefined);
  if (!chosen) return top;
  const profile = profiles[chosen];
  if (!profile || typeof profile !== 'object') {
    const known = Object.keys(profiles);
    // The line that asked for it: `default:` when no profile was named, else the profiles it is not among.
    const line = keyLine(filepath, name ? 'profiles' : 'default');
    throw new UsageError(`unknown profile '${chosen}' in ${filepath}${line}${known.length ? ` (known: ${known.join(', ')})` : ''}`);
  }
  for (const key of Object.keys(profile)) {
    if (!(PROFILE_KEYS as readonly string[]).includes(key)) throw new UsageError(`bad config file ${filepath}: profile '${chosen}' has an unknown key '${key}'`);
  }
  return { ...top, ...profile };
}

function readSecretFile(path: string, what: string, warnings: string[]): string {
  const file = expandHome(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
    if ((statSync(file).mode & 0o077) !== 0) warnings.push(`${what} file ${file} can be read by other users; chmod 600 it`);
  } catch (e) {
    throw new UsageError(`cannot read the ${what} file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return text.replace(/\r?\n$/, '');
}

/** A token given directly, or the file to read one from: flag, then environment, then profile. */
function tokenSource(flags: GlobalFlags, env: NodeJS.ProcessEnv, profile: Profile): { token?: string; file?: string } {
  if (flags.tokenFile) return { file: flags.tokenFile };
  if (flags.token) return { token: flags.token };
  if (env.ECTL_TOKEN) return { token: env.ECTL_TOKEN };
  if (env.ECTL_TOKEN_FILE) return { file: env.ECTL_TOKEN_FILE };
  if (profile.token) return { token: String(profile.token) };
  if (profile['token-file']) return { file: String(profile['token-file']) };
  return {};
}

/** The default place of a profile's token saved by `ectl login`. */
export function loginTokenPath(env: NodeJS.ProcessEnv, profile: string | undefined): string {
  return join(dirname(userConfigPath(env)), 'tokens', `${profile ?? 'default'}.json`);
}

export interface SavedToken {
  token: string;
  expires_at?: string;
  user?: string;
  url?: string;
}

/** Reads a token file: the JSON `ectl login` writes, or a bare token. An expired token is refused. */
function readTokenFile(path: string, warnings: string[]): string {
  const text = readSecretFile(path, 'token', warnings);
  if (!text.trimStart().startsWith('{')) return text.trim();
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
  return saved.token;
}

function parseNumber(value: string | number | boolean | undefined, what: string, integer: boolean): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (typeof value === 'boolean' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${what} must be a ${integer ? 'whole ' : ''}number, got '${value}'`);
  }
  return n;
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A size in bytes: `65536`, `64k`, `64M`, `1G` (binary units; `KiB`, `MB`... read the same). */
export function parseSize(value: string, what: string, [min, max]: readonly [number, number]): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*$/i.exec(value);
  const bytes = m ? Math.floor(Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()]) : NaN;
  if (!(bytes >= min && bytes <= max)) {
    throw new UsageError(`${what} must be a size from ${min / 1024}K to ${max / 1024 ** 2}M (e.g. 64M), got '${value}'`);
  }
  return bytes;
}

/** Flag > environment > profile > built-in default. */
export async function resolveSettings(flags: GlobalFlags, env: NodeJS.ProcessEnv, cwd: string, opts: { readToken?: boolean } = {}): Promise<Settings> {
  const loaded = await loadConfig(flags, env, cwd);
  const profileName = flags.profile ?? env.ECTL_PROFILE;
  const profile = pickProfile(loaded, profileName);
  const profileUsed = profileName ?? (loaded?.config.default as string | undefined);
  const warnings: string[] = [];
  const pick = (flag: string | undefined, envName: string, key: ProfileKey) => {
    const v = flag ?? env[envName] ?? profile[key];
    return v === undefined || v === '' ? undefined : String(v);
  };
  const url = pick(flags.url, 'ECTL_URL', 'url') ?? DEFAULT_URL;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new UsageError(`bad URL '${url}': expected http(s)://host:port/path, e.g. ${DEFAULT_URL}`);
  }
  const user = pick(flags.user, 'ECTL_USER', 'user');
  let password: string | undefined;
  if (user) {
    const pwFile = flags.passwordFile ?? (env.ECTL_PASSWORD === undefined ? pick(undefined, 'ECTL_PASSWORD_FILE', 'password-file') : undefined);
    password = pwFile !== undefined ? readSecretFile(pwFile, 'password', warnings) : env.ECTL_PASSWORD || undefined;
  }
  const source = tokenSource(flags, env, profile);
  const tokenFile = source.file ? expandHome(source.file) : loginTokenPath(env, profileUsed);
  let token: string | undefined;
  if (password === undefined && opts.readToken !== false) {
    if (source.token !== undefined) token = source.token;
    else if (source.file || existsSync(tokenFile)) token = readTokenFile(tokenFile, warnings);
  }
  const timeoutS = parseNumber(pick(flags.timeout, 'ECTL_TIMEOUT', 'timeout'), '--timeout', false) ?? DEFAULT_TIMEOUT_S;
  if (timeoutS === 0) throw new UsageError('--timeout must be more than 0 seconds');
  const maxReply = pick(flags.maxReplySize, 'ECTL_MAX_REPLY_SIZE', 'max-reply-size');
  const maxReplyBytes = maxReply === undefined ? DEFAULT_MAX_REPLY_BYTES : parseSize(maxReply, '--max-reply-size', MAX_REPLY_RANGE);
  const apiVersion = parseNumber(pick(flags.apiVersion, 'ECTL_API_VERSION', 'api-version'), '--api-version', true);
  const output = pick(flags.output, 'ECTL_OUTPUT', 'output');
  if (output !== undefined && !(OUTPUT_FORMATS as readonly string[]).includes(output)) {
    throw new UsageError(`unknown output format '${output}' (choose from ${OUTPUT_FORMATS.join(', ')})`);
  }
  const caFile = pick(flags.caFile, 'ECTL_CA_FILE', 'ca-file');
  const insecureRaw = flags.insecure ? true : (env.ECTL_INSECURE ?? profile.insecure);
  const insecure = insecureRaw === true || insecureRaw === 'true' || insecureRaw === '1';
  return {
    url, user, password, token, tokenFile, timeoutMs: timeoutS * 1000, maxReplyBytes, apiVersion, caFile: caFile && expandHome(caFile), insecure,
    output: output as OutputFormat | undefined, noColor: flags.color === false, profile: profileUsed,
    configFile: loaded?.filepath, warnings,
  };
}
