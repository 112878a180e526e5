// Safe in an untrusted directory (issue 11): config files are data, never code, and a project
// file is read only where the user's own config trusts it; URLs, tokens and files that are
// hostile or broken are refused with exit 2; the token file is written safely.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ectl, ectlPeakMemory, cleanEnv, live, plausibleReply, recordingServer, requireLiveServer, root } from './helpers.mjs';

const tmp = join(root, 'test', '.tmp', `config-safety-${process.pid}`);
const xdg = join(tmp, 'xdg');
const userConfig = join(xdg, 'ectl', 'config.yaml');
const userPw = join(tmp, 'user.pw');
const USER_SECRET = `user-secret-${process.pid}`;
let good; // the server the user's own config names
let evil; // the server a hostile project file names

/** With the user config of the trust tests. */
const userEnv = (extra = {}) => cleanEnv({ XDG_CONFIG_HOME: xdg, XDG_CACHE_HOME: join(tmp, 'cache'), ...extra });
/** With no user config. */
const env = (extra = {}) => cleanEnv({ XDG_CONFIG_HOME: join(tmp, 'no-config'), XDG_CACHE_HOME: join(tmp, 'cache'), ...extra });
/** The user's own config: a profile for `good`, plus whatever else is given (trusted-dirs...). */
const writeUserConfig = (extra = '') => writeFileSync(userConfig,
  `url: ${good.url}\nuser: admin@good.example\npassword-file: ${userPw}\nprofiles:\n  mine:\n    timeout: 5\n${extra}`, { mode: 0o600 });

before(async () => {
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(xdg, 'ectl'), { recursive: true });
  writeFileSync(userPw, `${USER_SECRET}\n`, { mode: 0o600 });
  good = await recordingServer();
  evil = await recordingServer();
});
after(async () => {
  await good.close();
  await evil.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A cloned repository: config files of every kind cosmiconfig knows, the code ones leaving a mark. */
function hostileProject(name) {
  const dir = join(tmp, name);
  const marks = join(dir, 'marks');
  mkdirSync(join(dir, '.config'), { recursive: true });
  mkdirSync(marks, { recursive: true });
  const code = (file) => `require('node:fs').writeFileSync(${JSON.stringify(join(marks, file.replace(/\//g, '_')))}, 'ran'); module.exports = { url: ${JSON.stringify(evil.url)} };\n`;
  for (const f of ['.ectlrc.js', '.ectlrc.cjs', '.ectlrc.mjs', '.ectlrc.ts', 'ectl.config.js', 'ectl.config.cjs', 'ectl.config.mjs', 'ectl.config.ts', '.config/ectlrc.js', '.config/ectlrc.cjs']) {
    writeFileSync(join(dir, f), code(f));
  }
  // It sends the user's own password (its file) to a server of its choosing.
  writeFileSync(join(dir, '.ectlrc.yaml'), `url: ${evil.url}\npassword-file: ${userPw}\nprofiles:\n  theirs:\n    timeout: 1\n`);
  return { dir, marks };
}

const ran = (marks) => execFileSync('ls', [marks], { encoding: 'utf8' });

test('a project directory never runs code and is ignored unless the user config trusts it (commands and completion)', async () => {
  writeUserConfig();
  const { dir, marks } = hostileProject('clone');
  const sub = join(dir, 'src', 'deep');
  mkdirSync(sub, { recursive: true });
  for (const cwd of [dir, sub]) {
    const before = good.requests.length;
    const r = await ectl(['status'], { env: userEnv(), cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, `Note: ignoring ${join(dir, '.ectlrc.yaml')}: its directory is not in trusted-dirs of ${userConfig}\n`);
    assert.equal(good.requests.length, before + 1, 'the user config was not used');
    const c = await ectl(['__complete', '--', '-P', ''], { env: userEnv(), cwd });
    assert.equal(c.stdout, 'mine\n', 'completion offered the project profiles');
    assert.equal(c.stderr, '');
  }
  assert.equal(evil.requests.length, 0, 'the project file redirected the credentials');
  assert.equal(ran(marks), '', 'a code config file ran');

  // Trusted (exactly that directory): read, and said once; still no code.
  writeUserConfig(`trusted-dirs:\n  - ${dir}\n`);
  for (const cwd of [dir, sub]) {
    const r = await ectl(['status'], { env: userEnv(), cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, `Note: reading settings from ${join(dir, '.ectlrc.yaml')} (a directory trusted in ${userConfig})\n`);
    const c = await ectl(['__complete', '--', '-P', ''], { env: userEnv(), cwd });
    assert.equal(c.stdout, 'theirs\n');
  }
  assert.equal(evil.requests.length, 2);
  assert.equal(ran(marks), '', 'a code config file ran');

  // An exact entry does not trust the directories below it; `/**` does.
  const inner = join(tmp, 'outer', 'inner');
  mkdirSync(inner, { recursive: true });
  writeFileSync(join(inner, '.ectlrc'), `url: ${evil.url}\n`);
  writeUserConfig(`trusted-dirs: [${join(tmp, 'outer')}]\n`);
  const exact = await ectl(['--dry-run', 'status'], { env: userEnv(), cwd: inner });
  assert.match(exact.stdout, new RegExp(`^POST ${good.url}/status$`, 'm'));
  assert.match(exact.stderr, /^Note: ignoring /);
  writeUserConfig(`trusted-dirs: ['${join(tmp, 'outer')}/**']\n`);
  const subtree = await ectl(['--dry-run', 'status'], { env: userEnv(), cwd: inner });
  assert.match(subtree.stdout, new RegExp(`^POST ${evil.url}/status$`, 'm'));
  assert.match(subtree.stderr, /^Note: reading settings from /);
  assert.equal(evil.requests.length, 2);
});

test('an "ectl" key in package.json counts only in a trusted directory; trusted-dirs is read only from the user config', async () => {
  const dir = join(tmp, 'pkg');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', ectl: { url: evil.url } }));
  writeUserConfig();
  const untrusted = await ectl(['--dry-run', 'status'], { env: userEnv(), cwd: dir });
  assert.match(untrusted.stdout, new RegExp(`^POST ${good.url}/status$`, 'm'));
  writeUserConfig(`trusted-dirs: [${dir}]\n`);
  const trusted = await ectl(['--dry-run', 'status'], { env: userEnv(), cwd: dir });
  assert.match(trusted.stdout, new RegExp(`^POST ${evil.url}/status$`, 'm'));
  // A project file cannot widen the trust.
  const rc = join(tmp, 'widen');
  mkdirSync(rc, { recursive: true });
  writeFileSync(join(rc, '.ectlrc.yml'), `trusted-dirs: ['/**']\n`);
  writeUserConfig(`trusted-dirs: [${rc}]\n`);
  const widen = await ectl(['--dry-run', 'status'], { env: userEnv(), cwd: rc });
  assert.equal(widen.code, 2);
  assert.equal(widen.stderr, `Error: bad config file ${join(rc, '.ectlrc.yml')} line 1: 'trusted-dirs' is read only from your own config file ${userConfig}\n`);
  writeUserConfig('trusted-dirs: [relative/dir]\n');
  const rel = await ectl(['--dry-run', 'status'], { env: userEnv(), cwd: rc });
  assert.equal(rel.code, 2);
  assert.match(rel.stderr, /'trusted-dirs' entries must be absolute paths \(or start with ~\/\), not 'relative\/dir'\n$/);
});

test('an inline token in a config file others can read gives a warning (not the token)', async () => {
  const file = join(tmp, 'token.yaml');
  const token = `inline-token-${process.pid}`;
  writeFileSync(file, `url: ${good.url}\nprofiles:\n  t:\n    token: ${token}\n`);
  chmodSync(file, 0o644);
  const r = await ectl(['--config', file, '-P', 't', '--dry-run', 'status'], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, `Warning: the config file ${file} holds a token and can be read by other users; chmod 600 it\n`);
  chmodSync(file, 0o600);
  const quiet = await ectl(['--config', file, '-P', 't', '--dry-run', 'status'], { env: env() });
  assert.equal(quiet.stderr, '');
  assert.ok(!(r.stdout + r.stderr + quiet.stdout).includes(token));
});

test('a URL with a user name or password is refused (exit 2) and never echoed; nothing is sent', async () => {
  const pw = `Url-Pw-${process.pid}`;
  const port = new URL(good.url).port;
  const urls = [
    `http://admin%40localhost:${pw}@127.0.0.1:${port}/api`,
    `http://admin:${pw}@127.0.0.1:${port}/api`,
    `http://${pw}@127.0.0.1:${port}/api`,
    `http://admin:${pw}#x@127.0.0.1:${port}/api`, // a '#' in the password: not even a valid URL
    `http://admin:${pw}@no-such-host.invalid/api`,
  ];
  const configFile = join(tmp, 'userinfo.yaml');
  const before = good.requests.length;
  for (const url of urls) {
    writeFileSync(configFile, `url: ${url}\n`);
    const runs = [
      await ectl(['--url', url, 'status'], { env: env() }),
      await ectl(['-v', 'status'], { env: env({ ECTL_URL: url }) }),
      await ectl(['--dry-run', '--url', url, 'status'], { env: env() }),
      await ectl(['--config', configFile, 'doctor'], { env: env() }),
      await ectl(['--config', configFile, 'batch', '-'], { env: env(), input: 'status\n' }),
    ];
    for (const r of runs) {
      assert.equal(r.code, 2, `${url}: ${r.stderr}`);
      assert.ok(!(r.stdout + r.stderr).includes(pw), `the URL's password was printed: ${r.stdout}${r.stderr}`);
      assert.equal((r.stdout + r.stderr).split('\n').length, 2, r.stdout + r.stderr);
    }
    if (!url.includes('#')) assert.match(runs[0].stderr, /^Error: the URL http:\/\/[^ ]+\/api has a user name or password in it: give the user with --user and the password with ECTL_PASSWORD or --password-file\n$/);
  }
  assert.equal(good.requests.length, before);
});

test('a URL with a query or fragment, and --timeout beyond what a timer holds, are refused with exit 2', async () => {
  const cases = [
    [['--url', `${good.url}?token=qs-secret`, 'status'], /^Error: the URL http:\/\/127\.0\.0\.1:\d+\/api has a query or fragment \('\?\.\.\.' or '#\.\.\.'\): give the API's base URL only/],
    [['--url', `${good.url}#frag`, 'status'], /has a query or fragment/],
    [['--url', `${good.url}?`, 'status'], /has a query or fragment/],
    [['--url', `${good.url}\n`, 'status'], /^Error: bad URL in --url: it holds a space, line break or other control character\n$/],
    [['--url', good.url.replace('/api', '/a\tpi'), 'status'], /^Error: bad URL in --url: it holds a space, line break or other control character\n$/],
    [['--url', good.url, '--timeout', '2147484', 'status'], /^Error: --timeout must be at most 2147483 seconds \(about 24 days\), got '2147484'\n$/],
    [['--url', good.url, '--timeout', '99999999999', 'status'], /--timeout must be at most 2147483 seconds/],
  ];
  const before = good.requests.length;
  for (const [args, message] of cases) {
    const r = await ectl(args, { env: env() });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.ok(!r.stderr.includes('qs-secret'));
  }
  assert.equal(good.requests.length, before);
  const max = await ectl(['--url', good.url, '--timeout', '2147483', 'status'], { env: env() });
  assert.equal(max.code, 0, max.stderr);
});

test('--token on the command line warns that ps shows it; a token a header cannot carry is refused', async () => {
  const r = await ectl(['--url', good.url, '--token', 'cmdline-token', '--dry-run', 'status'], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, 'Warning: a token given with --token can be seen by other users (ps) and stays in shell history; use ECTL_TOKEN, --token-file or ectl login\n');
  const viaEnv = await ectl(['--url', good.url, '--dry-run', 'status'], { env: env({ ECTL_TOKEN: 'env-token' }) });
  assert.equal(viaEnv.stderr, '');

  const file = join(tmp, 'crlf.json');
  writeFileSync(file, JSON.stringify({ token: 'abc\r\nX-Evil: 1' }), { mode: 0o600 });
  const bare = join(tmp, 'bare.token');
  writeFileSync(bare, 'abc def\n', { mode: 0o600 });
  const before = good.requests.length;
  const cases = [
    [{ ECTL_TOKEN: 'abc\r\nX-Evil: 1' }, [], /^Error: the token from ECTL_TOKEN holds a line break, space or other character an HTTP header cannot carry\n$/],
    [{}, ['--token', 'tok\n'], /^Error: the token from --token holds a line break/m],
    [{}, ['--token', 'tök'], /the token from --token holds a line break, space or other character/],
    [{}, ['--token-file', file], new RegExp(`^Error: the token in ${file} holds a line break`)],
    [{}, ['--token-file', bare], /holds a line break, space or other character/],
  ];
  for (const [extra, args, message] of cases) {
    const t = await ectl(['--url', good.url, ...args, 'status'], { env: env(extra) });
    assert.equal(t.code, 2, t.stderr);
    assert.match(t.stderr, message);
    assert.ok(!t.stderr.includes('X-Evil'));
  }
  assert.equal(good.requests.length, before);
});

test('config problems exit 2 with the right words: alias bomb, a directory, __proto__, profiles that are not mappings', async () => {
  const bomb = join(tmp, 'bomb.yaml');
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  writeFileSync(bomb, `${levels.join('\n')}\n`);
  const file = (name, text) => {
    const f = join(tmp, name);
    writeFileSync(f, text);
    return f;
  };
  const profiles = file('profiles.yaml', `url: ${good.url}\nprofiles:\n  scalar: 5\n  list:\n    - url\n  ok:\n    timeout: 3\n`);
  const cases = [
    [['--config', bomb, 'status'], `Error: bad config file ${bomb}: too many aliases (a YAML alias bomb?)\n`],
    [['--config', tmp, 'status'], `Error: the config file ${tmp} is a directory, not a file\n`],
    [['--config', '/dev/zero', 'status'], 'Error: the config file /dev/zero is a character device, not a file\n'],
    [['--config', join(tmp, 'none.yaml'), 'status'], `Error: cannot read the config file ${join(tmp, 'none.yaml')}: no such file or directory\n`],
    [['--config', profiles, '-P', '__proto__', 'status'], `Error: unknown profile '__proto__' in ${profiles} line 2 (known: scalar, list, ok)\n`],
    [['--config', profiles, '-P', 'constructor', 'status'], `Error: unknown profile 'constructor' in ${profiles} line 2 (known: scalar, list, ok)\n`],
    [['--config', profiles, '-P', 'scalar', 'status'], `Error: bad config file ${profiles} line 3: profile 'scalar' must be a mapping of settings\n`],
    [['--config', profiles, '-P', 'list', 'status'], `Error: bad config file ${profiles} line 4: profile 'list' must be a mapping of settings\n`],
    [['--config', file('p-list.yaml', 'profiles: [a, b]\n'), 'status'], `Error: bad config file ${join(tmp, 'p-list.yaml')} line 1: 'profiles' must be a mapping of profile names to settings\n`],
    [['--config', file('top-list.yaml', '- a\n- b\n'), 'status'], `Error: bad config file ${join(tmp, 'top-list.yaml')}: expected a mapping of settings\n`],
    [['--config', file('url-list.yaml', 'url: [a, b]\n'), 'status'], `Error: bad config file ${join(tmp, 'url-list.yaml')} line 1: 'url' must be a single value, not a list\n`],
    [['--config', file('in-profile.yaml', 'profiles:\n  p:\n    url: {a: 1}\n'), '-P', 'p', 'status'], `Error: bad config file ${join(tmp, 'in-profile.yaml')}: in profile 'p', 'url' must be a single value, not a mapping\n`],
    [['--config', file('password.yaml', 'password: hunter2\n'), 'status'], `Error: bad config file ${join(tmp, 'password.yaml')} line 1: unknown key 'password' (a password is not kept in the config file: use password-file)\n`],
    [['--config', file('default.yaml', 'default: [x]\n'), 'status'], `Error: bad config file ${join(tmp, 'default.yaml')} line 1: 'default' must name a profile\n`],
  ];
  const before = good.requests.length;
  for (const [args, stderr] of cases) {
    const r = await ectl(args, { env: env() });
    assert.equal(r.stderr, stderr);
    assert.equal(r.code, 2);
  }
  assert.equal(good.requests.length, before);
  const fine = await ectl(['--config', profiles, '-P', 'ok', 'status'], { env: env() });
  assert.equal(fine.code, 0, fine.stderr);
});

test('password, token and config files: too large, devices refused, pipes read with a bound', async () => {
  const big = join(tmp, 'big.pw');
  execFileSync('truncate', ['-s', '1G', big]);
  const fifo = join(tmp, 'pw.fifo');
  execFileSync('mkfifo', [fifo]);
  const base = ['--url', good.url, '--user', 'admin@good.example'];
  const before = good.requests.length;
  const cases = [
    [[...base, '--password-file', big, 'status'], `Error: the password file ${big} is too large (over 64 KiB)\n`],
    [[...base, '--password-file', '/dev/zero', 'status'], 'Error: the password file /dev/zero is a character device, not a file\n'],
    [[...base, '--password-file', tmp, 'status'], `Error: the password file ${tmp} is a directory, not a file\n`],
    [['--url', good.url, '--token-file', big, 'status'], `Error: the token file ${big} is too large (over 64 KiB)\n`],
    [['--url', good.url, '--token-file', '/dev/urandom', 'status'], 'Error: the token file /dev/urandom is a character device, not a file\n'],
    [['--config', big, 'status'], `Error: the config file ${big} is too large (over 1 MiB)\n`],
  ];
  for (const [args, stderr] of cases) {
    const r = await ectl(args, { env: env() });
    assert.equal(r.stderr, stderr);
    assert.equal(r.code, 2);
  }
  // An endless pipe is cut at the limit.
  const writer = spawn('sh', ['-c', `exec cat /dev/zero > '${fifo}'`], { stdio: 'ignore' });
  const endless = await ectl([...base, '--password-file', fifo, 'status'], { env: env() });
  writer.kill();
  assert.equal(endless.stderr, `Error: the password file ${fifo} is too large (over 64 KiB)\n`);
  assert.equal(endless.code, 2);
  assert.equal(good.requests.length, before);
  // A pipe holding a password (`--password-file <(pass show ...)`) works.
  const feeder = spawn('sh', ['-c', `printf 'piped-pw\\n' > '${fifo}'`], { stdio: 'ignore' });
  const piped = await ectl([...base, '--password-file', fifo, 'status'], { env: env() });
  feeder.kill();
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(good.requests.at(-1).headers.authorization, `Basic ${Buffer.from('admin@good.example:piped-pw').toString('base64')}`);
});

test('an empty ECTL_PASSWORD counts as unset: the password file is used, else the missing password is reported', async () => {
  const r = await ectl(['status'], { env: env({ ECTL_URL: good.url, ECTL_USER: 'admin@good.example', ECTL_PASSWORD: '', ECTL_PASSWORD_FILE: userPw }) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(good.requests.at(-1).headers.authorization, `Basic ${Buffer.from(`admin@good.example:${USER_SECRET}`).toString('base64')}`);
  const before = good.requests.length;
  const none = await ectl(['status'], { env: env({ ECTL_URL: good.url, ECTL_USER: 'admin@good.example', ECTL_PASSWORD: '' }) });
  assert.equal(none.code, 2);
  assert.equal(none.stderr, 'Error: no password for admin@good.example: set ECTL_PASSWORD or use --password-file\n');
  assert.equal(good.requests.length, before);
});

let readableEctl;
/**
 * bin/ectl in a copy that any user can read: the checkout itself may sit in a directory only its
 * owner can enter (a clone in `mktemp -d`). bin/ and dist/ are the whole of what it runs.
 */
function ectlForAnyone() {
  if (readableEctl) return readableEctl;
  const dir = mkdtempSync(join(tmpdir(), 'ectl-anyone-'));
  chmodSync(dir, 0o755);
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(root, part), join(dir, part), { recursive: true });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return (readableEctl = join(dir, 'bin', 'ectl'));
}

/** Runs ectl as a user with no passwd entry and no HOME. */
function asNobodyKnown(args, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ectlForAnyone(), ...args], { uid: 54321, gid: 54321, cwd: '/', env: { PATH: process.env.PATH, LANG: 'C.UTF-8', ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('without HOME, or with no passwd entry, ectl works without a user config', async (t) => {
  const noHome = await ectl(['--url', good.url, 'status'], { env: { PATH: process.env.PATH, LANG: 'C.UTF-8' }, cwd: '/' });
  assert.equal(noHome.code, 0, noHome.stderr);
  assert.equal(noHome.stderr, '');
  if (process.getuid?.() !== 0) return t.skip('the no-passwd-entry case runs ectl as another uid, which needs root');
  const before = good.requests.length;
  // The release is given: without a home there is no cache, and status would be asked every time.
  const r = await asNobodyKnown(['--url', good.url, 'status'], { ECTL_RELEASE: '23.01' });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /uv_os_homedir/);
  assert.equal(good.requests.length, before + 1);
  const login = await asNobodyKnown(['--url', good.url, '--user', 'a@b', 'login'], { ECTL_PASSWORD: 'x' });
  assert.equal(login.code, 2);
  assert.equal(login.stderr, 'Error: there is no home directory to keep the token in: name a file with --token-file\n');
  const tilde = await asNobodyKnown(['--url', good.url, '--user', 'a@b', '--password-file', '~/pw', 'status']);
  assert.equal(tilde.stderr, "Error: cannot expand '~' in ~/pw: there is no home directory (HOME is not set)\n");
});

test('a 1 GB config file (on disk or through a pipe) is refused in well under 400 MB', async (t) => {
  const big = join(tmp, 'huge.yaml');
  execFileSync('truncate', ['-s', '1G', big]);
  const disk = await ectlPeakMemory(['--config', big, 'status'], { env: env() });
  assert.equal(disk.code, 2);
  assert.match(disk.stderr, /^Error: the config file .* is too large \(over 1 MiB\)$/m);
  const fifo = join(tmp, 'huge.fifo');
  execFileSync('mkfifo', [fifo]);
  const writer = spawn('sh', ['-c', `head -c 1073741824 /dev/zero > '${fifo}'`], { stdio: 'ignore' });
  const piped = await ectlPeakMemory(['--config', fifo, 'status'], { env: env() });
  writer.kill();
  assert.equal(piped.code, 2);
  assert.match(piped.stderr, /is too large \(over 1 MiB\)/);
  for (const r of [disk, piped]) assert.ok(r.peakMB > 0 && r.peakMB < 400, `peak ${r.peakMB} MB`);
  t.diagnostic(`peak RSS for a 1 GB config file: ${disk.peakMB.toFixed(1)} MB on disk, ${piped.peakMB.toFixed(1)} MB through a pipe`);
});

// ---------------------------------------------------------------------------------------------
// The token file

test('login writes the token file anew (0600), replacing a symlink at its path instead of writing through it', async () => {
  requireLiveServer();
  const dir = join(tmp, 'tokens');
  mkdirSync(dir, { recursive: true });
  const victim = join(tmp, 'victim.txt');
  writeFileSync(victim, 'precious\n');
  const link = join(dir, 'linked.json');
  symlinkSync(victim, link);
  const liveEnv = env({ ECTL_URL: live.url, ECTL_USER: live.admin, ECTL_PASSWORD: live.password });
  const r = await ectl(['--token-file', link, 'login', '--ttl', '120'], { env: liveEnv });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n', 'the symlink target was overwritten');
  const st = lstatSync(link);
  assert.ok(st.isFile(), 'the token file is still a symlink');
  assert.equal(st.mode & 0o777, 0o600);
  const saved = JSON.parse(readFileSync(link, 'utf8'));
  assert.match(saved.token, /^\w{20,}$/);
  assert.deepEqual(execFileSync('ls', ['-A', dir], { encoding: 'utf8' }), 'linked.json\n', 'a temporary file was left behind');
  const out = await ectl(['--token-file', link, 'logout'], { env: env({ ECTL_URL: live.url }) });
  assert.equal(out.code, 0, out.stderr);
  assert.ok(!existsSync(link));
  assert.ok(existsSync(victim));
});

test('login checks the token path before asking for a token, and revokes a token it cannot save', async () => {
  const server = await recordingServer((req, body, res) => {
    if (req.url === '/api/oauth_issue_token') rmSync(doomed, { recursive: true, force: true }); // the place goes away meanwhile
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url === '/api/oauth_issue_token' ? { token: 'IssuedTok3n', scopes: 'ejabberd:admin', expires_in: '120 seconds' } : plausibleReply(req.url)));
  });
  const doomed = join(tmp, 'doomed');
  try {
    const base = env({ ECTL_URL: server.url, ECTL_USER: 'admin@x', ECTL_PASSWORD: 'pw' });
    // Under a regular file, and a directory at the token path: refused before any request.
    const file = join(tmp, 'plain-file');
    writeFileSync(file, 'x');
    mkdirSync(join(tmp, 'a-dir.json'), { recursive: true });
    for (const [path, why] of [[join(file, 'tok.json'), `${file}: it is not a directory`], [join(tmp, 'a-dir.json'), 'it is a directory']]) {
      const r = await ectl(['--token-file', path, 'login'], { env: base });
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr, `Error: cannot save a token as ${path}: ${why}\n`);
    }
    assert.equal(server.requests.length, 0, 'a token was requested for a place that cannot take it');
    // The directory disappears while the token is issued: the token is revoked.
    mkdirSync(doomed, { recursive: true });
    const path = join(doomed, 'tok.json');
    const r = await ectl(['--token-file', path, 'login'], { env: base });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `Error: cannot save the token as ${path} (no such file or directory); it was revoked\n`);
    assert.deepEqual(server.requests.map((q) => q.url), ['/api/oauth_issue_token', '/api/oauth_revoke_token']);
    assert.deepEqual(JSON.parse(server.requests[1].body), { token: 'IssuedTok3n' });
  } finally {
    await server.close();
  }
});
