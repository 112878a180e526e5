// `ectl login` / `ectl logout`: an OAuth bearer token for the admin account, kept in the
// profile's token file (mode 0600) with its expiry, so that later calls need no password.
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, openSync, closeSync, writeSync, fsyncSync, renameSync, rmSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isList } from '../catalogue/types.js';
import { CommandFailedError, UsageError } from '../errors.js';
import { SECRET_FILE_MAX_BYTES, isUsableToken, type GlobalFlags, type SavedToken } from '../config/settings.js';
import { readSettingsFile } from '../bounded-read.js';
import type { Io } from './io.js';
import { escapeControls } from '../format/escape.js';
import { readFailure } from '../bounded-read.js';
import { callNamed, clientFor, sessionFor, settingsFor } from './run.js';

export const DEFAULT_TOKEN_TTL = 30 * 24 * 3600;

// mkdir's EEXIST means a part of the path is a file (readFailure says so).
const errorCode = readFailure;

function tokenFileOf(file: string | undefined): string {
  if (!file) throw new UsageError('there is no home directory to keep the token in: name a file with --token-file');
  return file;
}

/**
 * The token file's replacement, created (exclusively, mode 0600) in the same directory before a
 * token is asked for, so that a place that cannot take it fails first; renamed into place once
 * written, which replaces a symlink at the final path instead of writing through it.
 */
class PendingTokenFile {
  private fd: number | undefined;
  private readonly temp: string;

  constructor(readonly file: string) {
    const dir = dirname(file);
    const cannot = (e: unknown) => new UsageError(`cannot save a token as ${file}: ${errorCode(e)}`);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw cannot(e);
    }
    try {
      if (lstatSync(file).isDirectory()) throw new UsageError(`cannot save a token as ${file}: it is a directory`);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw cannot(e);
    }
    this.temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      this.fd = openSync(this.temp, 'wx', 0o600);
    } catch (e) {
      throw cannot(e);
    }
  }

  /** Writes the content and renames it into place. */
  commit(content: string): void {
    const fd = this.fd!;
    let offset = 0;
    const buf = Buffer.from(content);
    while (offset < buf.length) offset += writeSync(fd, buf, offset);
    fsyncSync(fd);
    closeSync(fd);
    this.fd = undefined;
    renameSync(this.temp, this.file);
  }

  /** Removes the temporary file (after a failure; a no-op once committed). */
  discard(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch { /* already closed */ }
      this.fd = undefined;
    }
    rmSync(this.temp, { force: true });
  }
}

export async function login(flags: GlobalFlags, io: Io, ttlSeconds: number): Promise<void> {
  const settings = await settingsFor(flags, io, { readToken: false });
  if (!settings.user || settings.password === undefined) {
    throw new UsageError("ectl login needs the admin's JID and password (--user with ECTL_PASSWORD, --password-file or a terminal prompt)");
  }
  const pending = new PendingTokenFile(tokenFileOf(settings.tokenFile));
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
    try {
      const seconds = Number(/^\d+/.exec(String(issued.expires_in))?.[0] ?? ttlSeconds);
      const saved: SavedToken = { token, expires_at: new Date(Date.now() + seconds * 1000).toISOString(), user: settings.user, url: settings.url };
      pending.commit(`${JSON.stringify(saved, null, 2)}\n`);
      io.stderr.write(`${escapeControls(`Logged in as ${settings.user}; token saved in ${pending.file}, valid until ${saved.expires_at}`)}\n`);
    } catch (e) {
      // A token nobody can use must not stay valid on the server.
      let revoked = 'it was revoked';
      try {
        await callNamed(session, 'oauth_revoke_token', () => ({ token }));
      } catch {
        revoked = 'revoking it failed too: find it with oauth_list_tokens and revoke it with oauth_revoke_token';
      }
      throw new CommandFailedError(`cannot save the token as ${pending.file} (${errorCode(e)}); ${revoked}`);
    }
  } finally {
    pending.discard();
    await client.close();
  }
}

export async function logout(flags: GlobalFlags, io: Io): Promise<void> {
  // No password needed: the saved token revokes itself.
  const settings = await settingsFor(flags, io, { readToken: false, askPassword: false });
  const file = tokenFileOf(settings.tokenFile);
  if (!existsSync(file)) throw new UsageError(`not logged in: no token file ${file}`);
  let saved: SavedToken | undefined;
  const { text } = await readSettingsFile(file, 'token file', SECRET_FILE_MAX_BYTES);
  try {
    saved = JSON.parse(text);
  } catch {
    saved = undefined;
  }
  if (typeof saved?.token === 'string' && isUsableToken(saved.token)) {
    const tokenSettings = { ...settings, user: undefined, password: undefined, token: saved.token };
    const client = clientFor(tokenSettings);
    try {
      const token = saved.token;
      await callNamed(sessionFor(client, tokenSettings, io), 'oauth_revoke_token', () => ({ token }));
    } catch (e) {
      io.stderr.write(`Warning: the server did not revoke the token (${escapeControls((e as Error).message)}); deleting it anyway\n`);
    } finally {
      await client.close();
    }
  }
  rmSync(file, { force: true });
  io.stderr.write(`${escapeControls(`Logged out; deleted ${file}`)}\n`);
}
