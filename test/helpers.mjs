// Shared test helpers: run bin/ectl as a subprocess, run ejabberdctl on the same test node,
// and a recording HTTP server for what a real ejabberd cannot be made to do.
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ejabberdctl as ctl, ejabberdctlOn, ejabberdctlAsync } from './server/ejabberd-server.mjs';
import { commands } from '../dist/catalogue/commands.js';
import { catalogueFor } from '../dist/catalogue/releases.js';
import { recordRun } from './oracle-record.mjs';

const newest = catalogueFor();

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ECTL = join(root, 'bin', 'ectl');

export const live = {
  url: process.env.ECTL_TEST_URL,
  admin: process.env.ECTL_TEST_ADMIN,
  password: process.env.ECTL_TEST_ADMIN_PASSWORD,
  httpsUrl: process.env.ECTL_TEST_HTTPS_URL,
  caFile: process.env.ECTL_TEST_CA_FILE,
  c2sPort: Number(process.env.ECTL_TEST_C2S_PORT),
};

/** Fails loudly when the suite was not started through `npm test` (which starts the server). */
export function requireLiveServer() {
  if (!live.url) throw new Error('ECTL_TEST_URL is not set: run the tests with `npm test`, which starts the test ejabberd');
}

/** Environment for ectl pointed at the live test server as its admin; no config file from the user. */
export function liveEnv(extra = {}) {
  requireLiveServer();
  return cleanEnv({ ECTL_URL: live.url, ECTL_USER: live.admin, ECTL_PASSWORD: live.password, ...extra });
}

/**
 * A minimal environment: nothing of the developer's own ectl settings leaks into a test. The
 * release is given (23.01, the host's server; each live server's env gives its own), so that
 * only the tests about detection (which pass ECTL_RELEASE: null) see ectl ask `status`.
 */
export function cleanEnv(extra = {}) {
  const env = { PATH: process.env.PATH, HOME: join(root, 'test', '.tmp', 'home'), XDG_CONFIG_HOME: join(root, 'test', '.tmp', 'xdg'), LANG: 'C.UTF-8', ECTL_RELEASE: '23.01' };
  const all = { ...env, ...extra };
  for (const [k, v] of Object.entries(all)) if (v === null) delete all[k];
  return all;
}

/**
 * Every release's test server that `npm test` started, oldest first: { release, url, httpsUrl,
 * caFile, admin, adminPassword, c2sPort, node, dir (as the server sees it), hostDir (as this
 * machine sees it), root (its chroot, '' on the host), env(extra) (ectl's environment for it,
 * as liveEnv), ejabberdctl(...args) (that release's own ejabberdctl on its node: the oracle),
 * ejabberdctlAsync(...args) (the same without blocking), api(command, body, version) (a raw
 * HTTP call as the admin to `<url>/<command>/v<version>`, or `<url>/<command>` before 24.02,
 * which reads no version there and speaks API version 0: resolves the decoded JSON reply or
 * throws), hostPath(p) (a path of the server's as this machine sees it) }.
 */
export function liveServers() {
  requireLiveServer();
  if (!process.env.ECTL_TEST_SERVERS) throw new Error('ECTL_TEST_SERVERS is not set: run the tests with `npm test`, which starts the test servers');
  return JSON.parse(process.env.ECTL_TEST_SERVERS).map(serverTools);
}

/** A server's description from the harness (serverInfo) with the tools liveServers gives each one. */
export function serverTools(s) {
  return {
    ...s,
    env: (extra = {}) => cleanEnv({ ECTL_URL: s.url, ECTL_USER: s.admin, ECTL_PASSWORD: s.adminPassword, ECTL_RELEASE: s.release, ...extra }),
    ejabberdctl: (...args) => ejabberdctlOn(s, ...args),
    ejabberdctlAsync: (...args) => ejabberdctlAsync(s, ...args),
    api: async (command, body = {}, version = 0) => {
      const old = !atLeast(s.release, '24.02');
      if (old && version !== 0) throw new Error(`${s.release} ${command}: API version ${version} needs a release from 24.02`);
      const res = await fetch(old ? `${s.url}/${command}` : `${s.url}/${command}/v${version}`, {
        method: 'POST', body: JSON.stringify(body),
        headers: { authorization: `Basic ${Buffer.from(`${s.admin}:${s.adminPassword}`).toString('base64')}` },
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${s.release} ${command} v${version}: HTTP ${res.status} ${text}`);
      return JSON.parse(text);
    },
    hostPath: (p) => s.root + p,
  };
}

/** Whether `release` (e.g. '24.12') is `since` or later. */
export function atLeast(release, since) {
  const [a, b] = release.split('.').map(Number);
  const [c, d] = since.split('.').map(Number);
  return a > c || (a === c && b >= d);
}

/** A process result ({ code, stdout, stderr }) for an assertion message. */
export const showRun = (r) => `exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;

/** The live test server of one release (see liveServers); fails when npm test did not start it. */
export function liveServer(release) {
  const s = liveServers().find((x) => x.release === release);
  if (!s) throw new Error(`no test server of ejabberd ${release} is running (ECTL_TEST_RELEASES?)`);
  return s;
}

/** The test servers' virtual hosts and MUC services (each test server has both hosts). */
export const HOST = 'localhost';
export const HOST2 = 'example.org';
export const MUC = 'conference.localhost';
export const MUC2 = 'conference.example.org';
/** MUC/Sub event nodes. */
export const MSG = 'urn:xmpp:mucsub:nodes:messages';
export const SUBJ = 'urn:xmpp:mucsub:nodes:subject';
export const jid = (user, host = HOST) => `${user}@${host}`;
/** Non-empty lines, sorted: for outputs whose order the server does not fix. */
export const sortedLines = (s) => s.split('\n').filter(Boolean).sort().join('\n');

/** How long a test lets one ectl child run before killing it (ms); ECTL_TEST_CHILD_LIMIT overrides. */
export const CHILD_TIME_LIMIT = Number(process.env.ECTL_TEST_CHILD_LIMIT) || 180_000;

/** Where secret-handling tests leave what ectl printed, for test/zz-no-secret-printed.test.mjs. */
export const STREAMS_DIR = join(root, 'test', '.tmp', 'streams');

/**
 * Keeps the captured streams of a run that handled `secrets` (with the admin password and token
 * of its environment), one JSON line per run; the last test of the suite looks for them there.
 */
export function recordStreams(secrets, env, streams) {
  const all = [...secrets, env?.ECTL_PASSWORD, env?.ECTL_TOKEN].filter((s) => typeof s === 'string' && s.length >= 6);
  mkdirSync(STREAMS_DIR, { recursive: true });
  const test = process.argv[1]?.split('/').pop();
  appendFileSync(join(STREAMS_DIR, `${process.pid}.jsonl`), `${JSON.stringify({ test, user: env?.ECTL_USER, secrets: [...new Set(all)], streams })}\n`);
}

/**
 * Runs bin/ectl; resolves { code, stdout, stderr }. With `secrets` (strings it must never print)
 * its streams are recorded for the final check; `publicStdout` leaves out a standard output that
 * holds a secret on purpose (get_cookie's result). `input` is standard input: a string, a
 * function given the child's stdin pipe to write, or { path } opened as the child's descriptor 0.
 * `onSpawn(child)` is called once it runs (to send it signals).
 */
export function ectl(args, { env = liveEnv(), input, cwd = root, signal, nodeArgs = [], onSpawn, secrets, publicStdout = false, timeLimit = CHILD_TIME_LIMIT } = {}) {
  recordRun('ectl', args, { env });
  return new Promise((resolve, reject) => {
    const fd = input?.path ? openSync(input.path, 'r') : undefined;
    const child = spawn(process.execPath, [...nodeArgs, ECTL, ...args], { env, cwd, signal, stdio: [fd ?? 'pipe', 'pipe', 'pipe'] });
    if (fd !== undefined) closeSync(fd);
    let stdout = '';
    let stderr = '';
    // A child that never ends fails its test instead of holding the whole run until CI's limit.
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeLimit);
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      if (timedOut) stderr += `[test helper: ectl ${args.join(' ').slice(0, 80)} killed after ${timeLimit / 1000} s]\n`;
      if (secrets) recordStreams(secrets, env, publicStdout ? { stderr } : { stdout, stderr });
      resolve({ code, signal: sig, stdout, stderr, timedOut });
    });
    // A child may end without reading its standard input (a plain command never does): writing
    // to it then fails with EPIPE, which says nothing about the child.
    if (fd === undefined) child.stdin.on('error', (e) => { if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') reject(e); });
    if (typeof input === 'function') input(child.stdin);
    else if (fd === undefined) child.stdin.end(input ?? '');
    onSpawn?.(child);
  });
}

/**
 * Runs bin/ectl like ectl() (same options) and measures its peak resident memory (getrusage
 * maxrss, read in the child at exit); resolves { code, stdout, stderr, peakMB }.
 */
export async function ectlPeakMemory(args, { env = liveEnv(), ...options } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ectl-rss-'));
  const file = join(dir, 'maxrss');
  try {
    const r = await ectl(args, { ...options, env: { ...env, ECTL_TEST_RSS_FILE: file }, nodeArgs: ['--require', join(root, 'test', 'fixtures', 'report-peak-rss.cjs')] });
    return { ...r, peakMB: Number(readFileSync(file, 'utf8')) / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs ejabberdctl on the test node (the oracle); resolves { code, stdout, stderr }. */
export function ejabberdctl(...args) {
  return ctl(...args);
}

let counter = 0;
/** A user name no other test uses. */
export function uniqueName(prefix = 'u') {
  counter += 1;
  return `${prefix}${process.pid}x${counter}`;
}

function sampleValue(type) {
  if (type === 'string') return 'x';
  if (type === 'integer') return 1;
  if (type.list) return [sampleValue(type.list.type)];
  return Object.fromEntries(type.tuple.map((f) => [f.name, sampleValue(f.type)]));
}

/**
 * A reply of the right shape for the command named in the URL: as ejabberd 23.01 (API v0) sends
 * it for `/api/<command>`, as the newest release defines it for `/api/<command>/v<N>`.
 */
export function plausibleReply(url) {
  const parts = url.split('/').filter(Boolean);
  const versioned = /^v\d+$/.test(parts.at(-1));
  const name = versioned ? parts.at(-2) : parts.at(-1);
  const spec = (versioned ? newest : commands).find((c) => c.name === name);
  if (!spec) return 0;
  const t = spec.result.type;
  if (t === 'rescode') return 0;
  if (t === 'restuple') return 'done';
  if (t === 'string' || t === 'integer') return { [spec.result.name]: sampleValue(t) };
  return sampleValue(t);
}

/**
 * A loopback HTTP server that records requests and answers with `respond(req, body, res)`.
 * Resolves { url, requests, close }. Default answer: 200 with a reply of the command's shape.
 */
export async function recordingServer(respond) {
  const requests = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (respond) return respond(req, body, res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(plausibleReply(req.url)));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/api`,
    requests,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}

/**
 * A batch that a signal cuts with lines 2-4 in flight (status answers at once, registered_users
 * never does, at -j 3), and the report ectl must give for it whatever the signal.
 */
export const IN_FLIGHT_BATCH = {
  input: ['status', 'registered_users a', 'registered_users b', 'registered_users c', ...Array.from({ length: 10 }, () => 'status')].join('\n'),
  report: ['line 2: interrupted: it may or may not have run',
    'line 3: interrupted: it may or may not have run',
    'line 4: interrupted: it may or may not have run',
    '1 ok, 0 failed, 3 interrupted (stopped early)',
    'interrupted: lines 2-4 were in flight and may or may not have run; nothing after line 4 was sent', ''].join('\n'),
};
