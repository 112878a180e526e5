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
