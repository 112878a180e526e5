// Connections an operator can trust: profiles, secrets kept out of every output, OAuth login,
// TLS, API versions and the doctor, against the real test server (and a fake 24.x server).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, rmSync, chmodSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { spawn } from 'node:child_process';
import { ectl, cleanEnv, live, requireLiveServer, recordingServer, root, uniqueName, ECTL as ECTL_PATH } from './helpers.mjs';

const home = join(root, 'test', '.tmp', `conn-home-${process.pid}`);
const cfgDir = join(home, '.config', 'ectl');
const pwFile = join(cfgDir, 'local.pw');

/** Environment with only HOME: everything else comes from the profile. */
const homeEnv = (extra = {}) => ({ PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', ...extra });

before(() => {
  requireLiveServer();
  rmSync(home, { recursive: true, force: true });
  mkdirSync(cfgDir, { recursive: true });
  writeFileSync(pwFile, `${live.password}\n`, { mode: 0o600 });
  writeFileSync(join(cfgDir, 'config.yaml'), [
    'default: nowhere',
    'profiles:',
    '  nowhere:',
    '    url: http://127.0.0.1:1/api',
    '  local:',
    `    url: ${live.url}`,
    `    user: ${live.admin}`,
    `    password-file: ${pwFile}`,
    '    timeout: 10',
    '  tokenonly:',
    `    url: ${live.url}`,
    `    token-file: ${join(cfgDir, 'tokens', 'tokenonly.json')}`,
    '  tls:',
    `    url: ${live.httpsUrl.replace('127.0.0.1', 'localhost')}`,
    `    user: ${live.admin}`,
    `    password-file: ${pwFile}`,
    `    ca-file: ${live.caFile}`,
    '',
  ].join('\n'));
});
after(() => rmSync(home, { recursive: true, force: true }));

test('-P picks a profile from ~/.config/ectl/config.yaml; so does ECTL_PROFILE', async () => {
  const a = await ectl(['-P', 'local', 'registered_users', 'localhost'], { env: homeEnv() });
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /^admin$/m);
  const b = await ectl(['registered_users', 'localhost'], { env: homeEnv({ ECTL_PROFILE: 'local' }) });
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.stdout, a.stdout);
});

test('the default profile is used without -P; flags and environment beat the profile', async () => {
  const d = await ectl(['status'], { env: homeEnv() });
  assert.equal(d.code, 3, 'the default profile points at a closed port');
  const e = await ectl(['stats', 'registeredusers'], { env: homeEnv({ ECTL_URL: live.url, ECTL_USER: live.admin, ECTL_PASSWORD: live.password }) });
  assert.equal(e.code, 0, e.stderr);
  const f = await ectl(['--url', live.url, '--user', live.admin, '--password-file', pwFile, 'stats', 'registeredusers'], { env: homeEnv() });
  assert.equal(f.code, 0, f.stderr);
});

test('XDG_CONFIG_HOME is honoured', async () => {
  const xdg = join(home, 'xdg');
  mkdirSync(join(xdg, 'ectl'), { recursive: true });
  writeFileSync(join(xdg, 'ectl', 'config.yaml'), `url: ${live.url}\nuser: ${live.admin}\npassword-file: ${pwFile}\n`);
  const r = await ectl(['get_loglevel'], { env: homeEnv({ XDG_CONFIG_HOME: xdg }) });
  assert.equal(r.code, 0, r.stderr);
});

test('an unknown profile or key is a usage error naming the file and line', async () => {
  const r = await ectl(['-P', 'nope', 'status'], { env: homeEnv() });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `Error: unknown profile 'nope' in ${join(cfgDir, 'config.yaml')} line 2 (known: nowhere, local, tokenonly, tls)\n`);
  // Named by `default:` in the file: that line.
  const file = join(home, 'default-missing.yaml');
  writeFileSync(file, `# a comment\nurl: ${live.url}\ndefault: gone\nprofiles:\n  here:\n    timeout: 5\n`);
  const d = await ectl(['--config', file, 'status'], { env: homeEnv() });
  assert.equal(d.code, 2);
  assert.equal(d.stderr, `Error: unknown profile 'gone' in ${file} line 3 (known: here)\n`);
  // An unknown key, with its line.
  writeFileSync(file, `url: ${live.url}\ntimeuot: 5\n`);
  const k = await ectl(['--config', file, 'status'], { env: homeEnv() });
  assert.equal(k.code, 2);
  assert.equal(k.stderr, `Error: bad config file ${file} line 2: unknown key 'timeuot'\n`);
});

test('a password file others can read gives a warning', async () => {
  const loose = join(home, 'loose.pw');
  writeFileSync(loose, live.password);
  chmodSync(loose, 0o644);
  const r = await ectl(['--url', live.url, '--user', live.admin, '--password-file', loose, 'get_loglevel'], { env: homeEnv() });
  assert.equal(r.code, 0);
  assert.match(r.stderr, /^Warning: password file .*loose\.pw can be read by other users; chmod 600 it\n$/);
});

test('no output of -v, --dry-run or an error contains the password or token', async () => {
  const secret = live.password;
  const argSecret = `arg-secret-${process.pid}`;
  const u = uniqueName('sec');
  // Recorded for the suite's last test, which searches every such stream (zz-no-secret-printed).
  const leakable = [secret, `${secret}-wrong`, argSecret];
  const runs = [
    await ectl(['-P', 'local', '-v', 'register', u, 'localhost', argSecret], { env: homeEnv(), secrets: leakable }),
    await ectl(['-P', 'local', '-v', 'check_password', u, 'localhost', argSecret], { env: homeEnv(), secrets: leakable }),
    await ectl(['-P', 'local', '--dry-run', 'change_password', u, 'localhost', argSecret], { env: homeEnv(), secrets: leakable }),
    await ectl(['-v', 'registered_users', 'localhost'], { env: homeEnv({ ECTL_URL: live.url, ECTL_USER: live.admin, ECTL_PASSWORD: `${secret}-wrong` }), secrets: leakable }),
    await ectl(['-v', '--token', `tok-${argSecret}`, 'registered_users', 'localhost'], { env: homeEnv({ ECTL_URL: live.url }), secrets: leakable }),
    await ectl(['--dry-run', '--token', `tok-${argSecret}`, 'status'], { env: homeEnv({ ECTL_URL: live.url }), secrets: leakable }),
    await ectl(['-P', 'local', '-v', 'oauth_issue_token', live.admin, '60', 'ejabberd:admin'], { env: homeEnv(), secrets: leakable }),
  ];
  assert.equal(runs[0].code, 0, runs[0].stderr);
  assert.equal(runs[1].code, 0, runs[1].stderr);
  assert.equal(runs[3].code, 4);
  for (const r of runs) {
    const all = r.stdout + r.stderr;
    assert.ok(!all.includes(secret), `password leaked: ${all}`);
    assert.ok(!all.includes(argSecret), `secret argument or token leaked: ${all}`);
    assert.ok(!all.includes(Buffer.from(`${live.admin}:${secret}`).toString('base64')), 'encoded credentials leaked');
  }
  // The token issued in the last run is printed as the result (stdout) but never in the -v trace.
  const issued = runs[6].stdout.split('\t')[0];
  assert.match(issued, /^\w{20,}$/);
  assert.ok(!runs[6].stderr.includes(issued), 'token leaked into --verbose');
  assert.match(runs[0].stderr, /^> authorization: Basic \*\*\*$/m);
  assert.match(runs[0].stderr, /"password":"\*\*\*"/);
  // The profile's password file, read again by the curl line (see dry-run.test.mjs).
  assert.ok(runs[2].stdout.includes(`-u 'admin@localhost':"$(cat '${pwFile}')"`), runs[2].stdout);
  assert.match(runs[2].stdout, /"newpass":'"\$\(node -p 'JSON\.stringify\(process\.env\.ECTL_ARG_NEWPASS\)'\)"'/);
});

test('--dry-run sends nothing', async () => {
  const server = await recordingServer();
  try {
    const r = await ectl(['--dry-run', 'register', 'bob', 'example.com', 'pw'], { env: cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: '23.01' }) });
    assert.equal(r.code, 0);
    assert.equal(server.requests.length, 0);
    assert.match(r.stdout, /^POST http:\/\/127\.0\.0\.1:\d+\/api\/register\n/);
  } finally {
    await server.close();
  }
});

test('ectl login saves a 0600 token; later calls need no password; logout revokes it (then exit 4)', async () => {
  const env = homeEnv({ ECTL_URL: live.url, ECTL_USER: live.admin });
  const login = await ectl(['login', '--ttl', '600'], { env: { ...env, ECTL_PASSWORD: live.password } });
  assert.equal(login.code, 0, login.stderr);
  // The config's default profile is 'nowhere' (its URL overridden by ECTL_URL here).
  const file = join(cfgDir, 'tokens', 'nowhere.json');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  assert.match(saved.token, /^\w{20,}$/);
  assert.ok(Date.parse(saved.expires_at) > Date.now() + 500_000);
  assert.ok(!(login.stdout + login.stderr).includes(saved.token), 'login printed the token');

  const use = await ectl(['-v', 'registered_vhosts'], { env });
  assert.equal(use.code, 0, use.stderr);
  assert.match(use.stderr, /^> authorization: Bearer \*\*\*$/m);
  assert.match(use.stdout, /^localhost$/m);

  // A token revoked on the server (not through logout) fails clearly with exit 4.
  const revoke = await ectl(['oauth_revoke_token', saved.token], { env: { ...env, ECTL_PASSWORD: live.password } });
  assert.equal(revoke.code, 0, revoke.stderr);
  const after = await ectl(['registered_vhosts'], { env });
  assert.equal(after.code, 4);
  assert.match(after.stderr, /^Error: not authorized: Oauth Token is invalid or expired \(sent: an OAuth token\); the token is wrong or has expired: get a new one with 'ectl login'; 'ectl doctor' checks the setup step by step\n$/);

  const out = await ectl(['logout'], { env });
  assert.equal(out.code, 0, out.stderr);
  assert.ok(!existsSync(file));
});

test('an expired saved token gives a clear error and exit 4, and nothing is sent', async () => {
  const server = await recordingServer();
  try {
    const file = join(cfgDir, 'tokens', 'tokenonly.json');
    mkdirSync(join(cfgDir, 'tokens'), { recursive: true });
    // Saved for that server (ectl login records it): a profile's token goes nowhere else.
    writeFileSync(file, JSON.stringify({ token: 'old', expires_at: '2020-01-01T00:00:00.000Z', url: server.url }), { mode: 0o600 });
    const r = await ectl(['-P', 'tokenonly', '--url', server.url, 'registered_vhosts'], { env: homeEnv() });
    assert.equal(r.code, 4);
    assert.equal(r.stderr, `Error: the token in ${file} expired at 2020-01-01T00:00:00.000Z; run 'ectl login' again\n`);
    assert.equal(server.requests.length, 0);
  } finally {
    await server.close();
  }
});

test('TLS: a profile with ca-file works; --insecure works with a warning every time; default verification fails with exit 3', async () => {
  const ok = await ectl(['-P', 'tls', 'registered_vhosts'], { env: homeEnv() });
  assert.equal(ok.code, 0, ok.stderr);
  const env = homeEnv({ ECTL_URL: live.httpsUrl, ECTL_USER: live.admin, ECTL_PASSWORD: live.password });
  const bad = await ectl(['registered_vhosts'], { env });
  assert.equal(bad.code, 3);
  assert.match(bad.stderr, /TLS certificate of 127\.0\.0\.1:\d+ not accepted \(DEPTH_ZERO_SELF_SIGNED_CERT\): trust its CA with --ca-file/);
  for (let i = 0; i < 2; i++) {
    const ins = await ectl(['--insecure', 'registered_vhosts'], { env });
    assert.equal(ins.code, 0, ins.stderr);
    assert.equal(ins.stderr, 'Warning: TLS certificate verification is off (--insecure)\n');
  }
});

test('on the real 23.01 server calls go to <url>/<command>, whatever --api-version asks (23.01 has only version 0)', async () => {
  const env = homeEnv({ ECTL_URL: live.url, ECTL_USER: live.admin, ECTL_PASSWORD: live.password });
  for (const args of [['stats', 'registeredusers'], ['get_loglevel'], ['registered_vhosts'], ['check_account', 'admin', 'localhost'], ['get_last', 'admin', 'localhost']]) {
    const plain = await ectl(args, { env });
    const v1 = await ectl(['-v', '--api-version', '1', ...args], { env });
    assert.equal(v1.code, plain.code, v1.stderr);
    assert.equal(v1.stdout, plain.stdout, args.join(' '));
    assert.match(v1.stderr, new RegExp(`^> POST ${live.url}/${args[0]}$`, 'm'));
    assert.match(v1.stderr, /^\* ejabberd 23\.01 \((detected|cached)\), API v0$/m);
  }
});

test('a server answering like 24.x (bare scalars on /api/<command>/vN) prints like 23.01', async () => {
  const command = (req) => req.url.split('/')[2];
  const server = await recordingServer((req, body, res) => {
    const replies = { stats: 6, get_loglevel: 'info', check_account: 0, register: 'User bob@example.com successfully registered' };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(replies[command(req)]));
  });
  const v0 = await recordingServer((req, body, res) => {
    const replies = { stats: { stat: 6 }, get_loglevel: { levelatom: 'info' }, check_account: 0, register: 'User bob@example.com successfully registered' };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(replies[command(req)]));
  });
  try {
    for (const args of [['stats', 'registeredusers'], ['get_loglevel'], ['check_account', 'bob', 'example.com'], ['register', 'bob', 'example.com', 'pw']]) {
      for (const fmt of ['text', 'json']) {
        const a = await ectl(['-o', fmt, ...args], { env: cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: '24.12' }) });
        const b = await ectl(['-o', fmt, ...args], { env: cleanEnv({ ECTL_URL: v0.url, ECTL_RELEASE: '23.01' }) });
        assert.equal(a.code, 0, a.stderr);
        assert.equal(a.stdout, b.stdout, `${args[0]} -o ${fmt}`);
      }
    }
    assert.ok(server.requests.every((r) => /^\/api\/\w+\/v\d+$/.test(r.url)), server.requests.map((r) => r.url).join(' '));
    assert.ok(v0.requests.every((r) => /^\/api\/\w+$/.test(r.url)));
  } finally {
    await server.close();
    await v0.close();
  }
});

test('doctor passes on the test server and names the failing step otherwise', async () => {
  const good = await ectl(['-P', 'local', 'doctor'], { env: homeEnv() });
  assert.equal(good.code, 0, good.stdout + good.stderr);
  for (const step of ['URL', 'DNS', 'TCP', 'TLS', 'API', 'credentials', 'permissions', 'version']) assert.match(good.stdout, new RegExp(`^(ok|skip) +${step} `, 'm'));
  assert.match(good.stdout, /^ok +version +ejabberd 23\.01/m);

  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  const closed = await ectl(['doctor'], { env: homeEnv({ ECTL_URL: `http://127.0.0.1:${port}/api` }) });
  assert.equal(closed.code, 3);
  assert.match(closed.stdout, /^FAIL TCP +cannot connect to 127\.0\.0\.1:\d+: connection refused$/m);

  const wrong = await ectl(['doctor'], { env: homeEnv({ ECTL_URL: live.url, ECTL_USER: live.admin, ECTL_PASSWORD: 'wrong' }) });
  assert.equal(wrong.code, 4);
  assert.match(wrong.stdout, /^FAIL credentials +not authorized/m);

  const tls = await ectl(['doctor'], { env: homeEnv({ ECTL_URL: live.httpsUrl, ECTL_USER: live.admin, ECTL_PASSWORD: live.password }) });
  assert.equal(tls.code, 3);
  assert.match(tls.stdout, /^FAIL TLS +certificate not trusted/m);
  const tlsOk = await ectl(['-P', 'tls', 'doctor'], { env: homeEnv() });
  assert.equal(tlsOk.code, 0, tlsOk.stdout);
  assert.match(tlsOk.stdout, /^ok +TLS +certificate verified/m);
});

/** Runs ectl on a pseudo-terminal (util-linux script), answering each prompt once it appears. */
function onTerminal(args, env, answers) {
  return new Promise((resolve) => {
    const cmd = [ECTL_PATH, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { env });
    let out = '';
    let asked = 0;
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const prompts = out.match(/(Password for \S+|\(\w+\)): /g) ?? [];
      while (asked < prompts.length && asked < answers.length) child.stdin.write(`${answers[asked++]}\n`);
    });
    child.on('close', (code) => resolve({ code, out }));
  });
}

test('on a terminal a missing admin password and a left-out secret argument are asked for, without echo', async () => {
  const u = uniqueName('pty');
  const env = homeEnv({ ECTL_URL: live.url, ECTL_USER: live.admin, TERM: 'dumb' });
  // The left-out argument is asked for first (while the command line is read), then the admin's password.
  const r = await onTerminal(['register', u, 'localhost'], env, ['typed-secret-77', live.password]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /Password for admin@localhost: /);
  assert.match(r.out, /\(password\): /);
  assert.match(r.out, new RegExp(`User ${u}@localhost successfully registered`));
  assert.ok(!r.out.includes(live.password), 'the admin password was echoed');
  assert.ok(!r.out.includes('typed-secret-77'), 'the secret argument was echoed');
  const check = await ectl(['check_password', u, 'localhost', 'typed-secret-77'], { env: homeEnv({ ECTL_URL: live.url, ECTL_USER: live.admin, ECTL_PASSWORD: live.password }) });
  assert.equal(check.code, 0, check.stderr);
});

