// `ectl login` / `ectl logout`: an OAuth bearer token for the admin account, kept in the
// profile's token file (mode 0600) with its expiry, so that later calls need no password.
import { lstatSync, rmSync, type Stats } from 'node:fs';
import { dirname, sep } from 'node:path';
import { isList } from '../catalogue/types.js';
import { CommandFailedError, UnauthorizedError, UsageError } from '../errors.js';
import { SECRET_FILE_MAX_BYTES, isUsableToken, type GlobalFlags, type SavedToken, type Settings } from '../config/settings.js';
import { readFailure, readSettingsFile } from '../bounded-read.js';
import { configBase, PrivateFileWriter, UnsafeDirectoryError } from '../files.js';
import type { Io } from './io.js';
import { escapeControls } from '../format/escape.js';
import { callNamed, clientFor, sessionFor, settingsFor, type ReleaseSession } from './run.js';

export const DEFAULT_TOKEN_TTL = 30 * 24 * 3600;
/** The longest expiry a server's reply may give a token: 100 years, in seconds. */
const MAX_EXPIRES_IN = 100 * 366 * 24 * 3600;

function tokenFileOf(file: string | undefined): string {
  if (!file) throw new UsageError('there is no home directory to keep the token in: name a file with --token-file');
  return file;
}

/**
 * The token file's replacement, made before a token is asked for, so that a place that cannot
 * take it fails first. The profile's own token file (under the config directory) is checked
 * from the config base down, a file the user names from its own directory (src/files.ts).
 */
function pendingTokenFile(file: string, env: NodeJS.ProcessEnv): PrivateFileWriter {
  const base = configBase(env);
  const top = base && file.startsWith(`${base}${sep}`) ? base : dirname(file);
  try {
    return new PrivateFileWriter(file, top);
  } catch (e) {
    const why = e instanceof UnsafeDirectoryError ? e.message : readFailure(e);
    throw new UsageError(`cannot save a token as ${file}: ${why}`);
  }
}

/** What a token file holds when it holds an ectl token: ectl login's JSON, or a bare token as ejabberd issues them. */
interface HeldToken {
  token: string;
  expiresAt?: string;
}

/**
 * The token in a file, or undefined when the file holds no ectl token (anything else: notes,
 * a key, an empty file). A bare token counts only in the shape ejabberd gives them (letters and
 * digits, 16 or more), so that a file of other words is never taken for one.
 */
function heldToken(text: string): HeldToken | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let saved: Partial<SavedToken> | undefined;
    try {
      saved = JSON.parse(trimmed);
    } catch {
      return undefined;
    }
    if (typeof saved?.token !== 'string' || !isUsableToken(saved.token)) return undefined;
    return { token: saved.token, expiresAt: typeof saved.expires_at === 'string' ? saved.expires_at : undefined };
  }
  return /^[A-Za-z0-9]{16,}$/.test(trimmed) ? { token: trimmed } : undefined;
}

/** The token the file at `file` holds, when it is a regular file (not a link) that holds one. */
async function replacedToken(file: string): Promise<HeldToken | undefined> {
  try {
    if (!lstatSync(file).isFile()) return undefined;
    return heldToken((await readSettingsFile(file, 'token file', SECRET_FILE_MAX_BYTES)).text);
  } catch {
    return undefined;
  }
}

/** The seconds `expires_in` of oauth_issue_token's reply says ("600 seconds" or 600); a malformed one blames the reply. */
function expiresIn(value: unknown, asked: number): number {
  if (value === undefined || value === null) return asked;
  const m = /^(\d{1,12})(?: seconds?)?$/.exec(String(value).trim());
  const seconds = m ? Number(m[1]) : NaN;
  if (!(seconds >= 0 && seconds <= MAX_EXPIRES_IN)) {
    throw new CommandFailedError(`the server answered oauth_issue_token with an expires_in ectl cannot read ('${String(value).slice(0, 40)}'): expected a number of seconds up to 100 years`);
  }
  return seconds;
}

/** Revokes a token with the session's credentials; the reason it could not, or undefined once revoked. */
async function revoke(session: ReleaseSession, token: string): Promise<string | undefined> {
  try {
    await callNamed(session, 'oauth_revoke_token', () => ({ token }));
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export async function login(flags: GlobalFlags, io: Io, ttlSeconds: number): Promise<void> {
  const settings = await settingsFor(flags, io, { readToken: false });
  if (!settings.user || settings.password === undefined) {
    throw new UsageError("ectl login needs the admin's JID and password (--user with ECTL_PASSWORD, --password-file or a terminal prompt)");
  }
  const file = tokenFileOf(settings.tokenFile);
  const replaced = await replacedToken(file);
  const pending = pendingTokenFile(file, io.env);
  const client = clientFor(settings);
  try {
    const user = settings.user;
    const session = sessionFor(client, settings, io);
    // Scopes are one string up to API version 0, a list from version 1.
    const issued = await callNamed(session, 'oauth_issue_token', (spec) => {
      const list = isList(spec.args.find((a) => a.name === 'scopes')?.type ?? 'string');
      return { jid: user, ttl: ttlSeconds, scopes: list ? ['ejabberd:admin'] : 'ejabberd:admin' };
    }) as Record<string, unknown>;
    const token = issued?.token;
    if (typeof token !== 'string' || !isUsableToken(token)) throw new CommandFailedError('the server answered oauth_issue_token without a usable token');
    // A token nobody can use must not stay valid on the server.
    const unusable = async (why: string) => {
      const failed = await revoke(session, token);
      const revoked = failed === undefined ? 'it was revoked' : 'revoking it failed too: find it with oauth_list_tokens and revoke it with oauth_revoke_token';
      return new CommandFailedError(`${why}; ${revoked}`);
    };
    let saved: SavedToken;
    try {
      saved = { token, expires_at: new Date(Date.now() + expiresIn(issued.expires_in, ttlSeconds) * 1000).toISOString(), user: settings.user, url: settings.url };
    } catch (e) {
      throw await unusable((e as Error).message);
    }
    try {
      pending.commit(`${JSON.stringify(saved, null, 2)}\n`, true);
    } catch (e) {
      throw await unusable(`cannot save the token as ${file} (${readFailure(e)})`);
    }
    io.stderr.write(`${escapeControls(`Logged in as ${settings.user}; token saved in ${file}, valid until ${saved.expires_at}`)}\n`);
    // The token this one replaces would stay valid for the rest of its time, known to no one.
    if (replaced && replaced.token !== token && !hasExpired(replaced)) {
      const failed = await revoke(session, replaced.token);
      if (failed !== undefined) io.stderr.write(`Warning: ${escapeControls(`the token ${file} held before could not be revoked (${failed}); it stays valid${replaced.expiresAt ? ` until ${replaced.expiresAt}` : ''}: revoke it with oauth_revoke_token (oauth_list_tokens lists them)`)}\n`);
    }
  } finally {
    pending.discard();
    await client.close();
  }
}

function hasExpired(held: HeldToken): boolean {
  return held.expiresAt !== undefined && Date.parse(held.expiresAt) <= Date.now();
}

/**
 * Revokes the token of the token file on the server (with the token itself: no password
 * needed), then deletes the file. A file that holds no ectl token is left alone (exit 2); a
 * token the server could not be asked to revoke is kept, so that logout can try again.
 */
export async function logout(flags: GlobalFlags, io: Io): Promise<void> {
  const settings = await settingsFor(flags, io, { readToken: false, askPassword: false });
  const file = tokenFileOf(settings.tokenFile);
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`not logged in: no token file ${file}`);
    throw new UsageError(`cannot read the token file ${file}: ${readFailure(e)}`);
  }
  if (!st.isFile()) throw new UsageError(`the token file ${file} is not a regular file: not deleting it`);
  const { text } = await readSettingsFile(file, 'token file', SECRET_FILE_MAX_BYTES);
  const held = heldToken(text);
  if (!held) throw new UsageError(`${file} does not hold an ectl token (the JSON 'ectl login' writes, or a bare token): not deleting it`);
  let outcome: string;
  if (hasExpired(held)) outcome = `the token had expired at ${held.expiresAt}`;
  else {
    const failed = await revokeWithItself(settings, held.token, io);
    if (failed === 'invalid') outcome = 'the server no longer knew the token (revoked or expired)';
    else if (failed !== undefined) {
      throw new CommandFailedError(`could not revoke the token in ${file} (${failed}): it stays valid${held.expiresAt ? ` until ${held.expiresAt}` : ''}; the file is kept, so that 'ectl logout' can try again (delete it yourself to forget the token without revoking it)`);
    } else outcome = 'the token was revoked';
  }
  rmSync(file, { force: true });
  io.stderr.write(`${escapeControls(`Logged out: ${outcome}; deleted ${file}`)}\n`);
}

/** Revokes a token with itself as the credential: undefined once revoked, 'invalid' when the server refuses it as unknown or expired, else why not. */
async function revokeWithItself(settings: Settings, token: string, io: Io): Promise<string | undefined> {
  const tokenSettings = { ...settings, user: undefined, password: undefined, token };
  const client = clientFor(tokenSettings);
  try {
    await callNamed(sessionFor(client, tokenSettings, io), 'oauth_revoke_token', () => ({ token }));
    return undefined;
  } catch (e) {
    if (e instanceof UnauthorizedError && e.status === 401) return 'invalid';
    return (e as Error).message;
  } finally {
    await client.close();
  }
}
