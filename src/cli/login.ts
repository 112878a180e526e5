// `ectl login` / `ectl logout`: an OAuth bearer token for the admin account, kept in the
// profile's token file (mode 0600) with its expiry, so that later calls need no password.
import { mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { findCommand } from '../client/client.js';
import { UsageError } from '../errors.js';
import { resolveSettings, type GlobalFlags, type SavedToken } from '../config/settings.js';
import type { Io } from './io.js';
import { escapeControls } from '../format/escape.js';
import { clientFor, settingsFor } from './run.js';

export const DEFAULT_TOKEN_TTL = 30 * 24 * 3600;

export async function login(flags: GlobalFlags, io: Io, ttlSeconds: number): Promise<void> {
  const settings = await settingsFor(flags, io, { readToken: false });
  if (!settings.user || settings.password === undefined) {
    throw new UsageError("ectl login needs the admin's JID and password (--user with ECTL_PASSWORD, --password-file or a terminal prompt)");
  }
  const client = clientFor(settings);
  try {
    const issued = await client.send(findCommand('oauth_issue_token')!, { jid: settings.user, ttl: ttlSeconds, scopes: 'ejabberd:admin' }, { signal: io.signal }) as Record<string, string>;
    const seconds = Number(/^\d+/.exec(issued.expires_in)?.[0] ?? ttlSeconds);
    const saved: SavedToken = { token: issued.token, expires_at: new Date(Date.now() + seconds * 1000).toISOString(), user: settings.user, url: settings.url };
    mkdirSync(dirname(settings.tokenFile), { recursive: true, mode: 0o700 });
    writeFileSync(settings.tokenFile, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
    chmodSync(settings.tokenFile, 0o600);
    io.stderr.write(`Logged in as ${settings.user}; token saved in ${settings.tokenFile}, valid until ${saved.expires_at}\n`);
  } finally {
    await client.close();
  }
}

export async function logout(flags: GlobalFlags, io: Io): Promise<void> {
  // No password needed: the saved token revokes itself.
  const settings = await resolveSettings(flags, io.env, io.cwd, { readToken: false });
  const file = settings.tokenFile;
  if (!existsSync(file)) throw new UsageError(`not logged in: no token file ${file}`);
  let saved: SavedToken | undefined;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    saved = undefined;
  }
  if (saved?.token) {
    const client = clientFor({ ...settings, user: undefined, password: undefined, token: saved.token });
    try {
      await client.send(findCommand('oauth_revoke_token')!, { token: saved.token }, { signal: io.signal });
    } catch (e) {
      io.stderr.write(`Warning: the server did not revoke the token (${escapeControls((e as Error).message)}); deleting it anyway\n`);
    } finally {
      await client.close();
    }
  }
  rmSync(file, { force: true });
  io.stderr.write(`Logged out; deleted ${file}\n`);
}
