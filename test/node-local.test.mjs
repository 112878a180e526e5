// The node-local fact list (src/catalogue/node-local.ts) checked against ejabberd's source: at
// every release tag that has a listed command over HTTP, its definition names the function the
// fact names, and that function's source (or a followed one's) holds the fact's evidence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { NODE_LOCAL, nodeLocal } from '../dist/catalogue/node-local.js';
import { findEjabberdGit, loadDefinitions } from '../dist/gen/ejabberd-source.js';
import { entryFor } from '../dist/catalogue/releases.js';

const source = findEjabberdGit();
const definitions = loadDefinitions().definitions;
const files = new Map();

/** A module's source at a tag (cached). */
function moduleSource(tag, module) {
  const key = `${tag}:${module}`;
  if (!files.has(key)) {
    let text = '';
    for (const dir of ['src', 'src/mod_admin_extra']) {
      try {
        text = execFileSync('git', ['--git-dir', source, 'show', `${tag}:${dir}/${module}.erl`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
        break;
      } catch { /* next place */ }
    }
    files.set(key, text);
  }
  return files.get(key);
}

/** Every clause of a function: from each line starting `name(` to the next top-level form. */
export function functionSource(text, name) {
  const lines = text.split('\n');
  const out = [];
  let inside = false;
  for (const line of lines) {
    if (line.startsWith(`${name}(`)) inside = true;
    else if (/^[a-z-]/.test(line)) inside = false;
    if (inside) out.push(line);
  }
  return out.join('\n');
}

test('each node-local fact names a command ectl knows, once', () => {
  const names = NODE_LOCAL.map((f) => f.name);
  assert.equal(new Set(names).size, names.length);
  for (const f of NODE_LOCAL) {
    assert.ok(entryFor(f.name), `${f.name} is not in the catalogue`);
    assert.equal(nodeLocal(f.name), f);
    assert.ok(f.why.length > 10 && !/[\r\n]/.test(f.why), f.name);
  }
  assert.equal(nodeLocal('registered_users'), undefined);
  assert.deepEqual(NODE_LOCAL.filter((f) => f.destructive).map((f) => f.name).sort(),
    ['evacuate_kindly', 'halt', 'join_cluster', 'restart', 'restart_kindly', 'stop', 'stop_kindly']);
});

test('each node-local fact holds in ejabberd source at every tag that has the command', {
  skip: source ? false : 'no ejabberd git directory (set ECTL_EJABBERD_GIT to a clone of processone/ejabberd)',
}, () => {
  let checked = 0;
  const wrong = [];
  for (const fact of NODE_LOCAL) {
    const defs = definitions.filter((d) => d.name === fact.name && !d.internal && !d.ctlOnly);
    assert.ok(defs.length > 0, `${fact.name}: no HTTP definition`);
    for (const def of defs) {
      assert.equal(def.function, fact.function, `${fact.name}: the definition calls ${def.function}`);
      for (const tag of def.releases) {
        const text = [fact.function, ...(fact.follow ?? [])].map((mf) => {
          const [module, fn] = mf.split(':');
          return functionSource(moduleSource(tag, module), fn);
        }).join('\n');
        if (!new RegExp(fact.evidence).test(text)) wrong.push(`${fact.name} at ${tag}: no /${fact.evidence}/ in ${fact.function}${text ? '' : ' (not found)'}`);
        checked++;
      }
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(checked > 300, `only ${checked} checks`);
});

test('the fact check can fail: evidence that is not in the source is not found', { skip: source ? false : 'no ejabberd git directory' }, () => {
  const text = functionSource(moduleSource('23.01', 'ejabberd_admin'), 'status');
  assert.match(text, /init:get_status/);
  assert.doesNotMatch(text, /init:stop\(\)/);
  assert.doesNotMatch(functionSource(moduleSource('23.01', 'ejabberd_admin'), 'list_cluster'), /init:get_status/);
});
