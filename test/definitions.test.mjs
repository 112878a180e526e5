// src/catalogue/definitions.json against its sources: ejabberd's own command definitions at
// every release tag (when this machine has ejabberd's git directory) and the 23.01 API reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { typeToString } from '../dist/catalogue/types.js';
import { parseReference } from '../dist/gen/reference.js';
import { findReference } from '../dist/gen/catalogue-gen.js';
import { documentedType, findEjabberdGit, loadDefinitions, releaseCounts, RELEASE_TAGS } from '../dist/gen/ejabberd-source.js';
import { root } from './helpers.mjs';

const file = loadDefinitions();
const at = (release) => file.definitions.filter((d) => d.releases.includes(release));
const one = (name, version, release) => {
  const found = at(release).filter((d) => d.name === name && d.version === version);
  assert.equal(found.length, 1, `${name} v${version} at ${release}: ${found.length} definitions`);
  return found[0];
};
const argNames = (d) => d.args.map((a) => a.name).join(' ');

const source = findEjabberdGit();
test('the committed definitions are what the extractor reads from ejabberd\'s git tags now', {
  skip: source ? false : 'no ejabberd git directory (set ECTL_EJABBERD_GIT to a clone of processone/ejabberd)',
}, () => {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'gen', 'ejabberd-source.js'), '--check', '--source', source], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('definitions.json covers the 18 releases, sorted, each definition once per release', () => {
  assert.deepEqual(file.releases, [...RELEASE_TAGS]);
  const keys = file.definitions.map((d) => `${d.name}/${d.version}/${file.releases.indexOf(d.releases[0])}`);
  const sorted = [...file.definitions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version - b.version || file.releases.indexOf(a.releases[0]) - file.releases.indexOf(b.releases[0])));
  assert.deepEqual(keys, sorted.map((d) => `${d.name}/${d.version}/${file.releases.indexOf(d.releases[0])}`));
  for (const release of file.releases) {
    const seen = at(release).map((d) => `${d.name} v${d.version}`);
    assert.equal(new Set(seen).size, seen.length, `${release} has a name+version twice`);
  }
  for (const d of file.definitions) {
    assert.equal(d.internal, d.tags.includes('internal'), d.name);
    assert.equal(d.ctlOnly, d.tags.includes('ejabberdctl'), d.name);
    if (!d.internal) assert.ok(!JSON.stringify([d.args, d.result]).includes('"any"'), `${d.name}: an 'any' type outside internal commands`);
  }
});

test('26.07 as the issue counts it: 240 names, 259 definitions, 16 internal, 4 ejabberdctl-only, none removed since 23.01', () => {
  const counts = Object.fromEntries(releaseCounts(file).map((c) => [c.release, c]));
  assert.deepEqual({ ...counts['26.07'], release: undefined }, { release: undefined, names: 240, definitions: 259, internal: 16, ctlOnly: 4, http: 220 });
  const ctl = new Set(at('26.07').filter((d) => d.ctlOnly).map((d) => d.name));
  assert.deepEqual([...ctl].sort(), ['help', 'mnesia_change', 'mnesia_info_ctl', 'print_sql_schema']);
  const newest = new Set(at('26.07').map((d) => d.name));
  for (const d of at('23.01')) assert.ok(newest.has(d.name), `${d.name} was removed`);
});

test('the version changes the issue lists', () => {
  const versions = (name, release) => at(release).filter((d) => d.name === name).map((d) => d.version).sort();
  for (const [name, expected] of Object.entries({
    add_rosteritem: [0, 1], srg_create: [0, 1], send_direct_invitation: [0, 1], set_presence: [0, 1], oauth_issue_token: [0, 1],
    subscribe_room: [0, 1, 3], subscribe_room_many: [0, 1, 3], unsubscribe_room: [0, 3], ban_account: [0, 2], kick_user: [0, 2],
    rooms_empty_destroy: [0, 2], get_ban_details: [2], unban_account: [2], get_room_affiliations: [0, 3], set_room_affiliation: [0, 3],
    muc_register_nick: [0, 3], muc_unregister_nick: [0, 3], status_list: [0, 3], status_list_host: [0, 3],
  })) {
    assert.deepEqual(versions(name, '26.07'), expected, name);
    assert.deepEqual(versions(name, '23.01'), expected.includes(0) ? [0] : [], `${name} at 23.01`);
  }
  assert.deepEqual(one('add_rosteritem', 1, '24.02').args[5], { name: 'groups', type: { list: { name: 'group', type: 'string' } } });
  assert.equal(one('set_presence', 1, '24.02').args[6].type, 'integer');
  assert.equal(one('kick_user', 2, '24.06').result.type, 'restuple');
  assert.equal(one('rooms_empty_destroy', 2, '24.06').result.type, 'restuple');
  assert.equal(argNames(one('set_room_affiliation', 3, '24.12')), 'room service user host affiliation');
  assert.equal(argNames(one('set_room_affiliation', 0, '26.07')), 'name service jid affiliation');
  assert.equal(argNames(one('subscribe_room', 3, '24.12')), 'user host nick room service nodes');
  assert.equal(typeToString(one('status_list', 3, '24.12').result.type), '[userstatus::{jid::string, priority::integer, status::string}]');
  assert.deepEqual(versions('subscribe_room', '24.10'), [0, 1], 'v3 arrived in 24.12');
});

test('changes without a version bump: get_roster 23.10, join_cluster 24.06, MUC name -> room 24.12', () => {
  const roster = (r) => typeToString(one('get_roster', 0, r).result.type);
  assert.match(roster('23.04'), /ask::string, group::string/);
  assert.match(roster('23.10'), /pending::string, groups::\[group::string\]/);
  assert.equal(one('join_cluster', 0, '24.02').result.type, 'rescode');
  assert.equal(one('join_cluster', 0, '24.06').result.type, 'restuple');
  const renamed = [...new Set(at('24.12').filter((d) => d.version === 0 && d.args[0]?.name === 'room'
    && one(d.name, 0, '24.10').args[0]?.name === 'name').map((d) => d.name))];
  assert.ok(renamed.length >= 10, `only ${renamed.join(' ')}`);
  assert.ok(renamed.includes('create_room') && renamed.includes('destroy_room'));
});

const reference = findReference();
// Where ejabberd 23.01's own source and the reference text differ: the reference lists
// get_room_history (added in 23.04) and lost the tags of three commands.
const REFERENCE_ONLY = ['get_room_history'];
const TAGS_LOST_BY_THE_REFERENCE = { delete_old_users: 'accounts purge', delete_old_users_vhost: 'accounts purge', import_prosody: 'mnesia sql' };

test('the 23.01 definitions agree with the API reference, but for the known differences', { skip: reference ? false : 'API reference not found (set ECTL_REFERENCE)' }, () => {
  const ref = parseReference(readFileSync(reference, 'utf8'));
  const defs = at('23.01');
  const byName = new Map(defs.map((d) => [d.name, d]));
  const field = (f) => `${f.name}::${typeToString(documentedType(f.type))}`;
  const missing = ref.filter((r) => !byName.has(r.name)).map((r) => r.name);
  assert.deepEqual(missing, REFERENCE_ONLY);
  assert.equal(defs.length, ref.length - REFERENCE_ONLY.length, 'commands the reference does not list');
  for (const r of ref) {
    const d = byName.get(r.name);
    if (!d) continue;
    assert.deepEqual(d.args.map(field), r.args.map(field), `${r.name} arguments`);
    assert.equal(field(d.result), field(r.result), `${r.name} result`);
    assert.equal(d.tags.join(' '), TAGS_LOST_BY_THE_REFERENCE[r.name] ?? r.tags.join(' '), `${r.name} tags`);
    if (TAGS_LOST_BY_THE_REFERENCE[r.name]) assert.deepEqual(r.tags, [], `${r.name}: the reference has its tags now`);
    assert.equal(d.module, r.module, `${r.name} module`);
  }
});

test('the Erlang reader: literals, ++, ?MODULE, ?T(), bound variables; what it cannot evaluate is unknown, not an error', async () => {
  const { functionBodies } = await import('../dist/gen/erlang-terms.js');
  const [body] = functionBodies(`-module(m).
%% a comment with "quotes" and 'atoms'
get_commands_spec() ->
    Text = "a" "b\\n" ++ "c",
    [#ejabberd_commands{name = 'quoted name', module = ?MODULE, desc = ?T("x"), longdesc = Text,
                        args = [{n, integer}, {l, {list, {e, {tuple, [{a, binary}]}}}}],
                        args_example = [<<"x">>, fun(X) -> case X of _ -> X end end, #{k => 1}, -3, $a],
                        result_example = lists:flatten(io_lib:format("~p", [x]))}].
`, 'get_commands_spec');
  assert.equal(body.k, 'list');
  const rec = body.v[0];
  assert.equal(rec.k, 'rec');
  const f = Object.fromEntries(rec.fields);
  assert.deepEqual(f.name, { k: 'atom', v: 'quoted name' });
  assert.deepEqual(f.module, { k: 'atom', v: 'm' });
  assert.deepEqual(f.desc, { k: 'str', v: 'x' });
  assert.deepEqual(f.longdesc, { k: 'str', v: 'ab\nc' });
  assert.equal(f.args.v[1].v[1].v[1].v[1].v[1].v[0].v[0].v, 'a');
  assert.deepEqual(f.args_example.v.map((t) => t.k), ['bin', 'unknown', 'unknown', 'num', 'num']);
  assert.equal(f.args_example.v[3].v, -3);
  assert.equal(f.result_example.k, 'unknown');
});

test('no description copies ejabberd\'s own text (summary, details, arguments, result)', {
  skip: source ? false : 'no ejabberd git directory (set ECTL_EJABBERD_GIT to a clone of processone/ejabberd)',
}, async () => {
  const { functionBodies, textOf } = await import('../dist/gen/erlang-terms.js');
  const descriptions = JSON.parse(readFileSync(join(root, 'src', 'catalogue', 'descriptions.json'), 'utf8'));
  const norm = (s) => s.toLowerCase().replace(/[`_*.]/g, '').replace(/\s+/g, ' ').trim();
  const theirs = new Map(); // command name -> normalised texts of every release
  for (const tag of ['23.01', '24.12', '26.07']) {
    const files = spawnSync('git', ['--git-dir', source, 'grep', '-l', '-E', '^get_commands_spec\\(\\) *->', tag, '--', 'src/*.erl'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    for (const f of files) {
      const text = spawnSync('git', ['--git-dir', source, 'show', f], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout;
      for (const body of functionBodies(text, 'get_commands_spec')) {
        for (const rec of body.v) {
          const texts = theirs.get(rec.fields.get('name').v) ?? new Set();
          for (const k of ['desc', 'longdesc', 'result_desc']) {
            const t = rec.fields.get(k) && textOf(rec.fields.get(k));
            if (t) texts.add(norm(t));
          }
          const argsDesc = rec.fields.get('args_desc');
          if (argsDesc?.k === 'list') for (const a of argsDesc.v) if (textOf(a)) texts.add(norm(textOf(a)));
          theirs.set(rec.fields.get('name').v, texts);
        }
      }
    }
  }
  const copied = [];
  for (const [name, d] of Object.entries(descriptions)) {
    const texts = theirs.get(name) ?? new Set();
    const ours = [d.summary, d.details, d.result, ...Object.values(d.args), ...Object.values(d.versions ?? {}).flatMap((v) => [v.result ?? '', ...Object.values(v.args ?? {})])];
    for (const t of ours) if (t && norm(t).length > 12 && texts.has(norm(t))) copied.push(`${name}: ${t}`);
  }
  assert.deepEqual(copied, []);
});

test('a field the catalogue needs that cannot be read stops the extraction, naming the file, line and field', async () => {
  const { readSourceFile, SourceError } = await import('../dist/gen/ejabberd-source.js');
  const rules = { userArgs: ['user', 'host'], versionTags: true, binaryResults: true };
  const file = (fields) => `-module(mod_x).\n-behaviour(gen_mod).\nget_commands_spec() ->\n    [#ejabberd_commands{name = c, ${fields}}].\n`;
  const [ok] = readSourceFile(file('desc = io_lib:format("~p", [x]), version = 2, policy = user, args = [{n, integer}], result = {res, rescode}'), '26.07 src/mod_x.erl', rules);
  assert.deepEqual({ ...ok }, {
    name: 'c', version: 2, args: [{ name: 'user', type: 'string' }, { name: 'host', type: 'string' }, { name: 'n', type: 'integer' }],
    result: { name: 'res', type: 'rescode' }, tags: ['v2'], module: 'mod_x', function: null, policy: 'user', internal: false, ctlOnly: false,
  });
  for (const [fields, what] of [['args = extra_args()', /mod_x\.erl:4 c: cannot read args \(a call of extra_args\)/],
    ['result = ?RESULT', /cannot read result/], ['args = [{n, float}]', /unreadable type/], ['version = V', /cannot read version/]]) {
    assert.throws(() => readSourceFile(file(fields), '26.07 src/mod_x.erl', rules), (e) => e instanceof SourceError && what.test(e.message), fields);
  }
});
