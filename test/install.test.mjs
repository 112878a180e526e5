// Installing ectl as its users and packagers would, each install making a real call against the
// test server: the npm package packed from a clean clone (git clone of the committed HEAD, so
// uncommitted changes are not in it) and installed with npm install -g into a temporary
// prefix; the single executable (npm run exe) run with no node on the PATH; and
// npm run install-files into a temporary DESTDIR. Slow (npm ci in the clone, two builds): npm
// uses its usual cache and reaches nothing but the npm registry, and only for what the cache
// lacks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { cleanEnv, ectl, live, requireLiveServer, root, showRun } from './helpers.mjs';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const manPage = readFileSync(join(root, 'man', 'ectl.1'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'ectl-install-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** npm's environment: this machine's, without what an outer `npm test` set for its own run. */
function npmEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_(config_(global|prefix|location)$|lifecycle_|package_)/i.test(k)));
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  return { code: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? `${r.error}\n` : ''}` };
}
function mustRun(cmd, args, opts) {
  const r = run(cmd, args, opts);
  assert.equal(r.code, 0, `${cmd} ${args.join(' ')}\n${showRun(r)}`);
  return r;
}

// The real call every install makes, and what the checkout's own bin/ectl prints for it.
const CALL = ['registered_users', 'localhost'];
let expected;
before(async () => {
  requireLiveServer();
  const r = await ectl(CALL);
  assert.equal(r.code, 0, showRun(r));
  assert.ok(r.stdout.split('\n').includes(live.admin.split('@')[0]), 'the admin account is registered');
  expected = r.stdout;
});
const callEnv = (extra = {}) => cleanEnv({ ECTL_URL: live.url, ECTL_USER: live.admin, ECTL_PASSWORD: live.password, ...extra });

test('npm pack from a clean clone builds and ships what runs; npm install -g of it runs ectl, man ectl and npx ectl', () => {
  const clone = join(work, 'clone');
  mustRun('git', ['clone', '--quiet', '--no-hardlinks', root, clone]);
  assert.ok(!existsSync(join(clone, 'dist')), 'a clean clone has no dist/');
  // Without scripts: the build below must come from npm pack itself (prepare).
  mustRun('npm', ['ci', '--ignore-scripts', '--prefer-offline', '--no-progress'], { cwd: clone, env: npmEnv() });
  const packed = JSON.parse(mustRun('npm', ['pack', '--json', '--prefer-offline'], { cwd: clone, env: npmEnv() }).stdout);
  const files = packed[0].files.map((f) => f.path);
  for (const f of ['bin/ectl', 'dist/ectl.cjs', 'dist/index.js', 'dist/index.d.ts', 'man/ectl.1', 'completions/ectl.bash', 'completions/_ectl', 'completions/ectl.fish', 'package.json', 'README.md']) {
    assert.ok(files.includes(f), `${f} is in the package`);
  }
  const unwanted = files.filter((f) => /^(src|test|scripts|node_modules|dist\/(cli|gen|config))\/|\.map$|^dist\/ectl-|(?<!\.d)\.ts$/.test(f));
  assert.deepEqual(unwanted, [], 'sources, tests, scripts, maps and the executable are not shipped');

  const prefix = join(work, 'prefix');
  mustRun('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-progress', join(clone, packed[0].filename)], { cwd: work, env: npmEnv() });
  const bin = join(prefix, 'bin');
  const path = `${bin}${delimiter}${dirname(process.execPath)}${delimiter}/usr/bin${delimiter}/bin`;
  const r = run('ectl', CALL, { cwd: work, env: callEnv({ PATH: path }) });
  assert.equal(r.code, 0, showRun(r));
  assert.equal(r.stdout, expected);
  assert.equal(r.stderr, '');
  assert.equal(mustRun('ectl', ['--version'], { cwd: work, env: callEnv({ PATH: path }) }).stdout, `${pkg.version}\n`);

  // man finds the page through the PATH (bin/ -> share/man), as for any global npm install.
  const man = run('man', ['-w', 'ectl'], { cwd: work, env: { PATH: path, HOME: work, MANPATH: '' } });
  assert.equal(man.code, 0, `man -w ectl: ${showRun(man)}`);
  assert.equal(realpathSync(man.stdout.trim()), realpathSync(join(prefix, 'lib', 'node_modules', 'ectl', 'man', 'ectl.1')));

  // npx runs the installed package; --offline: it must not go looking in the registry.
  const npx = run('npx', ['--offline', 'ectl', ...CALL], { cwd: work, env: npmEnv({ ...callEnv({ PATH: path }), npm_config_prefix: prefix, npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? '/root', '.npm') }) });
  assert.equal(npx.code, 0, `npx ectl: ${showRun(npx)}`);
  assert.equal(npx.stdout, expected);

  // The library, from the installed package with its dependencies.
  const lib = join(prefix, 'lib', 'node_modules', 'ectl', 'dist', 'index.js');
  const script = `const { createClient } = await import(${JSON.stringify(lib)});
const c = createClient({ url: process.env.ECTL_URL, user: process.env.ECTL_USER, password: process.env.ECTL_PASSWORD, release: '23.01' });
process.stdout.write((await c.registered_users({ host: 'localhost' })).map((u) => u + '\\n').join(''));`;
  const libRun = run(process.execPath, ['--input-type=module', '-e', script], { cwd: work, env: callEnv() });
  assert.equal(libRun.code, 0, showRun(libRun));
  assert.equal(libRun.stdout, expected);
});

/** Why the running Node cannot make a single executable, or undefined when it can. */
function noSeaReason() {
  const help = run(process.execPath, ['-e', "require('node:sea')"]);
  if (help.code !== 0) return `Node ${process.version} has no node:sea module (single executable applications need Node 20.12 or later)`;
  if (!readFileSync(process.execPath).includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2')) return `${process.execPath} (Node ${process.version}) was built without single executable application support`;
  return undefined;
}

const exeName = `ectl-${process.platform}-${process.arch}`;
const exeDir = join(work, 'exe-bin');
const exe = join(exeDir, exeName);

test('npm run exe: the single executable runs commands, config files, help --man and completion with no node on the PATH', { skip: noSeaReason() }, () => {
  mkdirSync(exeDir);
  const built = mustRun(process.execPath, [join(root, 'scripts', 'exe.mjs'), '--out', exe], { cwd: root });
  assert.match(built.stdout, new RegExp(`wrote .*${exeName} \\(\\d+\\.\\d MB, Node ${process.version.replace(/\./g, '\\.')}\\)`));
  // The PATH holds the executable's directory only: no node, no npm.
  const env = (extra = {}) => callEnv({ PATH: exeDir, ...extra });
  assert.deepEqual(readdirSync(exeDir), [exeName]);
  const which = run('/bin/sh', ['-c', 'command -v node'], { env: env() });
  assert.ok(which.code !== 0 && which.stdout === '', `no node on the PATH: ${showRun(which)}`);

  const call = run(exeName, CALL, { cwd: work, env: env() });
  assert.equal(call.code, 0, showRun(call));
  assert.equal(call.stdout, expected);
  assert.equal(call.stderr, '', 'no warning about single executable applications');
  assert.equal(mustRun(exeName, ['--version'], { env: env() }).stdout, `${pkg.version}\n`);
  // Modules loaded only when used are inside too: YAML output, -v tracing, an error's exit code.
  const yaml = mustRun(exeName, ['-o', 'yaml', ...CALL], { env: env() }).stdout;
  assert.equal(yaml, expected.trimEnd().split('\n').map((u) => `- ${u}\n`).join(''));
  const verbose = run(exeName, ['-v', ...CALL], { env: env() });
  assert.match(verbose.stderr, /> POST .*\/registered_users/);
  assert.doesNotMatch(verbose.stderr, new RegExp(live.password));
  const refused = run(exeName, ['--url', 'http://127.0.0.1:9/api', 'status'], { env: env() });
  assert.equal(refused.code, 3, showRun(refused));

  // A config file's profile.
  const config = join(work, 'exe-config.yaml');
  writeFileSync(config, `default: test\nprofiles:\n  test:\n    url: ${live.url}\n    user: ${live.admin}\n    release: '23.01'\n`);
  const viaConfig = run(exeName, ['--config', config, ...CALL], { env: callEnv({ PATH: exeDir, ECTL_URL: null, ECTL_USER: null }) });
  assert.equal(viaConfig.code, 0, showRun(viaConfig));
  assert.equal(viaConfig.stdout, expected);

  // The man page comes out of the executable itself.
  assert.equal(mustRun(exeName, ['help', '--man'], { env: env() }).stdout, manPage);

  // Its completion script completes its own name too, and asks it (not node) for the server's hosts.
  const script = mustRun(exeName, ['completion', 'bash'], { env: env() }).stdout;
  assert.match(script, new RegExp(`\\ncomplete -F _ectl ectl ${exeName}\\n$`));
  const line = `${exeName} registered_users `;
  const bash = `source <(${exeName} completion bash) || exit 9
COMP_LINE='${line}'; COMP_POINT=\${#COMP_LINE}; COMP_WORDS=(${exeName} registered_users ''); COMP_CWORD=2
_ectl ${exeName} '' registered_users
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const offered = run('/bin/bash', ['--norc', '--noprofile', '-c', bash], { cwd: work, env: env({ XDG_CACHE_HOME: join(work, 'exe-cache') }) });
  assert.equal(offered.code, 0, showRun(offered));
  assert.ok(offered.stdout.split('\n').includes('localhost'), `completion offers localhost: ${showRun(offered)}`);
});

/** Every file and link under dir, relative to it, with a link's target. */
function tree(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    const rel = p.slice(base.length + 1);
    if (e.isSymbolicLink()) return [`${rel} -> ${readlinkSync(p)}`];
    return e.isDirectory() ? tree(p, base) : [rel];
  });
}

const SHARED = {
  'share/man/man1/ectl.1': 'man/ectl.1',
  'share/bash-completion/completions/ectl': 'completions/ectl.bash',
  'share/zsh/vendor-completions/_ectl': 'completions/_ectl',
  'share/fish/vendor_completions.d/ectl.fish': 'completions/ectl.fish',
};

test('npm run install-files fills DESTDIR where Debian keeps each file, with the npm package or the executable as bin/ectl', () => {
  const stage = join(work, 'destdir');
  mustRun('npm', ['run', '--silent', 'install-files', '--', '--prefix', '/usr'], { cwd: root, env: npmEnv({ DESTDIR: stage }) });
  const usr = join(stage, 'usr');
  const files = tree(usr);
  assert.deepEqual(files.filter((f) => !f.startsWith('lib/ectl/')).sort(), ['bin/ectl -> ../lib/ectl/bin/ectl', ...Object.keys(SHARED)].sort());
  assert.ok(files.includes('lib/ectl/dist/ectl.cjs') && files.includes('lib/ectl/bin/ectl'));
  assert.deepEqual(files.filter((f) => /^lib\/ectl\/(src|test|scripts|man|completions)\//.test(f)), []);
  for (const [to, from] of Object.entries(SHARED)) assert.equal(readFileSync(join(usr, to), 'utf8'), readFileSync(join(root, from), 'utf8'), to);
  assert.equal(lstatSync(join(usr, 'share/man/man1/ectl.1')).mode & 0o777, 0o644);
  const path = `${join(usr, 'bin')}${delimiter}${dirname(process.execPath)}`;
  const r = run('ectl', CALL, { cwd: work, env: callEnv({ PATH: path }) });
  assert.equal(r.code, 0, showRun(r));
  assert.equal(r.stdout, expected);

  // The executable as bin/ectl (the one the test above built, or a stand-in where it could not).
  const other = join(work, 'destdir-exe');
  let exeFile = exe;
  if (!existsSync(exe)) {
    exeFile = join(work, 'stand-in-exe');
    writeFileSync(exeFile, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(root, 'bin', 'ectl'))} "$@"\n`, { mode: 0o755 });
  }
  mustRun('npm', ['run', '--silent', 'install-files', '--', '--prefix=/opt/ectl', '--exe', exeFile], { cwd: root, env: npmEnv({ DESTDIR: other }) });
  const opt = join(other, 'opt', 'ectl');
  assert.deepEqual(tree(opt).sort(), ['bin/ectl', ...Object.keys(SHARED)].sort());
  assert.equal(lstatSync(join(opt, 'bin', 'ectl')).mode & 0o777, 0o755);
  assert.ok(readFileSync(join(opt, 'bin', 'ectl')).equals(readFileSync(exeFile)));
  const viaExe = run(join(opt, 'bin', 'ectl'), CALL, { cwd: work, env: callEnv({ PATH: join(opt, 'bin') }) });
  assert.equal(viaExe.code, 0, showRun(viaExe));
  assert.equal(viaExe.stdout, expected);

  const bad = run(process.execPath, [join(root, 'scripts', 'install-files.mjs'), '--prefix', 'relative'], { env: npmEnv() });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^Error: --prefix takes an absolute directory\n/);
});
