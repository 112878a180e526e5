// Every file ectl reads or writes (issue 20, item 4): XDG_* and HOME count only when absolute;
// caches and token files are written only in a directory of the user's own that no one else can
// write, never through a link, and a directory that cannot be made fails at once; reads are
// bounded (a package.json or cache linked to /proc); profile names are plain words; a config
// file others can change warns; logout deletes only a file that holds an ectl token and revokes
// it first; login revokes the token it replaces; a malformed token reply blames the reply.
// The tests run as root: "another user's" directories and files belong to nobody (65534).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, ectl, liveServers, recordingServer, root, showRun } from './helpers.mjs';

const tmp = join(root, 'test', '.tmp', `files-${process.pid}`);
const NOBODY = 65534;
let server; // answers every command with a reply of its shape

before(async () => {
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  server = await recordingServer();
});
after(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A fresh directory of the test's own (mode 0700). */
function dir(...parts) {
  const d = join(tmp, ...parts);
  mkdirSync(d, { recursive: true, mode: 0o700 });
  chmodSync(d, 0o700);
  return d;
}

/** Every file below `d`, as paths relative to it. */
const filesBelow = (d) => (existsSync(d) ? readdirSync(d, { recursive: true }).sort() : []);

test('relative XDG_CONFIG_HOME, XDG_CACHE_HOME and HOME are ignored: a config file in the working directory is not the user\'s own', async () => {
  const evil = 'http://evil.invalid:5280/api';
  const work = dir('untrusted-work');
  for (const d of ['cfg/ectl', '.config/ectl']) {
    mkdirSync(join(work, d), { recursive: true });
    writeFileSync(join(work, d, 'config.yaml'), `url: ${evil}\n`);
  }
  const home = dir('abs-home');
  const cases = [
    { XDG_CONFIG_HOME: 'cfg', HOME: home },
    { XDG_CONFIG_HOME: null, HOME: '.' },
    { XDG_CONFIG_HOME: './cfg', HOME: home },
  ];
  for (const vars of cases) {
    const r = await ectl(['--dry-run', 'registered_vhosts'], { cwd: work, env: cleanEnv({ ECTL_USER: 'admin@x', ECTL_PASSWORD: 'pw', XDG_CACHE_HOME: 'cache', ...vars }) });
    assert.equal(r.code, 0, showRun(r));
    assert.ok(!r.stdout.includes('evil.invalid'), `${JSON.stringify(vars)}: the working directory's config file was read\n${showRun(r)}`);
  }
  // A relative cache home is not the working directory either.
  const s = await ectl(['status'], { cwd: work, env: cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: null, HOME: home, XDG_CACHE_HOME: 'cache' }) });
  assert.equal(s.code, 0, showRun(s));
  assert.ok(!existsSync(join(work, 'cache')), 'a cache was written in the working directory');
  assert.ok(existsSync(join(home, '.cache', 'ectl', 'releases.json')));
});

test('caches are written only in a directory of the user\'s own that no one else can write, never through a link', async () => {
  const victim = join(dir('victims'), 'precious');
  writeFileSync(victim, 'precious\n');
  const run = (cacheHome) => ectl(['status'], { env: cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: null, XDG_CACHE_HOME: cacheHome, HOME: dir('home-c') }) });

  // Another user's cache directory, with links they planted.
  const theirs = dir('theirs');
  mkdirSync(join(theirs, 'ectl'));
  symlinkSync(victim, join(theirs, 'ectl', 'releases.json'));
  execFileSync('chown', ['-hR', `${NOBODY}:${NOBODY}`, theirs]);
  // The user's own base, but ectl/ is a link to a directory elsewhere.
  const linked = dir('linked');
  const elsewhere = dir('elsewhere');
  symlinkSync(elsewhere, join(linked, 'ectl'));
  // The user's own, writable by the group.
  const shared = dir('shared');
  chmodSync(shared, 0o775);
  // The user's own base, another user's ectl/ in it.
  const mixed = dir('mixed');
  mkdirSync(join(mixed, 'ectl'));
  chownSync(join(mixed, 'ectl'), NOBODY, NOBODY);

  for (const cacheHome of [theirs, linked, shared, mixed]) {
    const r = await run(cacheHome);
    assert.equal(r.code, 0, `${cacheHome}\n${showRun(r)}`);
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  }
  assert.deepEqual(filesBelow(theirs), ['ectl', 'ectl/releases.json'], 'written in another user\'s directory');
  assert.ok(lstatSync(join(theirs, 'ectl', 'releases.json')).isSymbolicLink());
  assert.deepEqual(filesBelow(elsewhere), [], 'written through a linked directory');
  assert.deepEqual(filesBelow(shared), [], 'written in a directory the group can write');
  assert.deepEqual(filesBelow(join(mixed, 'ectl')), [], 'written in another user\'s directory below the base');

  // The user's own: written, 0600, in 0700 directories, no temporary file left.
  const own = join(dir('own'), 'cache'); // missing: made inside the user's own directory
  const r = await run(own);
  assert.equal(r.code, 0, showRun(r));
  // (bin/ectl's code cache may be there too, when the build's does not fit this Node.)
  assert.deepEqual(filesBelow(own).filter((f) => !f.includes('code-cache')), ['ectl', 'ectl/releases.json']);
  assert.equal(lstatSync(join(own, 'ectl', 'releases.json')).mode & 0o777, 0o600);
  assert.equal(lstatSync(join(own, 'ectl')).mode & 0o777, 0o700);
});

test('a home under /proc: status runs at once (no cache), login fails at once before asking for a token', async () => {
  const env = cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: null, HOME: '/proc', XDG_CONFIG_HOME: null });
  const started = Date.now();
  const s = await ectl(['status'], { env, timeLimit: 20_000 });
  assert.equal(s.code, 0, showRun(s));
  const before = server.requests.length;
  const l = await ectl(['login'], { env: { ...env, ECTL_USER: 'admin@x', ECTL_PASSWORD: 'pw', ECTL_RELEASE: '24.12' }, timeLimit: 20_000 });
  assert.equal(l.code, 2, showRun(l));
  assert.equal(l.stderr, 'Error: cannot save a token as /proc/.config/ectl/tokens/default.json: /proc/.config: cannot make it: no such file or directory\n');
  assert.equal(server.requests.length, before, 'a token was asked for');
  assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
});

test('reads are bounded: a package.json or a cache linked to /proc/self/pagemap is not read through', async () => {
  const work = dir('pagemap-work');
  symlinkSync('/proc/self/pagemap', join(work, 'package.json'));
  const cacheHome = dir('pagemap-cache');
  mkdirSync(join(cacheHome, 'ectl'), { mode: 0o700 });
  symlinkSync('/proc/self/pagemap', join(cacheHome, 'ectl', 'releases.json'));
  // Peak memory from /proc (the helper's preloaded probe would make Node itself read the package.json).
  let peakKB = 0;
  let timer;
  const r = await ectl(['status'], {
    cwd: work, env: cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: null, XDG_CACHE_HOME: cacheHome }), timeLimit: 20_000,
    onSpawn: (child) => {
      timer = setInterval(() => {
        try {
          peakKB = Math.max(peakKB, Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0));
        } catch { /* ended */ }
      }, 20);
    },
  });
  clearInterval(timer);
  assert.equal(r.code, 0, showRun(r));
  assert.ok(peakKB > 0 && peakKB < 200 * 1024, `peak ${Math.round(peakKB / 1024)} MB`);
  // The cache was written anew over the link (a cache is a saving, never a stop).
  assert.ok(lstatSync(join(cacheHome, 'ectl', 'releases.json')).isFile());
  // A CA, password or config file of the kernel's is refused by name.
  for (const [args, what] of [[['--ca-file', '/proc/self/pagemap'], 'CA file'], [['--config', '/proc/self/environ'], 'config file'], [['--user', 'a@x', '--password-file', '/proc/self/environ'], 'password file']]) {
    const e = await ectl([...args, 'status'], { env: cleanEnv({ ECTL_URL: 'https://127.0.0.1:9/api' }) });
    assert.equal(e.code, 2, showRun(e));
    assert.match(e.stderr, new RegExp(`^Error: .*the ${what} /proc/self/\\w+.* a file of the kernel \\(/proc, /sys\\), not a regular file\\n$`));
  }
});

test('profile names are plain words: a name with / or .. is exit 2 and nothing is written or sent', async () => {
  const xdg = dir('xdg-profiles');
  mkdirSync(join(xdg, 'ectl'));
  writeFileSync(join(xdg, 'ectl', 'config.yaml'), `profiles:\n  prod-1.eu_west:\n    url: ${server.url}\n  ../../escaped:\n    url: ${server.url}\n`);
  const env = (extra = {}) => cleanEnv({ XDG_CONFIG_HOME: xdg, ECTL_USER: 'admin@x', ECTL_PASSWORD: 'pw', ...extra });
  const before = server.requests.length;
  for (const [args, extra, from] of [
    [['-P', '../../escaped'], {}, '--profile'],
    [[], { ECTL_PROFILE: '../../escaped' }, 'the environment variable ECTL_PROFILE'],
    [['--profile', 'a/b'], {}, '--profile'],
    [['-P', '..'], {}, '--profile'],
  ]) {
    const r = await ectl([...args, 'login'], { env: env(extra) });
    assert.equal(r.code, 2, showRun(r));
    assert.match(r.stderr, new RegExp(`^Error: bad profile name in ${from}: a profile is named with letters, digits, '\\.', '_' and '-' \\(at most 100, no '\\.\\.'\\), got '.*'\\n$`));
  }
  assert.equal(server.requests.length, before, 'a request was sent');
  assert.deepEqual(filesBelow(tmp).filter((f) => f.includes('escaped')), [], 'a token file was written outside the tokens directory');
  const ok = await ectl(['-P', 'prod-1.eu_west', '--dry-run', 'status'], { env: env() });
  assert.equal(ok.code, 0, showRun(ok));
});

test('a config file others can change warns once (as ssh checks its config); the user\'s own does not', async () => {
  const check = async (setup) => {
    const xdg = dir(`xdg-warn-${Math.random().toString(36).slice(2)}`);
    mkdirSync(join(xdg, 'ectl'), { mode: 0o755 });
    const file = join(xdg, 'ectl', 'config.yaml');
    writeFileSync(file, `url: ${server.url}\n`, { mode: 0o644 });
    setup(file, join(xdg, 'ectl'));
    const r = await ectl(['--dry-run', 'status'], { env: cleanEnv({ XDG_CONFIG_HOME: xdg }) });
    assert.equal(r.code, 0, showRun(r));
    return { file, warnings: r.stderr.split('\n').filter((l) => l.startsWith('Warning:')) };
  };
  const mine = await check(() => {});
  assert.deepEqual(mine.warnings, []);
  for (const [setup, why] of [
    [(f) => chmodSync(f, 0o666), 'other users can write to it'],
    [(f) => chmodSync(f, 0o664), 'other users can write to it'],
    [(f) => chownSync(f, NOBODY, NOBODY), `it belongs to another user \\(uid ${NOBODY}\\)`],
    [(f, d) => chmodSync(d, 0o777), 'other users can write to its directory .*'],
  ]) {
    const { file, warnings } = await check(setup);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], new RegExp(`^Warning: the config file ${file} can be changed by other users \\(${why}\\): it should be yours`));
  }
});

test('logout deletes only a file that holds an ectl token, and keeps a token it could not revoke', async () => {
  const d = dir('logout');
  const env = cleanEnv({ ECTL_URL: server.url });
  const before = server.requests.length;
  const notes = join(d, 'notes.txt');
  for (const text of ['my notes\nmore notes\n', 'short\n', '{"not": "a token"}\n', '']) {
    writeFileSync(notes, text);
    const r = await ectl(['--token-file', notes, 'logout'], { env });
    assert.equal(r.code, 2, showRun(r));
    assert.equal(r.stderr, `Error: ${notes} does not hold an ectl token (the JSON 'ectl login' writes, or a bare token): not deleting it\n`);
    assert.equal(readFileSync(notes, 'utf8'), text);
  }
  assert.equal(server.requests.length, before, 'a request was sent');

  // The server fails the revocation: the token stays, and so does its file.
  const failing = await recordingServer((req, body, res) => { res.writeHead(500, { 'content-type': 'text/plain' }); res.end('boom'); });
  try {
    const file = join(d, 'tok.json');
    writeFileSync(file, JSON.stringify({ token: 'AbcdefGhijklmnop1234', expires_at: new Date(Date.now() + 600_000).toISOString() }), { mode: 0o600 });
    const r = await ectl(['--token-file', file, 'logout'], { env: cleanEnv({ ECTL_URL: failing.url }), secrets: ['AbcdefGhijklmnop1234'] });
    assert.equal(r.code, 1, showRun(r));
    assert.match(r.stderr, /^Error: could not revoke the token in .*tok\.json \(.*\): it stays valid until .*; the file is kept, so that 'ectl logout' can try again/);
    assert.ok(existsSync(file));
    assert.deepEqual(failing.requests.map((q) => q.url), ['/api/oauth_revoke_token']);
  } finally {
    await failing.close();
  }
});

test('a token reply with an absurd expires_in blames the reply, and the token is revoked', async () => {
  for (const expires of ['99999999999999999999', '1e400 seconds', '-5 seconds', 'soon']) {
    const replying = await recordingServer((req, body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url.startsWith('/api/oauth_issue_token') ? { token: 'IssuedTok3nAbcdefgh', scopes: 'ejabberd:admin', expires_in: expires } : ''));
    });
    try {
      const file = join(dir('expiry'), 'tok.json');
      const r = await ectl(['--token-file', file, 'login'], { env: cleanEnv({ ECTL_URL: replying.url, ECTL_USER: 'admin@x', ECTL_PASSWORD: 'pw' }), secrets: ['IssuedTok3nAbcdefgh'] });
      assert.equal(r.code, 1, showRun(r));
      assert.equal(r.stderr, `Error: the server answered oauth_issue_token with an expires_in ectl cannot read ('${expires}'): expected a number of seconds up to 100 years; it was revoked\n`);
      assert.ok(!existsSync(file));
      assert.deepEqual(replying.requests.map((q) => q.url), ['/api/oauth_issue_token', '/api/oauth_revoke_token']);
    } finally {
      await replying.close();
    }
  }
});

/** Whether the server still takes `token` (a call with it as the bearer). */
async function tokenWorks(s, token) {
  const res = await fetch(`${s.url}/registered_vhosts`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${token}` } });
  await res.text();
  if (res.status !== 200 && res.status !== 401) throw new Error(`${s.release}: HTTP ${res.status}`);
  return res.status === 200;
}

for (const s of liveServers()) {
  test(`${s.release}: login revokes the token it replaces; logout revokes a bare token before deleting it`, async () => {
    const d = dir(`live-${s.release}`);
    const file = join(d, 'tok.json');
    const env = s.env();
    const first = await ectl(['--token-file', file, 'login', '--ttl', '600'], { env, secrets: [] });
    assert.equal(first.code, 0, showRun(first));
    const t1 = JSON.parse(readFileSync(file, 'utf8')).token;
    assert.equal(await tokenWorks(s, t1), true);
    const second = await ectl(['--token-file', file, 'login', '--ttl', '600'], { env, secrets: [t1] });
    assert.equal(second.code, 0, showRun(second));
    assert.doesNotMatch(second.stderr, /Warning/);
    const t2 = JSON.parse(readFileSync(file, 'utf8')).token;
    assert.notEqual(t1, t2);
    assert.equal(await tokenWorks(s, t1), false, 'the replaced token is still valid');
    assert.equal(await tokenWorks(s, t2), true);

    // A file of the bare token: revoked on the server, then deleted.
    const bare = join(d, 'bare-token');
    writeFileSync(bare, `${t2}\n`, { mode: 0o600 });
    const out = await ectl(['--token-file', bare, 'logout'], { env: cleanEnv({ ECTL_URL: s.url, ECTL_RELEASE: s.release }), secrets: [t1, t2] });
    assert.equal(out.code, 0, showRun(out));
    assert.equal(out.stderr, `Logged out: the token was revoked; deleted ${bare}\n`);
    assert.ok(!existsSync(bare));
    assert.equal(await tokenWorks(s, t2), false, 'logout left the token valid');
    // The JSON file of the same (now revoked) token: the server no longer knows it; deleted.
    const gone = await ectl(['--token-file', file, 'logout'], { env: cleanEnv({ ECTL_URL: s.url, ECTL_RELEASE: s.release }), secrets: [t1, t2] });
    assert.equal(gone.code, 0, showRun(gone));
    assert.equal(gone.stderr, `Logged out: the server no longer knew the token (revoked or expired); deleted ${file}\n`);
    assert.ok(!existsSync(file));
  });
}
