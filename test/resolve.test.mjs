// Which definition a release speaks: resolveCommand, knownRelease, compareReleases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RELEASES, NEWEST_RELEASE, findEntry, resolveCommand, compareReleases, knownRelease, isMissing } from '../dist/catalogue/resolve.js';
import { allEntries } from '../dist/catalogue/commands.js';

const resolve = (name, release, apiVersion) => resolveCommand(findEntry(name), release, apiVersion);
const argNames = (r) => r.args.map((a) => a.name).join(' ');

test('the releases, oldest first, and the newest', () => {
  assert.equal(RELEASES.length, 18);
  assert.equal(RELEASES[0], '23.01');
  assert.equal(NEWEST_RELEASE, '26.07');
  assert.deepEqual([...RELEASES].sort(compareReleases), [...RELEASES]);
});

test('set_room_affiliation: v0 at 23.01, v3 at 24.12, v0 again with API version 0', () => {
  const r2301 = resolve('set_room_affiliation', '23.01');
  assert.equal(r2301.version, 0);
  assert.equal(argNames(r2301), 'name service jid affiliation');
  assert.equal(r2301.added, '23.01');
  assert.deepEqual(r2301.changes, []);
  const r2412 = resolve('set_room_affiliation', '24.12');
  assert.equal(r2412.version, 3);
  assert.equal(argNames(r2412), 'room service user host affiliation');
  assert.deepEqual(r2412.changes, [{ release: '24.12', version: 3 }]);
  assert.equal(r2412.example.length, 5);
  assert.equal(r2412.args.find((a) => a.name === 'user').description.length > 3, true);
  const v0 = resolve('set_room_affiliation', '26.07', 0);
  assert.equal(v0.version, 0);
  assert.equal(argNames(v0), 'name service jid affiliation');
  assert.deepEqual(v0.changes, []);
  assert.equal(resolve('set_room_affiliation', '24.10').version, 0, '24.10 has no v3 yet');
  assert.equal(resolve('set_room_affiliation', '26.07', 2).version, 0, 'the highest definition at or below 2');
});

test('a command the release lacks: missing, naming the release that added it', () => {
  const r = resolve('muc_online_rooms_count', '23.01');
  assert.ok(isMissing(r));
  assert.deepEqual(r, { missing: true, name: 'muc_online_rooms_count', added: '26.01', release: '23.01' });
  assert.equal(isMissing(resolve('muc_online_rooms_count', '25.10')), true);
  const there = resolve('muc_online_rooms_count', '26.01');
  assert.equal(isMissing(there), false);
  assert.equal(there.added, '26.01');
  assert.equal(there.since, '26.01');
  assert.equal(there.module, 'mod_muc_admin');
});

test('a release that has the command only at higher API versions than asked: missing with the versions it has', () => {
  const r = resolve('get_ban_details', '26.07', 0);
  assert.deepEqual(r, { missing: true, name: 'get_ban_details', added: '24.06', release: '26.07', versions: [2] });
  assert.equal(resolve('get_ban_details', '26.07', 2).version, 2);
});

test('changes without a version bump are changes too: get_roster 23.10, join_cluster 24.06', () => {
  assert.deepEqual(resolve('get_roster', '26.07').changes, [{ release: '23.10', version: 0 }]);
  assert.equal(argNames(resolve('get_roster', '23.04')), 'user server');
  assert.equal(argNames(resolve('get_roster', '23.10')), 'user host');
  assert.equal(resolve('join_cluster', '24.02').result.type, 'rescode');
  assert.equal(resolve('join_cluster', '24.06').result.type, 'restuple');
  assert.deepEqual(resolve('join_cluster', '26.07').changes, [{ release: '24.06', version: 0 }]);
  assert.deepEqual(resolve('subscribe_room', '26.07').changes, [{ release: '24.02', version: 1 }, { release: '24.12', version: 3 }]);
  assert.deepEqual(resolve('subscribe_room', '24.06').changes, [{ release: '24.02', version: 1 }], 'only changes up to the release asked');
  assert.deepEqual(resolve('register', '26.07').changes, []);
});

test('descriptions and examples follow the API version in use', () => {
  const v0 = resolve('add_rosteritem', '26.07', 0);
  const v1 = resolve('add_rosteritem', '26.07');
  assert.equal(v1.version, 1);
  assert.deepEqual(v1.args[5].type, { list: { name: 'group', type: 'string' } });
  assert.notEqual(v0.example[5], v1.example[5]);
  const s0 = resolve('subscribe_room', '26.07', 0);
  const s3 = resolve('subscribe_room', '26.07');
  assert.equal(s0.args[0].name, 'user');
  assert.notEqual(s0.args[0].description, s3.args[0].description, 'user is a JID in v0, an account name in v3');
  assert.notEqual(s0.example[0], s3.example[0]);
  assert.notEqual(resolve('kick_user', '26.07').result.description, resolve('kick_user', '26.07', 0).result.description);
});

test('every entry resolves at each release it has, at its newest and at each of its API versions', () => {
  for (const e of allEntries()) {
    for (const d of e.definitions) {
      for (const release of d.releases) {
        const r = resolveCommand(e, release, d.version);
        assert.equal(isMissing(r), false, `${e.name} at ${release} v${d.version}`);
        assert.equal(r.version, d.version);
        assert.deepEqual(r.args, d.args);
        const newest = resolveCommand(e, release);
        assert.ok(newest.version >= d.version);
      }
    }
  }
});

test('knownRelease: the newest catalogue release at or before a server release', () => {
  assert.equal(knownRelease('24.12'), '24.12');
  assert.equal(knownRelease('25.03.1'), '25.03');
  assert.equal(knownRelease('24.05'), '24.02');
  assert.equal(knownRelease('26.07'), '26.07');
  assert.equal(knownRelease('27.01'), NEWEST_RELEASE);
  assert.equal(knownRelease('22.10'), '23.01');
  assert.equal(knownRelease('not-a-release'), NEWEST_RELEASE);
  assert.equal(knownRelease(''), NEWEST_RELEASE);
});

test('compareReleases orders numerically, not as text', () => {
  assert.ok(compareReleases('23.10', '24.02') < 0);
  assert.ok(compareReleases('25.03.1', '25.03') > 0);
  assert.ok(compareReleases('24.6', '24.12') < 0);
  assert.equal(compareReleases('24.12', '24.12'), 0);
});

test('findEntry takes the dashed spelling and knows nothing of internal or ejabberdctl-only commands', () => {
  assert.equal(findEntry('set-room-affiliation').name, 'set_room_affiliation');
  for (const name of ['help', 'mnesia_change', 'print_sql_schema', 'mnesia_info_ctl', 'echo', 'webadmin_muc', 'no_such_command']) assert.equal(findEntry(name), undefined, name);
  assert.equal(findEntry('mnesia_list_tables').definitions[0].releases[0], '25.03', 'internal until 24.12');
});
