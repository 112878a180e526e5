// Secrets a server sends back are masked wherever ectl prints them, and a profile's credentials
// go only to the profile's own servers. Loopback servers echo what they received in every place
// (body, JSON error message, status text; as typed, percent-encoded, JSON-escaped twice, HTML,
// Base64); every run's streams are also searched by test/zz-no-secret-printed.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, ectl, recordingServer } from './helpers.mjs';

const PASSWORD = 'Echo-pw/+"é secret';
const TOKEN = 'echo-token-Zq81xYw';
const ARGUMENT = 'Reg-arg-pw<&>"/x';
const USER = 'admin@localhost';
const SECRETS = [PASSWORD, TOKEN, ARGUMENT];

/** Everything the request carried, echoed in many spellings. */
function echo(req, body) {
  const auth = req.headers.authorization ?? '';
  const decoded = Buffer.from(auth.split(' ')[1] ?? '', 'base64').toString();
  const pw = decoded.slice(decoded.indexOf(':') + 1);
  const html = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return [`body=${body}`, `auth=${auth}`, `pct=${encodeURIComponent(pw)}`, `pct2=${encodeURIComponent(encodeURIComponent(pw))}`,
    `json=${JSON.stringify(pw)}`, `b64pct=${encodeURIComponent(auth.split(' ')[1] ?? '')}`, `html=${html(body)}`, `lower=${encodeURIComponent(pw).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())}`].join(' ');
}

let servers;
let home;
before(async () => {
  const make = (status, json) => recordingServer((req, body, res) => {
    const text = echo(req, body);
    if (req.url.endsWith('/status') && status === 200) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify('The node ejabberd@localhost is started. Status: startedejabberd 23.01 is running in that node'));
    }
    res.writeHead(status, `Echo ${text.slice(0, 200).replace(/[^\x20-\x7e]/g, '?')}`, { 'content-type': json ? 'application/json' : 'text/plain' });
    res.end(json ? JSON.stringify({ status: 'error', code: 10, message: JSON.stringify({ quoted: text }) }) : text);
  });
  servers = { text500: await make(500, false), json401: await make(401, true), json400: await make(400, true), status: await make(200, true) };
  home = mkdtempSync(join(tmpdir(), 'ectl-echo-'));
});
after(async () => {
  for (const s of Object.values(servers)) await s.close();
  rmSync(home, { recursive: true, force: true });
});

const env = (url, extra = {}) => cleanEnv({ HOME: home, XDG_CONFIG_HOME: join(home, 'xdg'), ECTL_URL: url, ECTL_USER: USER, ECTL_PASSWORD: PASSWORD, ...extra });

/** `echoed`: the server's text is shown (-v, or its JSON error message), so something must have been masked. */
function assertNoSecret(r, what, echoed = true) {
  const all = `${r.stdout}\n${r.stderr}`;
  const b64 = Buffer.from(`${USER}:${PASSWORD}`).toString('base64').replace(/=+$/, '');
  for (const s of [...SECRETS, b64]) {
    for (const form of new Set([s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1), encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()), JSON.stringify(JSON.stringify(s)).slice(1, -1)])) {
      assert.ok(!all.includes(form), `${what}: a secret shows (${JSON.stringify(form)}):\n${all}`);
    }
  }
  // Something was printed: the echo reached the output (masked), so the check is not vacuous.
  if (echoed) assert.match(all, /\*\*\*/, `${what}: nothing masked was printed:\n${all}`);
}

test('a server that echoes the password, the Authorization header and a secret argument: masked in -v, Error:, JSON and YAML errors', async () => {
  for (const [name, s] of Object.entries(servers)) {
    if (name === 'status') continue;
    for (const args of [['-v', 'register', 'bob', 'localhost', ARGUMENT], ['-o', 'json', 'register', 'bob', 'localhost', ARGUMENT], ['-o', 'yaml', '-v', 'register', 'bob', 'localhost', ARGUMENT]]) {
      const r = await ectl(args, { env: env(s.url), secrets: SECRETS });
      assert.notEqual(r.code, 0, `${name} ${args.join(' ')}`);
      assertNoSecret(r, `${name} ${args.join(' ')}`, name !== 'text500' || args.includes('-v'));
    }
  }
});

test('the same with a token, in batch (-v and JSON Lines), doctor and --all-nodes', async () => {
  const tokenEnv = (url) => env(url, { ECTL_USER: null, ECTL_PASSWORD: null, ECTL_TOKEN: TOKEN });
  for (const s of [servers.json401, servers.text500]) {
    const batch = await ectl(['-v', 'batch'], { env: tokenEnv(s.url), input: `register bob localhost '${ARGUMENT}'\n`, secrets: SECRETS });
    assert.notEqual(batch.code, 0);
    assertNoSecret(batch, 'batch -v');
    const jsonl = await ectl(['-o', 'json', 'batch'], { env: env(s.url), input: `register bob localhost '${ARGUMENT}'\n`, secrets: SECRETS });
    assertNoSecret(jsonl, 'batch -o json', s !== servers.text500);
    const all = await ectl(['-v', '--all-nodes', 'register', 'bob', 'localhost', ARGUMENT], { env: env(undefined, { ECTL_URL: null, ECTL_NODES: `n1=${s.url},n2=${servers.json400.url}` }), secrets: SECRETS });
    assertNoSecret(all, '--all-nodes');
  }
  const cluster = await ectl(['cluster'], { env: env(undefined, { ECTL_URL: null, ECTL_NODES: `n1=${servers.json401.url},n2=${servers.json400.url}` }), secrets: SECRETS });
  assert.notEqual(cluster.code, 0);
  assertNoSecret(cluster, 'cluster');
  const doctor = await ectl(['doctor'], { env: env(servers.json401.url), secrets: SECRETS });
  assert.notEqual(doctor.code, 0);
  assertNoSecret(doctor, 'doctor');
});

test('-v shows the start of a long reply: a secret the server echoed across the cut is masked, not cut', async () => {
  const cutting = await recordingServer((req, body, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    // The password starts 1,995 characters in: -v shows 2,000, so a cut would keep its first five.
    res.end(`${'x'.repeat(1995)}${PASSWORD}${'y'.repeat(100)}`);
  });
  try {
    const r = await ectl(['-v', 'status'], { env: env(cutting.url), secrets: SECRETS });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^< x{1995}\*\*\*y+\.\.\.$/m);
    assert.ok(!r.stderr.includes(PASSWORD.slice(0, 5)), r.stderr);
  } finally {
    await cutting.close();
  }
});

test('a password in a URL is never echoed: without a scheme, with one, in ECTL_URL and ECTL_NODES', async () => {
  const pw = 'Url-pw-9f3k';
  const runs = [
    await ectl(['--url', `admin:${pw}@host/api`, 'status'], { env: env(undefined, { ECTL_URL: null }), secrets: [pw] }),
    await ectl(['--url', `HTTP://admin:${pw}@127.0.0.1:1/api`, 'status'], { env: env(undefined, { ECTL_URL: null }), secrets: [pw] }),
    await ectl(['status'], { env: env(`admin:${encodeURIComponent(`${pw}@x`)}@host/api`), secrets: [pw] }),
    await ectl(['status'], { env: env(undefined, { ECTL_URL: null, ECTL_NODES: `n1=admin:${pw}@host:5280/api` }), secrets: [pw] }),
  ];
  for (const r of runs) {
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^Error: /);
    assert.ok(!r.stderr.includes(pw) && !r.stderr.includes(encodeURIComponent(`${pw}@x`)), r.stderr);
  }
});

test("a profile's credentials go only to its own url and nodes; --url or ECTL_URL elsewhere sends none and says so once", async () => {
  const own = await recordingServer();
  const other = await recordingServer();
  try {
    const dir = join(home, 'scope');
    rmSync(dir, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'tokens'), { recursive: true });
    const pwFile = join(dir, 'pw');
    writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `default: prod\nprofiles:\n  prod:\n    url: ${own.url}/\n    user: ${USER}\n    password-file: ${pwFile}\n  tok:\n    url: ${own.url}\n    token: ${TOKEN}\n`, { mode: 0o600 });
    const base = cleanEnv({ HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg'), ECTL_CONFIG: config });
    // Its own server (a trailing slash and the host's case aside) gets them.
    const mine = await ectl(['--url', own.url.replace('127.0.0.1', '127.0.0.1'), 'status'], { env: base, secrets: SECRETS });
    assert.equal(mine.code, 0, mine.stderr);
    assert.equal(own.requests.at(-1).headers.authorization, `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`);
    assert.doesNotMatch(mine.stderr, /not sending/);
    for (const [how, args, extra] of [['--url', ['--url', other.url], {}], ['ECTL_URL', [], { ECTL_URL: other.url }], ['--url to another path', ['--url', `${own.url}2`], {}],
      ['ECTL_NODES', [], { ECTL_NODES: `a=${own.url},b=${other.url}` }], ['token profile', ['-P', 'tok', '--url', other.url], {}]]) {
      const before = other.requests.length + own.requests.length;
      const r = await ectl([...args, 'status'], { env: { ...base, ...extra }, secrets: SECRETS });
      const sent = [...own.requests, ...other.requests].slice(0).filter((x, i) => i >= 0);
      assert.ok(other.requests.length + own.requests.length > before || how.includes('path'), `${how}: a request was made`);
      for (const req of sent.slice(-1)) assert.equal(req.headers.authorization, undefined, `${how}: no credentials sent`);
      assert.equal((r.stderr.match(/Note: not sending the /g) ?? []).length, 1, `${how}: said once:\n${r.stderr}`);
      assert.match(r.stderr, /give credentials for it with --user\/ECTL_USER/);
    }
    // Credentials given by flags or environment go wherever --url points.
    const given = await ectl(['--url', other.url, 'status'], { env: { ...base, ECTL_USER: 'other@x', ECTL_PASSWORD: 'other-pass-1' } });
    assert.equal(given.code, 0, given.stderr);
    assert.equal(other.requests.at(-1).headers.authorization, `Basic ${Buffer.from('other@x:other-pass-1').toString('base64')}`);
    assert.doesNotMatch(given.stderr, /not sending/);
    // The token `ectl login` saved goes to the server that issued it, not elsewhere.
    writeFileSync(join(dir, 'xdg', 'ectl', 'tokens', 'default.json').replace('/xdg/ectl/tokens', '/tokens'), '');
    const { mkdirSync: mk } = await import('node:fs');
    mk(join(dir, 'xdg', 'ectl', 'tokens'), { recursive: true });
    const noConfig = cleanEnv({ HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg') });
    writeFileSync(join(dir, 'xdg', 'ectl', 'tokens', 'default.json'), JSON.stringify({ token: TOKEN, url: own.url }), { mode: 0o600 });
    const issuer = await ectl(['--url', own.url, 'status'], { env: noConfig, secrets: SECRETS });
    assert.equal(issuer.code, 0, issuer.stderr);
    assert.equal(own.requests.at(-1).headers.authorization, `Bearer ${TOKEN}`);
    const elsewhere = await ectl(['--url', other.url, 'status'], { env: noConfig, secrets: SECRETS });
    assert.equal(other.requests.at(-1).headers.authorization, undefined);
    assert.match(elsewhere.stderr, /Note: not sending the saved login token/);
  } finally {
    await own.close();
    await other.close();
  }
});

test('a secret echoed as Erlang prints it (a list of its bytes, UTF-8 read as Latin-1) or normalised is masked too', async () => {
  const erlangForms = (s) => {
    const bytes = Buffer.from(s, 'utf8');
    return [[...bytes].join(','), bytes.toString('latin1'), s.normalize('NFD')];
  };
  // A server's crash report in ejabberd's words: ~p of the request's binaries.
  const server = await recordingServer((req, body, res) => {
    const pw = Buffer.from((req.headers.authorization ?? '').split(' ')[1] ?? '', 'base64').toString().split(':').slice(1).join(':');
    const args = JSON.parse(body || '{}');
    const [list, latin1, nfd] = erlangForms(pw);
    const [argList, argLatin1] = erlangForms(String(args.password ?? ''));
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'error', code: 1, message: `{badarg,[{pw,<<${list}>>},{latin1,<<"${latin1}">>},{nfd,"${nfd}"},{arg,[${argList}]},{arg1,<<"${argLatin1}">>}]}` }));
  });
  try {
    for (const args of [['register', 'bob', 'localhost', ARGUMENT], ['-v', 'register', 'bob', 'localhost', ARGUMENT]]) {
      const r = await ectl(args, { env: env(server.url, { ECTL_RELEASE: '23.01' }), secrets: SECRETS });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /\{badarg,/, 'the error was shown');
      for (const s of SECRETS) {
        for (const form of erlangForms(s)) assert.ok(!r.stderr.includes(form) && !r.stderr.includes(JSON.stringify(form).slice(1, -1)), `${args.join(' ')}: ${JSON.stringify(form)} shows:\n${r.stderr}`);
      }
    }
  } finally {
    await server.close();
  }
});
