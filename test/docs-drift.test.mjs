// Every environment variable ectl reads is documented, in the man page and in the README.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './helpers.mjs';

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

test('every ECTL_* variable read in src/ is in man/ectl.1 and README.md', () => {
  const read = new Set();
  for (const f of sourceFiles(join(root, 'src'))) {
    if (f.includes(`${join('src', 'gen')}`)) continue;
    // ECTL_ARG_<NAME> is a variable of the curl line --dry-run prints, not one ectl reads.
    for (const m of readFileSync(f, 'utf8').matchAll(/\bECTL_[A-Z_]*[A-Z]\b/g)) if (!m[0].startsWith('ECTL_ARG')) read.add(m[0]);
  }
  assert.ok(read.size >= 10, `found only ${[...read]}`);
  const man = readFileSync(join(root, 'man', 'ectl.1'), 'utf8').replace(/\\-/g, '-').replace(/\\f[BIR]/g, '');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const name of read) {
    assert.ok(man.includes(name), `${name} is not in man/ectl.1`);
    assert.ok(readme.includes(name), `${name} is not in README.md`);
  }
});

test("the README's Exit status table is the list help and the man page print (EXIT_STATUS)", async () => {
  const { EXIT_STATUS } = await import('../dist/cli/help.js');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.split('\n## Exit status\n')[1].split('\n## ')[0];
  const rows = [...section.matchAll(/^\| (\d+) \| (.*) \|$/gm)].map((m) => [Number(m[1]), m[2]]);
  assert.deepEqual(rows, EXIT_STATUS.map(([code, , text]) => [code, text]));
});

test("the README's package figures are what npm pack packs (files exactly, sizes to 3%)", async () => {
  const { execFileSync } = await import('node:child_process');
  // --ignore-scripts: the dist/ of the build the tests run on (prepare would build it again).
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  // A package holds the code cache of the one Node that built it; a checkout may hold more.
  const caches = packed.files.filter((f) => f.path.startsWith('dist/code-cache/')).length;
  const files = packed.files.length - Math.max(0, caches - 1);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const m = readme.match(/`ectl-0\.1\.0\.tgz`: (\d+) files, (\d+) kB packed, ([\d.]+) MB unpacked/);
  assert.ok(m, 'the README gives the package figures');
  assert.equal(Number(m[1]), files, `npm pack packs ${files} files`);
  const near = (said, actual, what) => assert.ok(Math.abs(said - actual) / actual <= 0.03, `${what}: the README says ${said}, npm pack ${actual}`);
  near(Number(m[2]), packed.size / 1000, 'kB packed');
  near(Number(m[3]), packed.unpackedSize / 1e6, 'MB unpacked');
  // Every other mention of the packed size says the same.
  for (const other of readme.matchAll(/(\d+) kB packed/g)) assert.equal(other[1], m[2], `"${other[0]}" in the README`);
});

test("the README's quickstart section says the quickstart server's ports, node, hosts and spool as scripts/quickstart.mjs sets them", () => {
  const script = readFileSync(join(root, 'scripts', 'quickstart.mjs'), 'utf8');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.split('\nThe quickstart server ')[1].split('\n**`ectl` on your PATH.**')[0];
  const set = (name) => new RegExp(`process\\.env\\.${name} \\?\\?= '([^']+)'`).exec(script)?.[1];
  const [http, c2s, https, node, dir] = ['ECTL_TEST_HTTP_PORT', 'ECTL_TEST_C2S_PORT', 'ECTL_TEST_HTTPS_PORT', 'ECTL_TEST_NODE', 'ECTL_TEST_DIR'].map(set);
  assert.ok(http && c2s && https && node && dir, 'the script sets its ports, node and directory');
  assert.ok(section.includes(`\`http://127.0.0.1:${http}/api\``), `API port ${http}`);
  assert.ok(section.includes(`\`127.0.0.1:${c2s}\``), `C2S port ${c2s}`);
  assert.ok(section.includes(`HTTPS on \`${https}\``), `HTTPS port ${https}`);
  assert.ok(section.includes(`--node ${node} status`) && section.includes(`--spool ${dir}/spool`), 'the ejabberdctl line');
  const template = readFileSync(join(root, 'test', 'server', 'ejabberd.yml.tmpl'), 'utf8');
  const hosts = [.../^hosts:\n((?: +- .+\n)+)/m.exec(template)[1].matchAll(/- (\S+)/g)].map((m) => `\`${m[1]}\``);
  assert.ok(section.includes(`serves the hosts ${hosts.join(' and ')}`), `hosts ${hosts}`);
});
