// Commands with an effect, run through bin/ectl against the real test server, each checked
// by reading the effect back; exit codes for server failure, auth failure and no server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { ectl, liveEnv, uniqueName, root, live, HOST as H, MUC } from './helpers.mjs';

const tmp = join(root, 'test', '.tmp', 'live');
mkdirSync(tmp, { recursive: true });

async function ok(args, opts) {
  const r = await ectl(args, opts);
  assert.equal(r.code, 0, `ectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** A yes/no command's "no": exit 1, nothing printed (test/predicates.test.mjs). */
async function saysNo(args) {
  const r = await ectl(args);
  assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', ''], `ectl ${args.join(' ')}`);
}

async function fails(args, code = 1) {
  const r = await ectl(args);
  assert.equal(r.code, code, `ectl ${args.join(' ')}: expected exit ${code}, got ${r.code}: ${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^Error: .+\n$/);
  return r.stderr;
}

test('accounts: register, check, change password, ban, unregister', async () => {
  const u = uniqueName('acct');
  assert.equal(await ok(['register', u, H, 'first-pw']), `User ${u}@${H} successfully registered\n`);
  assert.match(await fails(['register', u, H, 'again']), /already registered/);
  assert.equal(await ok(['check_account', u, H]), '');
  assert.equal(await ok(['check_password', u, H, 'first-pw']), '');
  await saysNo(['check_password', u, H, 'wrong-pw']);
  assert.equal(await ok(['change_password', u, H, 'second-pw']), '');
  await ok(['check_password', u, H, 'second-pw']);
  assert.match(await ok(['registered_users', H]), new RegExp(`^${u}$`, 'm'));
  assert.equal(await ok(['ban_account', u, H, 'spam']), '');
  await saysNo(['check_password', u, H, 'second-pw']);
  assert.equal(await ok(['unregister', u, H]), '');
  await saysNo(['check_account', u, H]);
});

test('@- reads an argument from standard input and @file from a file, trailing newline dropped', async () => {
  const u = uniqueName('at');
  await ok(['register', u, H, '@-'], { input: 'from stdin\n' });
  await ok(['check_password', u, H, 'from stdin']);
  const file = join(tmp, 'pw');
  writeFileSync(file, 'from a file\n');
  chmodSync(file, 0o600);
  await ok(['change_password', u, H, `@${file}`]);
  await ok(['check_password', u, H, 'from a file']);
  await ok(['change_password', u, H, '@@literal']);
  await ok(['check_password', u, H, '@@literal']);
});

test('roster: add_rosteritem shows in get_roster, delete_rosteritem removes it', async () => {
  const a = uniqueName('ra');
  const b = uniqueName('rb');
  await ok(['register', a, H, 'pw']);
  await ok(['register', b, H, 'pw']);
  await ok(['add_rosteritem', a, H, b, H, 'Bee', 'Friends', 'both']);
  // ejabberd reports "undefined" for the ask state of a roster item with no pending request.
  assert.equal(await ok(['get_roster', a, H]), `${b}@${H}\tBee\tboth\tundefined\tFriends\n`);
  const json = JSON.parse(await ok(['-o', 'json', 'get_roster', a, H]));
  assert.deepEqual(json, [{ jid: `${b}@${H}`, nick: 'Bee', subscription: 'both', ask: 'undefined', group: 'Friends' }]);
  await ok(['delete_rosteritem', a, H, b, H]);
  assert.equal(await ok(['get_roster', a, H]), '');
});

test('vCard: set_vcard, set_vcard2 and set_vcard2_multi read back', async () => {
  const u = uniqueName('vc');
  await ok(['register', u, H, 'pw']);
  await ok(['set_vcard', u, H, 'FN', 'Zoë Example']);
  assert.equal(await ok(['get_vcard', u, H, 'FN']), 'Zoë Example\n');
  await ok(['set_vcard2', u, H, 'N', 'FAMILY', 'Example']);
  assert.equal(await ok(['get_vcard2', u, H, 'N', 'FAMILY']), 'Example\n');
  // ejabberd 23.01 stores every value, but its get_vcard2_multi reports only the first (through
  // ejabberdctl too); test/oracle.test.mjs reads both back over XMPP.
  await ok(['set_vcard2_multi', u, H, 'TEL', 'NUMBER', '+1 555,+2 666']);
  assert.equal(await ok(['get_vcard2_multi', u, H, 'TEL', 'NUMBER']), '+1 555\n');
});

test('MUC: create, options, affiliations, destroy', async () => {
  const room = uniqueName('room');
  const owner = uniqueName('own');
  await ok(['register', owner, H, 'pw']);
  await ok(['create_room_with_opts', room, MUC, H, 'persistent:true,members_only:true']);
  assert.match(await ok(['muc_online_rooms', MUC]), new RegExp(`^${room}@${MUC}$`, 'm'));
  assert.match(await ok(['get_room_options', room, MUC]), /^members_only\ttrue$/m);
  await ok(['change_room_option', room, MUC, 'members_only', 'false']);
  assert.match(await ok(['get_room_options', room, MUC]), /^members_only\tfalse$/m);
  await ok(['set_room_affiliation', room, MUC, `${owner}@${H}`, 'owner']);
  assert.match(await ok(['get_room_affiliations', room, MUC]), new RegExp(`^${owner}\t${H}\towner\t`, 'm'));
  assert.equal(await ok(['get_room_affiliation', room, MUC, `${owner}@${H}`]), 'owner\n');
  await ok(['destroy_room', room, MUC]);
  assert.doesNotMatch(await ok(['muc_online_rooms', MUC]), new RegExp(room));
});

test('shared roster groups: create, add member, list, delete', async () => {
  const g = uniqueName('grp');
  const u = uniqueName('sm');
  await ok(['register', u, H, 'pw']);
  await ok(['srg_create', g, H, 'Group label', 'A test group', g]);
  assert.match(await ok(['srg_list', H]), new RegExp(`^${g}$`, 'm'));
  await ok(['srg_user_add', u, H, g, H]);
  assert.equal(await ok(['srg_get_members', g, H]), `${u}@${H}\n`);
  await ok(['srg_user_del', u, H, g, H]);
  assert.equal(await ok(['srg_get_members', g, H]), '');
  await ok(['srg_delete', g, H]);
  assert.doesNotMatch(await ok(['srg_list', H]), new RegExp(g));
});

test('last activity, offline messages and private storage', async () => {
  const u = uniqueName('misc');
  await ok(['register', u, H, 'pw']);
  await ok(['set_last', u, H, '1700000000', 'Gone fishing']);
  assert.equal(await ok(['get_last', u, H]), '2023-11-14T22:13:20Z\tGone fishing\n');
  assert.equal(await ok(['get_offline_count', u, H]), '0\n');
  await ok(['send_message', 'chat', `admin@${H}`, `${u}@${H}`, 'Hi', 'Are you there?']);
  assert.equal(await ok(['get_offline_count', u, H]), '1\n');
  const xml = '<storage xmlns="storage:ectl-test"><item>x</item></storage>';
  await ok(['private_set', u, H, xml]);
  assert.match(await ok(['private_get', u, H, 'storage', 'storage:ectl-test']), /<item>x<\/item>/);
});

test('OAuth tokens: issue, list, revoke', async () => {
  const out = await ok(['oauth_issue_token', `admin@${H}`, '3600', 'ejabberd:admin']);
  const [token, scopes, expires] = out.trimEnd().split('\t');
  assert.match(token, /^\w{20,}$/);
  assert.equal(scopes, 'ejabberd:admin');
  assert.match(expires, /^\d+ seconds$/);
  assert.match(await ok(['oauth_list_tokens']), new RegExp(`^${token}\t`, 'm'));
  await ok(['oauth_revoke_token', token]);
  assert.doesNotMatch(await ok(['oauth_list_tokens']), new RegExp(token));
});

test('log level and cluster info', async () => {
  const before = (await ok(['get_loglevel'])).trim();
  await ok(['set_loglevel', 'info']);
  assert.equal(await ok(['get_loglevel']), 'info\n');
  await ok(['set_loglevel', before]);
  assert.equal(await ok(['list_cluster']), `${process.env.ECTL_TEST_NODE}\n`);
  assert.match(await ok(['status']), /^The node \S+ is started with status: started\nejabberd 23\.01\S* is running in that node\n$/);
});

test('-o json: rescode prints {"ok":true}, a scalar prints the bare value, a restuple its text', async () => {
  const u = uniqueName('js');
  assert.deepEqual(JSON.parse(await ok(['-o', 'json', 'register', u, H, 'pw'])), { ok: true, text: `User ${u}@${H} successfully registered` });
  assert.deepEqual(JSON.parse(await ok(['-o', 'json', 'check_account', u, H])), { ok: true });
  assert.equal(typeof JSON.parse(await ok(['-o', 'json', 'stats', 'registeredusers'])), 'number');
});

test('a wrong password exits 4, without echoing the password', async () => {
  const r = await ectl(['registered_users', H], { env: liveEnv({ ECTL_PASSWORD: 'not-the-password-xyz' }) });
  assert.equal(r.code, 4);
  assert.match(r.stderr, /^Error: not authorized: /);
  assert.doesNotMatch(r.stderr + r.stdout, /not-the-password-xyz/);
});

test('no credentials against a command that needs them exits 4', async () => {
  const r = await ectl(['registered_users', H], { env: liveEnv({ ECTL_USER: '', ECTL_PASSWORD: '' }) });
  assert.equal(r.code, 4, r.stderr);
});

test('nothing listening exits 3 with a connection message', async () => {
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  const r = await ectl(['status'], { env: liveEnv({ ECTL_URL: `http://127.0.0.1:${port}/api` }) });
  assert.equal(r.code, 3);
  assert.match(r.stderr, /^Error: connection to 127\.0\.0\.1:\d+ refused/);
});

test('an https listener with a self-signed certificate exits 3 unless its CA is given', async () => {
  const bad = await ectl(['status'], { env: liveEnv({ ECTL_URL: live.httpsUrl }) });
  assert.equal(bad.code, 3);
  assert.match(bad.stderr, /certificate .*--ca-file/);
  const good = await ectl(['--ca-file', live.caFile, 'registered_users', H], { env: liveEnv({ ECTL_URL: live.httpsUrl.replace('127.0.0.1', 'localhost') }) });
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /^admin$/m);
});
