// The catalogue against its sources: the API reference (when this checkout can see it) and
// the running server's own description of its commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commands, allEntries } from '../dist/catalogue/commands.js';
import { resolveCommand } from '../dist/catalogue/resolve.js';
import { typeToString } from '../dist/catalogue/types.js';
import { findReference } from '../dist/gen/catalogue-gen.js';
import { ejabberdctl, requireLiveServer, root, liveServer } from './helpers.mjs';
import { servedCommands } from './markdown-doc.mjs';

const entries = allEntries();

test('every entry, at every API version, has our own descriptions and an example per argument', () => {
  assert.ok(entries.length >= 220, `only ${entries.length} entries`);
  assert.equal(new Set(entries.map((e) => e.name)).size, entries.length);
  for (const e of entries) {
    assert.ok(e.summary.length > 5, `${e.name} has no summary`);
    assert.ok(e.definitions.length > 0, `${e.name} has no definition`);
    for (const d of e.definitions) {
      assert.equal(d.example.length, d.args.length, `${e.name} v${d.version}: example arity`);
      assert.ok(d.example.every((x) => typeof x === 'string'), `${e.name} v${d.version}: example`);
      for (const a of d.args) assert.ok(a.description.length > 3, `${e.name} v${d.version} ${a.name} has no description`);
      assert.ok(d.result.description.length > 3, `${e.name} v${d.version}: result`);
    }
  }
});

test('the committed catalogue is what the generator makes from definitions.json and descriptions.json now', () => {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'gen', 'catalogue-gen.js'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('the compatibility list is ejabberd 23.01 at API version 0: its 166 commands, each once', () => {
  const at2301 = entries.map((e) => resolveCommand(e, '23.01', 0)).filter((r) => !r.missing);
  assert.equal(commands.length, 166);
  assert.deepEqual(commands.map((c) => c.name), at2301.map((r) => r.name));
  for (const [i, c] of commands.entries()) {
    const r = at2301[i];
    assert.deepEqual({ ...c }, { name: r.name, summary: r.summary, details: r.details, args: r.args, result: r.result, tags: r.tags, module: r.module, example: r.example, since: r.since }, c.name);
  }
});

const reference = findReference();
test('no summary copies the reference description', { skip: reference ? false : 'API reference not found' }, () => {
  const text = readFileSync(reference, 'utf8');
  const lines = text.split('\n');
  for (const c of commands) {
    const i = lines.indexOf(c.name);
    if (i < 0) continue;
    assert.notEqual(lines[i + 1].trim().toLowerCase(), c.summary.toLowerCase(), `${c.name} summary is the reference's`);
  }
});

test('the live server describes every command it has exactly as the catalogue does', () => {
  const served = servedCommands(liveServer('23.01'));
  assert.ok(served.length >= 150, `the server described only ${served.length} commands`);
  const ours = new Map(commands.map((c) => [c.name, c]));
  for (const s of served) {
    const c = ours.get(s.name);
    assert.ok(c, `the server has '${s.name}', the catalogue does not`);
    assert.deepEqual(c.args.map((a) => `${a.name}::${typeToString(a.type)}`), s.args.map((a) => `${a.name}::${typeToString(a.type)}`), `${s.name} arguments`);
    assert.equal(`${c.result.name}::${typeToString(c.result.type)}`, `${s.result.name}::${typeToString(s.result.type)}`, `${s.name} result`);
    assert.deepEqual(c.tags, s.tags, `${s.name} tags`);
    assert.equal(c.module, s.module, `${s.name} module`);
  }
});

test('rescode and restuple results match what ejabberdctl help says of a sample of commands', () => {
  requireLiveServer();
  for (const name of ['register', 'check_account', 'add_rosteritem', 'backup', 'set_loglevel', 'stats', 'get_last', 'muc_online_rooms', 'delete_old_users', 'srg_create']) {
    const r = ejabberdctl('help', name);
    const m = /Returns: (\w+)::(\w+)/.exec(r.stdout);
    const c = commands.find((x) => x.name === name);
    const kind = typeof c.result.type === 'string' ? c.result.type : 'complex';
    const theirs = m ? (['rescode', 'restuple', 'integer'].includes(m[2]) ? m[2] : ['string', 'binary', 'atom'].includes(m[2]) ? 'string' : 'complex') : 'complex';
    assert.equal(kind, theirs, `${name}: ejabberdctl says ${m?.[0]}`);
  }
});
