// `ectl doctor`: checks the chosen profile's connection step by step and names the first step
// that fails, exiting with the same code a command would (2 config, 3 network/TLS/API, 4 auth).
import { lookup } from 'node:dns/promises';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import type { ResultValue } from '../client/normalise.js';
import { CommandFailedError, EctlError, UnreachableError, UsageError } from '../errors.js';
import { certificateAdvice } from '../client/request.js';
import type { GlobalFlags, Settings } from '../config/settings.js';
import type { Io } from './io.js';
import { escapeControls } from '../format/escape.js';
import { readFailure } from '../bounded-read.js';
import { callNamed, clientFor, readCaFile, sessionFor, settingsFor, type ReleaseSession } from './run.js';
import { detectRelease, releaseInStatus, type ReleaseChoice } from './release.js';
import { knownRelease } from '../catalogue/resolve.js';

type Step = { ok: true; detail: string } | { ok: false; detail: string; code: number } | { skip: string };

/** Harmless reads, one per command group, to see what the account may call. */
// One harmless read per group, its arguments by position (their names differ between releases).
const SAMPLES: [string, string, (vhost: string, user: string, host: string) => (string | number)[]][] = [
  ['accounts', 'registered_users', (vhost) => [vhost]],
  ['session', 'connected_users_number', () => []],
  ['muc', 'muc_online_rooms', () => ['global']],
  ['roster', 'get_roster', (_v, user, host) => [user, host]],
  ['vcard', 'get_vcard', (_v, user, host) => [user, host, 'FN']],
  ['offline', 'get_offline_count', (_v, user, host) => [user, host]],
  ['shared_roster_group', 'srg_list', (vhost) => [vhost]],
  ['statistics', 'stats', () => ['registeredusers']],
  ['server', 'get_loglevel', () => []],
  ['oauth', 'oauth_list_tokens', () => []],
];

function line(io: Io, name: string, step: Step): void {
  const mark = 'skip' in step ? 'skip' : step.ok ? 'ok' : 'FAIL';
  const detail = 'skip' in step ? step.skip : step.detail;
  // Details quote the server (messages, certificate names) and the settings: escaped, one line each.
  io.stdout.write(`${mark.padEnd(5)}${name.padEnd(13)}${escapeControls(detail)}\n`);
}

/** The exit code of a failed call: 4 not authorized, 3 unreachable, else 1. */
function exitCodeOf(e: unknown): number {
  const kind = e instanceof EctlError ? e.kind : undefined;
  return kind === 'unauthorized' ? 4 : kind === 'unreachable' ? 3 : 1;
}

/** A server failure (5xx) or a busy server (429): the command did not run on its merits. */
function serverFailed(e: unknown): boolean {
  return e instanceof CommandFailedError && e.status !== undefined && (e.status >= 500 || e.status === 429);
}

function certificateProblem(code: string): string {
  if (code === 'CERT_HAS_EXPIRED') return 'certificate expired';
  if (code === 'CERT_NOT_YET_VALID') return 'certificate not valid yet';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `certificate not for this host`;
  return 'certificate not trusted';
}

function tcp(host: string, port: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const s = netConnect({ host, port });
    s.setTimeout(timeoutMs, () => { s.destroy(); reject(new Error(`no connection within ${timeoutMs / 1000} s`)); });
    s.once('connect', () => { s.destroy(); resolve(Date.now() - started); });
    s.once('error', reject);
  });
}

function tlsCheck(host: string, port: number, settings: Settings, ca: string | undefined): Promise<PeerCertificate & { authorized: boolean; authorizationError?: string }> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host, port, servername: /^[\d.]+$|:/.test(host) ? undefined : host, rejectUnauthorized: false, ca });
    s.setTimeout(settings.timeoutMs, () => { s.destroy(); reject(new Error('TLS handshake timed out')); });
    s.once('secureConnect', () => {
      const cert = s.getPeerCertificate();
      const authorized = s.authorized;
      const authorizationError = s.authorizationError ? String(s.authorizationError) : undefined;
      s.destroy();
      resolve({ ...cert, authorized, authorizationError });
    });
    s.once('error', reject);
  });
}

/**
 * Which release ectl speaks to this server and where that came from; a release given that is not
 * what the server reports fails (exit 2), a cached one that is no longer true is detected again.
 */
async function releaseStep(session: ReleaseSession, statusText: string, releaseFlag: boolean, io: Io): Promise<Step> {
  const c: ReleaseChoice = session.choice;
  const name = (x: ReleaseChoice) => (x.reported ? `ejabberd ${x.reported} (spoken as ${x.release})` : `ejabberd ${x.release}`);
  const version = releaseInStatus(statusText);
  const differs = version !== undefined && knownRelease(version) !== c.release;
  if (c.source === 'given') {
    const origin = releaseFlag ? '--release' : io.env.ECTL_RELEASE ? 'ECTL_RELEASE' : `release: in the profile${session.settings.profile ? ` ${session.settings.profile}` : ''}`;
    if (differs) return { ok: false, detail: `${origin} says ${c.reported ?? c.release}, but the server runs ejabberd ${version}: correct it or leave it out to have it detected`, code: 2 };
    return { ok: true, detail: `${name(c)}, given by ${origin}` };
  }
  const cached = c.source === 'cached' || c.source === 'undetected';
  if (cached && version !== undefined && (differs || c.source === 'undetected')) {
    const now = await detectRelease(session.settings.url, io.env, async () => statusText);
    const was = c.source === 'undetected' ? 'not reported' : c.reported ?? c.release;
    return { ok: true, detail: `${name(now)}, detected from status now (cached as ${was}; updated)` };
  }
  if (c.source === 'cached') return { ok: true, detail: `${name(c)}, detected from status earlier and cached (asked again after a day)` };
  if (c.source === 'detected') return { ok: true, detail: `${name(c)}, detected from status and cached for a day` };
  return { ok: true, detail: `not detected (status does not name it): commands speak the newest ectl knows, ${c.release}; give --release to say which` };
}

export async function doctor(flags: GlobalFlags, io: Io): Promise<number> {
  let settings: Settings;
  let ca: string | undefined;
  try {
    settings = await settingsFor(flags, io);
    if (settings.caFile) ca = readCaFile(settings.caFile);
    if (flags.allNodes) throw new UsageError('doctor checks every node of the profile already: leave out --all-nodes');
  } catch (e) {
    line(io, 'config', { ok: false, detail: (e as Error).message, code: 2 });
    return e instanceof EctlError && e.kind === 'unauthorized' ? 4 : 2;
  }
  // A cluster: every node of the profile in turn (unless --url or --node names one server).
  if (settings.nodes.length === 0 || flags.url !== undefined || flags.node !== undefined) return checkServer(settings, ca, io, flags.release !== undefined);
  let code = 0;
  for (const node of settings.nodes) {
    io.stdout.write(`${node === settings.nodes[0] ? '' : '\n'}node ${escapeControls(node.name)}\n`);
    const c = await checkServer({ ...settings, url: node.url, node: node.name, failover: [] }, ca, io, flags.release !== undefined);
    code ||= c;
  }
  return code;
}

/** The checks of one server, from the URL to the version; returns the exit code of the first that fails. */
async function checkServer(settings: Settings, ca: string | undefined, io: Io, releaseFlag: boolean): Promise<number> {
  const url = new URL(settings.url);
  line(io, 'URL', { ok: true, detail: `${settings.url}${settings.node ? ` (node ${settings.node})` : ''}${settings.profile ? ` (profile ${settings.profile})` : ''}${settings.configFile ? ` from ${settings.configFile}` : ''}` });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const fail = (name: string, detail: string, code: number) => { line(io, name, { ok: false, detail, code }); return code; };

  try {
    const addr = await lookup(host);
    line(io, 'DNS', { ok: true, detail: `${host} is ${addr.address}` });
  } catch (e) {
    return fail('DNS', `cannot resolve ${host}: ${readFailure(e)}`, 3);
  }
  try {
    const ms = await tcp(host, port, settings.timeoutMs);
    line(io, 'TCP', { ok: true, detail: `connected to port ${port} in ${ms} ms` });
  } catch (e) {
    return fail('TCP', `cannot connect to ${host}:${port}: ${readFailure(e)}`, 3);
  }
  if (url.protocol === 'https:') {
    try {
      const cert = await tlsCheck(host, port, settings, ca);
      const days = Math.floor((Date.parse(cert.valid_to) - Date.now()) / 86_400_000);
      const validity = days >= 0 ? `expires in ${days} days` : `expired ${-days} days ago`;
      const who = `${cert.subject?.CN ?? '?'} issued by ${cert.issuer?.CN ?? cert.issuer?.O ?? '?'}, ${validity}`;
      const problem = cert.authorizationError ?? (days < 0 ? 'CERT_HAS_EXPIRED' : undefined);
      if (problem && !settings.insecure) {
        const names = problem === 'ERR_TLS_CERT_ALTNAME_INVALID' && cert.subjectaltname ? `; it names ${cert.subjectaltname}` : '';
        return fail('TLS', `${certificateProblem(problem)} (${problem}): ${who}${names}; ${certificateAdvice(problem, ca !== undefined)}`, 3);
      }
      line(io, 'TLS', { ok: true, detail: `${problem ? `NOT verified (--insecure; ${problem})` : 'certificate verified'}: ${who}` });
    } catch (e) {
      return fail('TLS', `handshake failed: ${(e as Error).message}`, 3);
    }
  } else line(io, 'TLS', { skip: 'plain http' });

  const client = clientFor(settings);
  const session = sessionFor(client, settings, io);
  const call = (name: string, values: (string | number)[]) => callNamed(session, name, (spec) => Object.fromEntries(spec.args.map((a, i) => [a.name, values[i]])));
  try {
    let statusText = '';
    try {
      statusText = String(await session.status());
      line(io, 'API', { ok: true, detail: 'ejabberd answers the status command' });
    } catch (e) {
      if (e instanceof UnreachableError) return fail('API', (e as Error).message, 3);
      if (serverFailed(e)) return fail('API', `the status command failed: ${(e as Error).message}`, 1);
      line(io, 'API', { ok: true, detail: `ejabberd API answers (status: ${(e as Error).message})` });
    }
    // Before any other call: a wrong release makes every command fail in ways that hide the cause.
    try {
      await session.settle();
    } catch (e) {
      // Detection asks status again: refused credentials (401) end it.
      const code = exitCodeOf(e);
      return fail(code === 4 ? 'credentials' : 'release', (e as Error).message, code);
    }
    const release = await releaseStep(session, statusText, releaseFlag, io);
    line(io, 'release', release);
    if ('code' in release) return release.code;
    let vhosts: ResultValue[] = [];
    if (!settings.user && !settings.token) line(io, 'credentials', { skip: 'no user or token configured' });
    else {
      try {
        vhosts = await call('registered_vhosts', []) as ResultValue[];
        line(io, 'credentials', { ok: true, detail: `accepted for ${settings.user ?? 'the bearer token'}` });
      } catch (e) {
        return fail('credentials', (e as Error).message, exitCodeOf(e));
      }
    }
    const [user, domain] = (settings.user ?? 'admin@localhost').split('@');
    const vhost = String(vhosts[0] ?? domain ?? 'localhost');
    const allowed: string[] = [];
    const denied: string[] = [];
    const missing: string[] = [];
    const failed: string[] = [];
    let firstFailure = '';
    for (const [group, name, args] of SAMPLES) {
      try {
        await call(name, args(vhost, user, domain ?? vhost));
        allowed.push(group);
      } catch (e) {
        const err = e as EctlError & { status?: number };
        if (err.kind === 'unauthorized') denied.push(group);
        else if (err.status === 404) missing.push(group);
        else if (err instanceof CommandFailedError && !serverFailed(err)) allowed.push(group); // it ran and failed on its own terms
        else {
          failed.push(group);
          firstFailure ||= err.message;
        }
      }
    }
    const parts = [`allowed: ${allowed.join(', ') || 'none'}`];
    if (denied.length) parts.push(`denied: ${denied.join(', ')}`);
    if (missing.length) parts.push(`not offered: ${missing.join(', ')}`);
    // A server failing (500) or busy is no evidence that the account may call those commands.
    if (failed.length) return fail('permissions', `${parts.join('; ')}; failed: ${failed.join(', ')} (${firstFailure})`, 1);
    line(io, 'permissions', { ok: true, detail: parts.join('; ') });
    const version = /ejabberd (\S+) is running/.exec(statusText)?.[1];
    line(io, 'version', version ? { ok: true, detail: `ejabberd ${version}` } : { skip: 'not reported by status' });
    return 0;
  } finally {
    await client.close();
  }
}
