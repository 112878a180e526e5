// The start-up machinery (issue 14): the bundle's parts loaded when first used (chunks, one
// catalogue file per command), the one-file bundle of scripts/bundle.mjs --single, and the code
// cache of bin/ectl: where it is kept, where it is refused, and that failing to keep it never
// changes a call. Run with each Node of the suite (the cache is per V8 version).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, ectl, root } from './helpers.mjs';
import { allEntries } from '../dist/catalogue/commands.js';
import { resolveCommand } from '../dist/catalogue/resolve.js';

const version = `${process.versions.v8}-${process.arch}`;
const NEWEST = '26.07';
const scratch = () => mkdtempSync(join(tmpdir(), 'ectl-startup-'));
const cacheDirIn = (base) => join(base, 'ectl', 'code-cache', version);

test('help of every command comes from its own catalogue file in the bundle', async () => {
  const names = allEntries().map((e) => e.name);
  const r = await ectl(['--release', NEWEST, 'help', ...names], { env: cleanEnv() });
  assert.equal(r.code, 0, r.stderr);
  for (const e of allEntries()) {
    const spec = resolveCommand(e, NEWEST);
    if (!spec.missing) assert.ok(r.stdout.includes(spec.summary), `help of ${e.name}`);
  }
});

test('every command builds its request from the bundle (--dry-run, its example arguments)', async () => {
  const specs = allEntries().map((e) => resolveCommand(e, NEWEST)).filter((s) => !s.missing);
  const input = specs.map((s) => JSON.stringify({ command: s.name, args: s.example })).join('\n');
  const r = await ectl(['--release', NEWEST, '-o', 'json', '--dry-run', 'batch'], { env: cleanEnv({ ECTL_URL: 'http://127.0.0.1:9/api' }), input });
  assert.equal(r.code, 0, r.stderr);
  const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(records.map((x) => x.command), specs.map((s) => s.name));
  assert.ok(records.every((x) => x.ok === true && x.request.url.startsWith('http://127.0.0.1:9/api/')));
});

test('unknown or odd command words find no catalogue file (no path outside it is read)', async () => {
  for (const word of ['../../package', 'Status', 'status.json', 'all']) {
    const r = await ectl([word], { env: cleanEnv() });
    assert.equal(r.code, 2, `${word}: ${r.stderr}`);
    assert.match(r.stderr, /^Error: unknown command/);
  }
});

test('the code cache goes to $XDG_CACHE_HOME/ectl/code-cache/<V8 version>, private to the user', async () => {
  const base = scratch();
  try {
    const r = await ectl(['--help'], { env: cleanEnv({ XDG_CACHE_HOME: base }) });
    assert.equal(r.code, 0, r.stderr);
    const dir = cacheDirIn(base);
    const files = readdirSync(dir);
    assert.ok(files.length > 0, 'a cache file was written');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const f of files) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
    // The next call reads it and has nothing more to write.
    const before = files.map((f) => statSync(join(dir, f)).mtimeMs);
    assert.equal((await ectl(['--help'], { env: cleanEnv({ XDG_CACHE_HOME: base }) })).stdout, r.stdout);
    assert.deepEqual(readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs), before);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('no cache in a base others can write, nor in a base whose parent is missing, nor when Node says not to', async () => {
  const shared = scratch();
  chmodSync(shared, 0o777);
  const missing = join(scratch(), 'no', 'such', 'dir');
  try {
    const plain = await ectl(['--help'], { env: cleanEnv({ XDG_CACHE_HOME: shared }) });
    assert.equal(plain.code, 0, plain.stderr);
    assert.deepEqual(readdirSync(shared), [], 'nothing created in a world-writable base');
    const r = await ectl(['--help'], { env: cleanEnv({ XDG_CACHE_HOME: missing }) });
    assert.equal(r.stdout, plain.stdout);
    assert.equal(existsSync(join(missing, '..')), false, 'no parent directory made');
    chmodSync(shared, 0o700);
    const off = await ectl(['--help'], { env: cleanEnv({ XDG_CACHE_HOME: shared, NODE_DISABLE_COMPILE_CACHE: '1' }) });
    assert.equal(off.stdout, plain.stdout);
    assert.deepEqual(readdirSync(shared), [], 'NODE_DISABLE_COMPILE_CACHE writes nothing');
    // Without HOME and XDG_CACHE_HOME nothing is written anywhere, and the call works.
    const none = await ectl(['--help'], { env: cleanEnv({ HOME: null, XDG_CACHE_HOME: null }) });
    assert.equal(none.stdout, plain.stdout);
  } finally {
    rmSync(shared, { recursive: true, force: true });
    rmSync(join(missing, '..', '..', '..'), { recursive: true, force: true });
  }
});

test('a cache that cannot be written or read back never breaks a call', async () => {
  const base = scratch();
  try {
    const env = cleanEnv({ XDG_CACHE_HOME: base });
    const first = await ectl(['--help'], { env });
    const dir = cacheDirIn(base);
    // Damaged cache files: V8 rejects them, the call runs as if there were none and writes them again.
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), 'not a code cache');
    const damaged = await ectl(['--help'], { env });
    assert.equal(damaged.code, 0, damaged.stderr);
    assert.equal(damaged.stdout, first.stdout);
    for (const f of readdirSync(dir)) assert.notEqual(readFileSync(join(dir, f), 'utf8'), 'not a code cache', f);
    // The cache directory is a file: nothing can be written, the call is the same.
    rmSync(dir, { recursive: true });
    writeFileSync(dir, '');
    const blocked = await ectl(['--help'], { env });
    assert.equal(blocked.code, 0, blocked.stderr);
    assert.equal(blocked.stdout, first.stdout);
    // XDG_CACHE_HOME itself is a file.
    const file = join(base, 'a-file');
    writeFileSync(file, '');
    const odd = await ectl(['--help'], { env: cleanEnv({ XDG_CACHE_HOME: file }) });
    assert.equal(odd.stdout, first.stdout);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('scripts/bundle.mjs --single writes one self-contained file that runs any command line', () => {
  const dir = scratch();
  try {
    const file = join(dir, 'ectl-single.cjs');
    const built = spawnSync(process.execPath, [join(root, 'scripts', 'bundle.mjs'), '--single', file], { cwd: root, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    // Alone in its directory: no chunk or catalogue file beside it to load.
    assert.deepEqual(readdirSync(dir), ['ectl-single.cjs']);
    const run = (...args) => spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)}).run(${JSON.stringify(args)})`], { env: cleanEnv(), encoding: 'utf8' });
    const help = run('help', 'register');
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /register/);
    const dry = run('--dry-run', 'register', 'bob', 'example.org', 'pw');
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /\/register/);
    assert.match(run('completion', 'bash').stdout, /complete/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
