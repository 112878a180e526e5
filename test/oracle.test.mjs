// Oracle tests: ectl and the real ejabberdctl run the same read-only command, with the same
// arguments, against the same node; stdout and exit code must be identical byte for byte.
// A `before` hook first builds realistic state (accounts, rosters, vCards, rooms, affiliations,
// MucSub subscribers, shared roster groups, last activity, offline messages, private storage,
// an OAuth token, and live XMPP sessions that sit in a MUC room).
//
// Left out on purpose, because the two outputs cannot match: ejabberdctl prints an Erlang term
// where the API sends JSON (oauth_list_tokens), or text the command writes to the
// ejabberdctl console (process_rosteritems; the rooms_* summary lines: test/summary-lines.test.mjs), or a value that
// changes between two calls (connected_users_info and user_sessions_info of online users, get_last
// of online or unknown users, stats uptimeseconds/processes, mnesia_info, oauth_list_tokens).
// get_room_history does not exist in ejabberd 23.01.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ectl, ejabberdctl, uniqueName, live, cleanEnv, requireLiveServer, HOST, HOST2, MUC, MUC2, MSG, SUBJ, jid, showRun as show } from './helpers.mjs';
import { xmppLogin } from './xmpp-client.mjs';
import { predicateNo } from '../dist/catalogue/predicates.js';

/** A live XMPP session that keeps presence (and room occupancy, sent as `then`) until closed. */
async function xmppSession({ then = [], ...login }) {
  const session = await xmppLogin({ port: live.c2sPort, ...login });
  for (const stanza of then) session.send(stanza);
  return session;
}

// Accounts. A, B and E get live sessions; C stays offline (it holds offline messages); D lives
// on example.org and never logs in; F only has a last-activity record.
const A = uniqueName('oa');
const B = uniqueName('ob');
const C = uniqueName('oc');
const D = uniqueName('od');
const E = uniqueName('oe');
const F = uniqueName('of');
const NOBODY = uniqueName('onobody');
const PW = { [A]: 'Secret Ä1!', [B]: 'pw-b', [C]: 'pw c', [D]: 'pw-d', [E]: 'pw-e', [F]: 'pw-f' };
// ejabberd 23.01's check_password_hash compares with upper-case hex (lower case does not match).
const md5A = createHash('md5').update(PW[A], 'utf8').digest('hex').toUpperCase();

// Rooms and shared roster groups.
const R1 = uniqueName('oroom');
const R2 = uniqueName('oroom');
const R3 = uniqueName('oroom');
const NOROOM = uniqueName('onoroom');
const G1 = uniqueName('ogrp');
const G2 = uniqueName('ogrp');
const G3 = uniqueName('ogrp');

// ---------------------------------------------------------------------------------------------
// Read-only commands whose output must be identical (stdout and exit code). Those that list the
// whole server (registered_users, stats, connected_users, status_list, muc_online_rooms, ...) also
// see what other test files do; both tools run at the same moment to keep that window small.
const matching = [
  ['registered_vhosts'],
  ['registered_users', HOST],
  ['registered_users', HOST2],
  ['check_account', A, HOST],
  ['check_password', A, HOST, PW[A]],
  ['check_password_hash', A, HOST, md5A, 'md5'],
  ['get_roster', A, HOST],
  ['get_roster', B, HOST],
  ['get_roster', C, HOST],
  ['get_roster', D, HOST2],
  ['get_roster', E, HOST],
  ['get_vcard', A, HOST, 'FN'],
  ['get_vcard', A, HOST, 'NICKNAME'],
  ['get_vcard', A, HOST, 'DESC'],
  ['get_vcard', B, HOST, 'FN'],
  ['get_vcard2', A, HOST, 'N', 'FAMILY'],
  ['get_vcard2', A, HOST, 'N', 'GIVEN'],
  ['get_vcard2_multi', A, HOST, 'TEL', 'NUMBER'],
  ['get_vcard2_multi', A, HOST, 'EMAIL', 'USERID'],
  ['get_last', C, HOST],
  ['get_last', D, HOST2],
  ['get_last', F, HOST],
  ['get_offline_count', C, HOST],
  ['get_offline_count', A, HOST],
  ['private_get', A, HOST, 'storage', 'storage:bookmarks'],
  ['private_get', B, HOST, 'q', 'ectl:test:notes'],
  ['private_get', C, HOST, 'q', 'ectl:test:notes'],
  ['get_room_options', R1, MUC],
  ['get_room_options', R2, MUC],
  ['get_room_options', R3, MUC2],
  ['get_room_options', NOROOM, MUC],
  ['get_room_affiliations', R1, MUC],
  ['get_room_affiliations', R3, MUC2],
  ['get_room_affiliation', R1, MUC, jid(B)],
  ['get_room_affiliation', R1, MUC, jid(D, HOST2)],
  ['get_room_affiliation', R1, MUC, jid(C)],
  ['get_room_occupants', R1, MUC],
  ['get_room_occupants', R2, MUC],
  ['get_room_occupants_number', R1, MUC],
  ['get_room_occupants_number', R2, MUC],
  ['get_subscribers', R1, MUC],
  ['get_subscribers', R2, MUC],
  ['get_user_rooms', A, HOST],
  ['get_user_rooms', C, HOST],
  ['get_user_rooms', E, HOST],
  ['get_user_subscriptions', B, HOST],
  ['get_user_subscriptions', C, HOST],
  ['get_user_subscriptions', E, HOST],
  ['muc_online_rooms', MUC],
  ['muc_online_rooms', MUC2],
  ['muc_online_rooms', 'global'],
  ['muc_online_rooms_by_regex', MUC, `^${R1}$`],
  ['muc_online_rooms_by_regex', MUC, `^(${R1}|${R2})$`],
  ['srg_list', HOST],
  ['srg_list', HOST2],
  ['srg_get_members', G1, HOST],
  ['srg_get_members', G2, HOST2],
  // displayed_groups: the API sends the groups joined by line feeds, ejabberdctl an Erlang list.
  ['srg_get_info', G1, HOST],
  ['srg_get_info', G2, HOST2],
  ['srg_get_info', G3, HOST],
  ['stats', 'registeredusers'],
  ['stats', 'onlineusers'],
  ['stats', 'onlineusersnode'],
  ['stats_host', 'registeredusers', HOST2],
  ['stats_host', 'onlineusers', HOST],
  ['status_num', 'away'],
  ['status_num', 'xa'],
  ['status_num_host', HOST, 'dnd'],
  ['status_list', 'away'],
  ['status_list', 'xa'],
  ['status_list_host', HOST, 'dnd'],
  ['status_list_host', HOST, 'xa'],
  ['connected_users'],
  ['connected_users_number'],
  ['connected_users_vhost', HOST],
  ['connected_users_vhost', HOST2],
  ['get_presence', A, HOST],
  ['get_presence', B, HOST],
  ['get_presence', C, HOST],
  ['get_presence', E, HOST],
  ['user_resources', A, HOST],
  ['user_sessions_info', C, HOST], // offline user only: online sessions carry an uptime in seconds
  ['num_resources', A, HOST],
  ['num_resources', C, HOST],
  ['resource_num', A, HOST, '1'],
  ['resource_num', A, HOST, '2'],
  ['resource_num', E, HOST, '1'],
  ['get_loglevel'],
  ['list_cluster'],
  ['get_cookie'],
  ['incoming_s2s_number'],
  ['outgoing_s2s_number'],
  ['mnesia_table_info', 'schema'],
  ['modules_available'],
  ['modules_installed'],
  ['list_certificates'],
  ['update_list'],
  ['status'],
  ['delete_old_messages_status', HOST],
  ['delete_old_mam_messages_status', HOST],
];

// Read-only commands that fail on the server: only the exit codes are compared (ejabberdctl
// prints its error on stdout, ectl on stderr by design).
const failing = [
  ['check_account', NOBODY, HOST],
  ['check_password', A, HOST, 'wrong password'],
  ['check_password_hash', A, HOST, '00', 'md5'],
  ['registered_users', 'nosuch.example'],
  ['get_vcard', A, HOST, 'TITLE'],
  ['get_vcard', C, HOST, 'FN'],
  ['get_vcard2', A, HOST, 'N', 'MIDDLE'],
  ['get_vcard2_multi', C, HOST, 'TEL', 'NUMBER'],
  // (stats bogus: refused before sending since values are checked, test/value-checks.test.mjs)
  ['resource_num', A, HOST, '3'],
  ['get_room_affiliations', NOROOM, MUC],
  ['get_room_affiliation', NOROOM, MUC, jid(A)],
  ['get_room_occupants', NOROOM, MUC],
  ['get_room_occupants_number', NOROOM, MUC],
  ['get_subscribers', NOROOM, MUC],
  ['muc_online_rooms', 'nosuch.service'],
];

// ---------------------------------------------------------------------------------------------
// Helpers.

/** Runs ectl and ejabberdctl with the same arguments at the same time. */
async function both(args) {
  const pending = ectl(args); // spawned now; ejabberdctl below runs while it does
  const oracle = ejabberdctl(...args);
  const mine = await pending;
  return { mine, oracle };
}

async function viaEctl(...args) {
  const r = await ectl(args);
  assert.equal(r.code, 0, `setup: ectl ${args.join(' ')} failed: ${show(r)}`);
  return r.stdout;
}

function viaCtl(...args) {
  const r = ejabberdctl(...args);
  assert.equal(r.code, 0, `setup: ejabberdctl ${args.join(' ')} failed: ${show(r)}`);
  return r.stdout;
}

async function waitUntil(what, pred, ms = 15_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`setup: timed out waiting for ${what}`);
}

/** get_room_options (via ejabberdctl) as an object. */
function roomOptions(room, service = MUC) {
  const out = viaCtl('get_room_options', room, service);
  return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split('\t')));
}

const lines = (s) => s.split('\n').filter(Boolean).sort();

const sessions = [];
let token;

// ---------------------------------------------------------------------------------------------
// State on the server, written half through ectl, half through ejabberdctl.

before(async () => {
  requireLiveServer();

  // Accounts.
  viaCtl('register', A, HOST, PW[A]);
  await viaEctl('register', B, HOST, PW[B]);
  await viaEctl('register', C, HOST, PW[C]);
  viaCtl('register', D, HOST2, PW[D]);
  viaCtl('register', E, HOST, PW[E]);
  await viaEctl('register', F, HOST, PW[F]);

  // Rosters.
  viaCtl('add_rosteritem', A, HOST, B, HOST, 'Bob Builder', 'Friends;Work', 'both');
  await viaEctl('add_rosteritem', A, HOST, C, HOST, 'Carøl 日本', 'Friends', 'to');
  await viaEctl('add_rosteritem', B, HOST, A, HOST, 'Alice', 'Friends', 'both');
  viaCtl('add_rosteritem', D, HOST2, A, HOST, 'Remote Alice', '', 'none');

  // vCards.
  await viaEctl('set_vcard', A, HOST, 'FN', 'Alice Liddell');
  viaCtl('set_vcard', A, HOST, 'NICKNAME', 'ali');
  await viaEctl('set_vcard', A, HOST, 'DESC', 'line1\nline2\ttab');
  viaCtl('set_vcard2', A, HOST, 'N', 'FAMILY', 'Liddell');
  await viaEctl('set_vcard2', A, HOST, 'N', 'GIVEN', 'Alice');
  viaCtl('set_vcard2_multi', A, HOST, 'TEL', 'NUMBER', '["+1 555 0100","+44 20 7946 0000"]');
  await viaEctl('set_vcard2_multi', A, HOST, 'EMAIL', 'USERID', 'alice@example.net,ali@example.net');
  await viaEctl('set_vcard', B, HOST, 'FN', 'Böb Ünïcödé 日本 😀');

  // Rooms: persistent, with options, affiliations and MucSub subscribers.
  viaCtl('create_room_with_opts', R1, MUC, HOST, JSON.stringify([
    { name: 'persistent', value: 'true' }, { name: 'members_only', value: 'true' },
    { name: 'allow_subscription', value: 'true' }, { name: 'title', value: 'Room One' },
    { name: 'description', value: 'Zimmer für Grüße 😀' },
  ]));
  await viaEctl('create_room', R2, MUC, HOST);
  viaCtl('change_room_option', R2, MUC, 'persistent', 'true');
  await viaEctl('change_room_option', R2, MUC, 'title', 'multi\nline');
  await viaEctl('create_room_with_opts', R3, MUC2, HOST2, 'persistent:true,public:false,max_users:50');
  await viaEctl('set_room_affiliation', R1, MUC, jid(A), 'owner');
  viaCtl('set_room_affiliation', R1, MUC, jid(B), 'member');
  await viaEctl('set_room_affiliation', R1, MUC, jid(D, HOST2), 'admin');
  viaCtl('set_room_affiliation', R1, MUC, 'spammer@example.net', 'outcast');
  viaCtl('set_room_affiliation', R3, MUC2, jid(D, HOST2), 'owner');
  assert.equal(await viaEctl('subscribe_room', jid(B), 'Bobby', `${R1}@${MUC}`, `${MSG},${SUBJ}`), `${MSG}\n${SUBJ}\n`);
  viaCtl('subscribe_room', jid(C), 'Cee', `${R1}@${MUC}`, MSG);
  assert.equal(await viaEctl('subscribe_room', jid(E), 'Ee', `${R1}@${MUC}`, ''), ''); // no nodes at all

  // Shared roster groups (explicit members only: @all@ would show up in other tests' rosters).
  viaCtl('srg_create', G1, HOST, 'Team Label', 'The team', G1);
  await viaEctl('srg_create', G2, HOST2, 'Remote', 'Remote people', '');
  viaCtl('srg_create', G3, HOST, 'Three', 'Sees two groups', `${G1}\\n${G3}`);
  await viaEctl('srg_user_add', A, HOST, G1, HOST);
  viaCtl('srg_user_add', B, HOST, G1, HOST);
  await viaEctl('srg_user_add', D, HOST2, G2, HOST2);
  viaCtl('srg_user_add', C, HOST, G2, HOST2);

  // Last activity.
  viaCtl('set_last', C, HOST, '1500000000', 'Zzz… 😴\ttab');
  await viaEctl('set_last', F, HOST, '1600000000', '');

  // Offline messages for C: chat and normal are stored, headline is not.
  viaCtl('send_message', 'chat', jid(B), jid(C), 'Hi', 'Hello Carol');
  await viaEctl('send_message', 'normal', jid(A), jid(C), 'Subj', 'Normal body');
  await viaEctl('send_message', 'headline', jid(A), jid(C), 'News', 'Headline body');
  assert.equal(viaCtl('get_offline_count', C, HOST), '2\n');

  // Private XML storage.
  viaCtl('private_set', A, HOST, `<storage xmlns="storage:bookmarks"><conference jid="${R1}@${MUC}" autojoin="true" name="Room One"><nick>ali</nick></conference></storage>`);
  await viaEctl('private_set', B, HOST, '<q xmlns="ectl:test:notes">Grüße &amp; 😀</q>');

  // An OAuth token for the admin (used by a test below).
  const issued = await viaEctl('oauth_issue_token', jid('admin'), '600', 'ejabberd:admin');
  assert.match(issued, /^[A-Za-z0-9]+\tejabberd:admin\t600 seconds\n$/);
  token = issued.split('\t')[0];

  // Live sessions: A twice (away with status and priority 5 in R1; dnd with priority 1), B once in
  // R1, E once (xa, negative priority, status with a tab) in R2 with a non-ASCII nick; E asks D for
  // a presence subscription, so its roster shows a pending 'subscribe'.
  const join = (room, nick) => `<presence to='${room}@${MUC}/${nick}'><x xmlns='http://jabber.org/protocol/muc'/></presence>`;
  sessions.push(await xmppSession({ user: A, host: HOST, password: PW[A], resource: 'laptop',
    show: 'away', status: 'Out to lunch 🍜', priority: 5, then: [join(R1, 'Ali')] }));
  sessions.push(await xmppSession({ user: A, host: HOST, password: PW[A], resource: 'phone', show: 'dnd', priority: 1 }));
  sessions.push(await xmppSession({ user: B, host: HOST, password: PW[B], resource: 'desk', then: [join(R1, 'Bobby')] }));
  sessions.push(await xmppSession({ user: E, host: HOST, password: PW[E], resource: 'r1',
    show: 'xa', status: 'Ünïcode 😀\ttab', priority: -1,
    then: [`<presence to='${jid(D, HOST2)}' type='subscribe'/>`, join(R2, 'Pé Ünï')] }));
  await waitUntil('two occupants in R1', () => ejabberdctl('get_room_occupants_number', R1, MUC).stdout === '2\n');
  await waitUntil('one occupant in R2', () => ejabberdctl('get_room_occupants_number', R2, MUC).stdout === '1\n');
  await waitUntil('a pending subscription', () => ejabberdctl('get_roster', E, HOST).stdout.includes(`${jid(D, HOST2)}\t\tnone\tsubscribe\t`));
  await waitUntil('presences of A', () => ejabberdctl('get_presence', A, HOST).stdout === `${jid(A)}/phone\tdnd\t\n`
    && ejabberdctl('status_list_host', HOST, 'away').stdout.includes(`${A}\t${HOST}\tlaptop\t5\tOut to lunch 🍜\n`));
});

after(async () => {
  await Promise.all(sessions.map((s) => s.close()));
});

// ---------------------------------------------------------------------------------------------
// The oracle comparisons.

for (const args of matching) {
  test(`same output as ejabberdctl: ${args.join(' ')}`, async () => {
    const { mine, oracle } = await both(args);
    assert.equal(oracle.code, 0, `ejabberdctl was expected to succeed: ${show(oracle)}`);
    assert.equal(mine.stdout, oracle.stdout, `stdout differs\nectl: ${show(mine)}`);
    assert.equal(mine.code, oracle.code, `exit code differs\nectl: ${show(mine)}`);
  });
}

for (const args of failing) {
  test(`same failure exit code as ejabberdctl: ${args.join(' ')}`, async () => {
    const { mine, oracle } = await both(args);
    assert.notEqual(oracle.code, 0, `ejabberdctl was expected to fail: ${show(oracle)}`);
    assert.equal(mine.code, oracle.code, `exit code differs\nectl: ${show(mine)}\nejabberdctl: ${show(oracle)}`);
    // A yes/no command's "no" is an answer, said by the exit status alone (test/predicates.test.mjs).
    if (predicateNo(args[0])) assert.equal(mine.stderr, '', 'a "no" is quiet');
    else assert.notEqual(mine.stderr, '', 'ectl reports the failure on stderr');
  });
}

test('an OAuth token issued through ectl authenticates ectl; output matches ejabberdctl', async () => {
  const env = cleanEnv({ ECTL_URL: live.url });
  const mine = await ectl(['--token', token, 'registered_users', HOST2], { env });
  const oracle = ejabberdctl('registered_users', HOST2);
  assert.equal(oracle.code, 0);
  assert.ok(oracle.stdout.includes(`${D}\n`), oracle.stdout);
  assert.equal(mine.stdout, oracle.stdout, show(mine));
  assert.equal(mine.code, 0);
  const bad = await ectl(['--token', `${token}x`, 'registered_users', HOST2], { env });
  assert.notEqual(bad.code, 0, 'a wrong token must be refused');
  assert.equal(bad.stdout, '');
});

// ---------------------------------------------------------------------------------------------
// List and tuple arguments: ectl accepts a shorthand (a,b / name:value,...) as well as JSON;
// ejabberdctl 23.01 only decodes JSON for such arguments and crashes on the shorthand.

const invalidJson = /Unhandled exception occurred executing the command:[\s\S]*invalid_json/;

test('create_room_with_opts: ectl takes name:value,... ; ejabberdctl 23.01 fails on it', async () => {
  const mine = uniqueName('oroom');
  const theirs = uniqueName('oroom');
  const r = await ectl(['create_room_with_opts', mine, MUC, HOST, 'members_only:true,persistent:true']);
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout, '');
  const opts = roomOptions(mine);
  assert.equal(opts.members_only, 'true');
  assert.equal(opts.persistent, 'true');

  const o = ejabberdctl('create_room_with_opts', theirs, MUC, HOST, 'members_only:true,persistent:true');
  assert.equal(o.code, 1);
  assert.match(o.stdout, invalidJson);
  const rooms = viaCtl('muc_online_rooms', MUC);
  assert.ok(rooms.includes(`${mine}@${MUC}\n`), rooms);
  assert.ok(!rooms.includes(`${theirs}@${MUC}\n`), 'ejabberdctl must not have created the room');
});

test('create_room_with_opts: the JSON form works in both', async () => {
  const json = '[{"name":"members_only","value":"true"},{"name":"persistent","value":"true"}]';
  const mine = uniqueName('oroom');
  const theirs = uniqueName('oroom');
  const r = await ectl(['create_room_with_opts', mine, MUC, HOST, json]);
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout, '');
  const o = ejabberdctl('create_room_with_opts', theirs, MUC, HOST, json);
  assert.equal(o.code, 0, show(o));
  assert.equal(o.stdout, '');
  for (const room of [mine, theirs]) {
    const opts = roomOptions(room);
    assert.equal(opts.members_only, 'true', room);
    assert.equal(opts.persistent, 'true', room);
  }
});

test('subscribe_room_many: ectl takes jid:nick,... ; ejabberdctl 23.01 fails on it and needs JSON', async () => {
  const mine = uniqueName('oroom');
  const theirs = uniqueName('oroom');
  for (const room of [mine, theirs]) await viaEctl('create_room_with_opts', room, MUC, HOST, 'persistent:true,allow_subscription:true');
  const users = `${jid(F)}:Eff,${jid(D, HOST2)}:Dee`;

  const r = await ectl(['subscribe_room_many', users, `${mine}@${MUC}`, MSG]);
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout, '');
  assert.deepEqual(lines(viaCtl('get_subscribers', mine, MUC)), [jid(D, HOST2), jid(F)].sort());
  assert.equal(viaCtl('get_user_subscriptions', D, HOST2), `${mine}@${MUC}\tDee\t${MSG}\n`);

  const o = ejabberdctl('subscribe_room_many', users, `${theirs}@${MUC}`, MSG);
  assert.equal(o.code, 1);
  assert.match(o.stdout, invalidJson);
  assert.equal(viaCtl('get_subscribers', theirs, MUC), '');

  const oj = ejabberdctl('subscribe_room_many', JSON.stringify([{ jid: jid(F), nick: 'Eff' }]), `${theirs}@${MUC}`, MSG);
  assert.equal(oj.code, 0, show(oj));
  assert.equal(viaCtl('get_subscribers', theirs, MUC), `${jid(F)}\n`);
});

test('set_vcard2_multi: ectl takes a,b ; ejabberdctl 23.01 fails on it; both values are stored', async () => {
  const r = await ectl(['set_vcard2_multi', B, HOST, 'TEL', 'NUMBER', '+1 555,+44 20']);
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout, '');
  // Both values are in the vCard, as an XMPP client sees it...
  const vcard = await sessions[0].iq('get', "<vCard xmlns='vcard-temp'/>", jid(B));
  assert.match(vcard, /<TEL><NUMBER>\+1 555<\/NUMBER><NUMBER>\+44 20<\/NUMBER><\/TEL>/);
  // ...but get_vcard2_multi of ejabberd 23.01 reports only the first one, through either tool.
  const { mine, oracle } = await both(['get_vcard2_multi', B, HOST, 'TEL', 'NUMBER']);
  assert.equal(oracle.stdout, '+1 555\n');
  assert.equal(mine.stdout, oracle.stdout);

  const o = ejabberdctl('set_vcard2_multi', F, HOST, 'TEL', 'NUMBER', '+1 555,+44 20');
  assert.equal(o.code, 1);
  assert.match(o.stdout, invalidJson);
  const check = ejabberdctl('get_vcard2_multi', F, HOST, 'TEL', 'NUMBER');
  assert.equal(check.code, 1);
  assert.equal(check.stdout, 'error_no_vcard_found\n');
});
