// Help that teaches: `ectl help -k` finds commands by what they do, `ectl help batch` explains
// batch mode; the batch example's lines run as written on the real server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ectl, uniqueName, liveServers, showRun, cleanEnv } from './helpers.mjs';
import { apropos } from '../dist/cli/help.js';
import { catalogueFor } from '../dist/catalogue/releases.js';
import { SYNONYM_GROUPS, stem } from '../dist/catalogue/synonyms.js';

const newest = catalogueFor();
/** The command names `ectl help -k WORDS` lists (in-process, the newest release's commands). */
const found = (words, commands = newest) => apropos(words.split(' '), commands).split('\n').slice(1).filter((l) => /^ {2}[a-z]/.test(l)).map((l) => l.trim().split(/\s+/)[0]);

// Each group of src/catalogue/synonyms.ts (by its first word): commands that every word and
// phrase of the group must find, and, where one is likely, one it must not.
const EXPECTED = {
  online: { finds: ['connected_users', 'connected_users_number', 'connected_users_vhost', 'status_num', 'user_sessions_info'], not: ['registered_users'] },
  'log level': { finds: ['get_loglevel', 'set_loglevel'], not: ['reopen_log', 'rotate_log'] },
  'last seen': { finds: ['get_last', 'set_last'], not: ['get_loglevel'] },
  kick: { finds: ['kick_session', 'kick_user', 'kick_users'], not: ['ban_account'] },
  room: { finds: ['create_room', 'destroy_room', 'muc_online_rooms', 'get_room_occupants'], not: ['register'] },
  group: { finds: ['srg_create', 'srg_list', 'srg_user_add', 'srg_get_members'], not: ['create_room'] },
  ban: { finds: ['ban_account', 'unban_account', 'list_banned', 'get_ban_details'], not: ['kick_user'] },
  block: { finds: ['add_blocked_domain', 'get_blocked_domains', 'remove_blocked_domain'], not: ['kick_user'] },
  'offline messages': { finds: ['get_offline_count', 'delete_old_messages', 'delete_expired_messages'], not: ['send_message'] },
  vcard: { finds: ['get_vcard', 'set_vcard', 'get_vcard2', 'set_nickname'], not: ['get_roster'] },
  password: { finds: ['change_password', 'check_password', 'check_password_hash'], not: ['check_account'] },
  backup: { finds: ['backup', 'dump', 'dump_table', 'install_fallback'], not: ['register'] },
  restore: { finds: ['restore', 'load', 'install_fallback'], not: ['register'] },
  restart: { finds: ['restart', 'restart_kindly', 'reload_config', 'restart_module'], not: ['stop'] },
  stop: { finds: ['stop', 'stop_kindly', 'halt'], not: ['restart'] },
  delete: { finds: ['unregister', 'destroy_room', 'delete_rosteritem', 'srg_delete'], not: ['registered_users'] },
  add: { finds: ['register', 'create_room', 'add_rosteritem', 'srg_create'], not: ['unregister'] },
  get: { finds: ['get_last', 'registered_users', 'get_room_options'], not: ['set_last'] },
  set: { finds: ['set_last', 'change_password', 'change_room_option'], not: ['get_last'] },
  account: { finds: ['register', 'unregister', 'check_account', 'registered_users'], not: ['create_room'] },
  count: { finds: ['connected_users_number', 'get_offline_count', 'get_roster_count', 'status_num'], not: ['connected_users'] },
  announce: { finds: ['announce_send_all', 'announce_send_online', 'announce_motd_update'], not: ['send_message'] },
  s2s: { finds: ['incoming_s2s_number', 'outgoing_s2s_number', 'stop_s2s_connections'], not: ['connected_users'] },
  archive: { finds: ['delete_old_mam_messages', 'remove_mam_for_user', 'get_mam_count'], not: ['get_offline_count'] },
  roster: { finds: ['get_roster', 'add_rosteritem', 'delete_rosteritem', 'push_roster'], not: ['register'] },
  certificate: { finds: ['list_certificates', 'request_certificate', 'revoke_certificate'], not: ['register'] },
  statistics: { finds: ['stats', 'stats_host'], not: ['register'] },
  module: { finds: ['module_install', 'modules_available', 'restart_module'], not: ['register'] },
  vhost: { finds: ['registered_vhosts', 'connected_users_vhost'], not: ['get_cookie'] },
  spam: { finds: ['add_to_spam_filter_cache', 'reload_spam_filter_files', 'add_blocked_domain'], not: ['ban_account'] },
  invite: { finds: ['generate_invite', 'list_invites', 'send_direct_invitation'], not: ['register'] },
  uptime: { finds: ['stats', 'connected_users_info'], not: ['register'] },
};

test('every synonym group: each of its words and phrases finds the commands the group is for, and not the others', () => {
  assert.deepEqual(Object.keys(EXPECTED).sort(), SYNONYM_GROUPS.map((g) => g[0]).sort(), 'each group has its expectations here');
  for (const group of SYNONYM_GROUPS) {
    const { finds, not } = EXPECTED[group[0]];
    for (const words of group) {
      const names = found(words);
      for (const name of finds) assert.ok(names.includes(name), `help -k ${words} finds ${name}: got ${names.join(' ')}`);
      assert.ok(!names.includes(not), `help -k ${words} does not list ${not}`);
    }
  }
});

test('a word is in one synonym group at most', () => {
  const seen = new Map();
  for (const group of SYNONYM_GROUPS) {
    for (const member of group.filter((m) => !m.includes(' '))) {
      assert.ok(!seen.has(stem(member)) || seen.get(stem(member)) === group[0], `'${member}' is in the groups ${seen.get(stem(member))} and ${group[0]}`);
      seen.set(stem(member), group[0]);
    }
  }
});

test("the issue's cases: help -k online, log level, last seen (words of two and more, on the command line)", async () => {
  const cases = [
    [['online'], ['connected_users', 'connected_users_number', 'status_num']],
    [['log', 'level'], ['get_loglevel', 'set_loglevel']],
    [['log level'], ['get_loglevel', 'set_loglevel']],
    [['last', 'seen'], ['get_last', 'set_last']],
    [['how', 'many', 'users', 'are', 'online'], ['connected_users_number']],
  ];
  for (const [words, names] of cases) {
    // Offline (23.01 given, or the newest), and with each real server configured.
    for (const env of [cleanEnv(), cleanEnv({ ECTL_RELEASE: null }), ...liveServers().map((x) => x.env())]) {
      const r = await ectl(['help', '-k', ...words], { env });
      assert.equal(r.code, 0, showRun(r));
      const listed = r.stdout.split('\n').filter((l) => /^ {2}[a-z]/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
      for (const name of names) assert.ok(listed.includes(name), `help -k ${words.join(' ')} (${env.ECTL_RELEASE ?? 'newest'}) lists ${name}: ${listed.join(' ')}`);
    }
  }
  assert.deepEqual(found('log level'), ['get_loglevel', 'set_loglevel']);
});

test('a short plural finds what its singular finds: help -k logs as help -k log, keys as key, days as day', () => {
  for (const [plural, singular] of [['logs', 'log'], ['keys', 'key'], ['days', 'day'], ['jids', 'jid'], ['tags', 'tag']]) {
    const one = found(singular);
    assert.ok(one.length > 0, `help -k ${singular} finds something`);
    assert.deepEqual(found(plural), one, `help -k ${plural}`);
  }
  assert.ok(found('logs').includes('rotate_log') && found('logs').includes('set_loglevel'), found('logs').join(' '));
  // Little words are still little words, whatever their last letter.
  for (const w of ['this', 'does', 'plus', 'less', 'is', 'was']) assert.equal(stem(w), w);
});

test('words not known find nothing: no part-word, little-word or synonym-of-nothing matches', async () => {
  for (const words of [['xyzzy'], ['foo', 'bar'], ['online', 'xyzzy'], ['onl'], ['sess'], ['logle'], ['qwerty', 'level']]) {
    const r = await ectl(['help', '-k', ...words], { env: cleanEnv() });
    assert.equal(r.code, 2, showRun(r));
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `Error: no command is about '${words.join(' ')}'; 'ectl help tags' lists them all\n`);
  }
  for (const words of [['the'], ['how', 'to', 'a']]) {
    const r = await ectl(['help', '-k', ...words], { env: cleanEnv() });
    assert.equal(r.code, 2, showRun(r));
    assert.match(r.stderr, /^Error: 'ectl help -k' needs words to look for/);
  }
});

test('ectl help -k delete account finds unregister and delete_old_users', async () => {
  const r = await ectl(['help', '-k', 'delete', 'account'], { env: cleanEnv() });
  assert.equal(r.code, 0, showRun(r));
  assert.match(r.stdout, /^Commands about 'delete account':\n/);
  assert.match(r.stdout, /^  unregister +Delete an account/m);
  assert.match(r.stdout, /^  delete_old_users +/m);
  assert.doesNotMatch(r.stdout, /^  registered_users /m);
  const none = await ectl(['help', '-k', 'xyzzy'], { env: cleanEnv() });
  assert.equal(none.code, 2, showRun(none));
  assert.match(none.stderr, /^Error: no command is about 'xyzzy'/);
});

test('ectl help batch documents line syntax, JSON Lines, -j, ordering and has an example', async () => {
  const r = await ectl(['help', 'batch'], { env: cleanEnv() });
  assert.equal(r.code, 0, showRun(r));
  for (const part of [/^Usage: ectl batch/m, /JSON Lines/, /-j N lines are in flight/, /same account \(user\s+and host\)/, /input order/, /^Example:\n  printf/m]) assert.match(r.stdout, part);
  const b = await ectl(['batch', '--help'], { env: cleanEnv() });
  assert.equal(b.code, 0, showRun(b));
  assert.ok(b.stdout.includes(r.stdout.slice(r.stdout.indexOf('Input, one command'))), showRun(b));
});

const s = liveServers()[0];
const u = uniqueName('bh');
after(() => s.ejabberdctlAsync('unregister', u, s.host));
test("the batch help's lines (words and JSON Lines) run on the server", async () => {
  const input = [`register ${u} ${s.host} @-`].join('\n');
  const reg = await ectl(['register', u, s.host, '@-'], { env: s.env(), input: 'bh-pw-1\n' });
  assert.equal(reg.code, 0, showRun(reg) + input);
  const lines = [
    `set_vcard ${u} ${s.host} FN Ann`,
    `{"command":"get_vcard","args":["${u}","${s.host}","FN"]}`,
    `{"command":"get_vcard","args":{"user":"${u}","host":"${s.host}","name":"FN"}}`,
  ].join('\n');
  const r = await ectl(['batch', '-j', '8'], { env: s.env(), input: `${lines}\n` });
  assert.equal(r.code, 0, showRun(r));
  assert.equal(r.stdout, '2: Ann\n3: Ann\n');
});
