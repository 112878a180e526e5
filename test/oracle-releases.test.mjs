// Oracle tests on the releases npm test starts after 23.01 (24.12 and 26.07; test/oracle.test.mjs
// does the same on 23.01, with more state): ectl and that release's own ejabberdctl run the same
// read-only command with the same arguments against the same node; stdout and exit code must be
// identical. Each server first gets the same state (accounts,
// rosters, vCards, rooms, affiliations, MucSub subscribers, shared roster groups, last activity,
// offline messages, private storage, a ban, a registered nick and live XMPP sessions), made over
// the HTTP API with API version 0 definitions, which every release still has (new commands with
// their own). Commands a release does not have are not run on it.
//
// Left out on purpose (see test/oracle.test.mjs): results that change between two calls (uptimes,
// get_last of online users, stats processes...), Erlang terms ejabberdctl prints where the API
// sends JSON, and text written to the ejabberdctl console.
//
// The state is ASCII: ejabberdctl of 24.12 prints other characters as \x{...} escapes and that
// of 26.07 encodes UTF-8 twice in private_get (their Erlang/OTP's standard output), which ectl
// does not copy; a test of each release shows it. test/oracle.test.mjs covers 23.01.
//
// From 25.03 the HTTP API sorts list results and ejabberdctl does not: for those releases a
// command marked `list` is compared line by line in sorted order (the README's Differences).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ectl, uniqueName, liveServers, atLeast, HOST, HOST2, MUC, MUC2, MSG, SUBJ, jid, showRun as show, sortedLines } from './helpers.mjs';
import { xmppLogin } from './xmpp-client.mjs';
import { predicateNo } from '../dist/catalogue/predicates.js';


/** The read commands compared on a release, given the names its state uses. */
function reads(n) {
  const { A, B, C, D, E, F, R1, R2, R3, G1, G2, G3 } = n;
  return [
    // [args, { since: first release that has the command, list: a list result, v0: compared with
    // --api-version 0 too (a command whose result changed), groups: the column of each line that
    // holds a list (a roster item's groups), which the API sorts from 25.03 }]
    [['registered_vhosts'], { list: true }],
    [['registered_users', HOST], { list: true }],
    [['registered_users', HOST2], { list: true }],
    [['check_account', A, HOST]],
    [['check_password', A, HOST, n.pw[A]]],
    [['get_roster', A, HOST], { list: true, v0: true, groups: 4 }],
    [['get_roster', B, HOST], { list: true, groups: 4 }],
    [['get_roster', D, HOST2], { list: true, groups: 4 }],
    [['get_roster', E, HOST], { list: true, v0: true, groups: 4 }],
    [['get_vcard', A, HOST, 'FN']],
    [['get_vcard', A, HOST, 'NICKNAME']],
    [['get_vcard', A, HOST, 'DESC']],
    [['get_vcard', B, HOST, 'FN']],
    [['get_vcard2', A, HOST, 'N', 'FAMILY']],
    [['get_vcard2', A, HOST, 'N', 'GIVEN']],
    [['get_vcard2_multi', A, HOST, 'EMAIL', 'USERID'], { list: true }],
    [['get_last', C, HOST]],
    [['get_last', D, HOST2]],
    [['get_last', F, HOST]],
    [['get_offline_count', C, HOST]],
    [['get_offline_count', A, HOST]],
    [['private_get', A, HOST, 'storage', 'storage:bookmarks']],
    [['private_get', B, HOST, 'q', 'ectl:test:notes']],
    [['get_room_options', R1, MUC], { list: true }],
    [['get_room_options', R2, MUC], { list: true }],
    [['get_room_options', R3, MUC2], { list: true }],
    [['get_room_affiliations', R1, MUC], { list: true, v0: true }],
    [['get_room_affiliations', R3, MUC2], { list: true }],
    [['get_room_affiliation', R1, MUC, jid(B)]],
    [['get_room_affiliation', R1, MUC, jid(D, HOST2)]],
    [['get_room_affiliation', R1, MUC, jid(C)]],
    [['get_room_occupants', R1, MUC], { list: true }],
    [['get_room_occupants', R2, MUC], { list: true }],
    [['get_room_occupants_number', R1, MUC]],
    [['get_subscribers', R1, MUC], { list: true }],
    [['get_user_rooms', A, HOST], { list: true }],
    [['get_user_rooms', E, HOST], { list: true }],
    [['get_user_subscriptions', B, HOST], { list: true, v0: true }],
    [['get_user_subscriptions', C, HOST], { list: true }],
    [['muc_online_rooms', MUC], { list: true }],
    [['muc_online_rooms', MUC2], { list: true }],
    [['muc_online_rooms_by_regex', MUC, `^(${R1}|${R2})$`], { list: true }],
    [['srg_list', HOST], { list: true }],
    [['srg_get_members', G1, HOST], { list: true }],
    [['srg_get_members', G2, HOST2], { list: true }],
    // displayed_groups as ejabberdctl prints it: an Erlang list on the key's line.
    [['srg_get_info', G1, HOST], { list: true }],
    [['srg_get_info', G2, HOST2], { list: true }],
    [['srg_get_info', G3, HOST], { list: true }],
    [['stats', 'registeredusers']],
    [['stats', 'onlineusers']],
    [['stats_host', 'registeredusers', HOST2]],
    [['stats_host', 'onlineusers', HOST]],
    [['status_num', 'away']],
    [['status_num_host', HOST, 'dnd']],
    [['status_list', 'away'], { list: true, v0: true }],
    [['status_list', 'xa'], { list: true }],
    [['status_list_host', HOST, 'dnd'], { list: true, v0: true }],
    [['connected_users'], { list: true }],
    [['connected_users_number']],
    [['connected_users_vhost', HOST], { list: true }],
    [['get_presence', A, HOST]],
    [['get_presence', E, HOST]],
    [['get_presence', C, HOST]],
    [['user_resources', A, HOST], { list: true }],
    [['num_resources', A, HOST]],
    [['resource_num', A, HOST, '1']],
    [['get_loglevel']],
    [['list_cluster'], { list: true }],
    [['incoming_s2s_number']],
    [['outgoing_s2s_number']],
    [['modules_installed'], { list: true }],
    [['list_certificates'], { list: true }],
    [['status']],
    [['delete_old_messages_status', HOST]],
    // Compared on 23.01 by test/oracle.test.mjs, here on the later releases too.
    [['delete_old_mam_messages_status', HOST]],
    [['private_get', C, HOST, 'q', 'ectl:test:notes']],
    [['get_room_occupants_number', R2, MUC]],
    [['get_subscribers', R2, MUC], { list: true }],
    [['get_user_rooms', C, HOST], { list: true }],
    [['get_user_subscriptions', E, HOST], { list: true }],
    [['muc_online_rooms_by_regex', MUC, `^${R1}$`], { list: true }],
    [['srg_list', HOST2], { list: true }],
    [['stats', 'onlineusersnode']],
    [['status_num', 'xa']],
    [['status_list_host', HOST, 'xa'], { list: true }],
    [['connected_users_vhost', HOST2], { list: true }],
    [['get_presence', B, HOST]],
    [['user_sessions_info', C, HOST], { list: true }],
    [['num_resources', C, HOST]],
    [['resource_num', A, HOST, '2']],
    [['get_cookie']],
    [['mnesia_table_info', 'schema']],
    [['modules_available'], { list: true }],
    [['update_list'], { list: true }],
    // Added after 23.01.
    [['get_roster_count', A, HOST], { since: '24.06' }],
    [['get_ban_details', F, HOST], { since: '24.06', list: true }],
    [['get_ban_details', A, HOST], { since: '24.06', list: true }],
    // 24.06 to 24.12 fail to send a list that is not empty (a test below): an empty one there.
    [['srg_get_displayed', G1, HOST], { since: '25.03', list: true }],
    [['srg_get_displayed', G2, HOST2], { since: '24.06', list: true }],
    [['get_room_history', R1, MUC], { since: '23.04', list: true }],
    [['count_banned', HOST], { since: '25.10' }],
    [['list_banned', HOST], { since: '25.10', list: true }],
    [['muc_get_registered_nick', A, HOST, MUC], { since: '25.10' }],
    [['muc_get_registered_nicks', MUC], { since: '25.10', list: true }],
    [['muc_online_rooms_count', MUC], { since: '26.01' }],
  ];
}

/** Read commands that fail on every release: only the exit codes are compared. */
function failing(n) {
  const { A, C, NOBODY, NOROOM } = n;
  return [
    ['check_account', NOBODY, HOST],
    ['check_password', A, HOST, 'wrong password'],
    // 26.07 answers 403 over HTTP for a host it does not serve (the caller is no admin there).
    ...(atLeast(n.release, '26.07') ? [] : [['registered_users', 'nosuch.example']]),
    ['get_vcard', A, HOST, 'TITLE'],
    // (stats bogus: refused before sending since values are checked, test/value-checks.test.mjs)
    ['resource_num', A, HOST, '3'],
    ['get_room_affiliations', NOROOM, MUC],
    ['get_room_occupants', NOROOM, MUC],
    ['get_subscribers', NOROOM, MUC],
    ['muc_online_rooms', 'nosuch.service'],
    ['get_vcard', C, HOST, 'FN'],
    ['get_vcard2', A, HOST, 'N', 'MIDDLE'],
    ['get_room_affiliation', NOROOM, MUC, jid(A)],
    ['get_room_occupants_number', NOROOM, MUC],
  ];
}

async function waitUntil(what, pred, ms = 30_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`setup: timed out waiting for ${what}`);
}


/**
 * The text with the list in column `col` of each line sorted: from 25.03 the API sorts the groups
 * of a roster item and ejabberdctl does not (the README's Differences), so ectl cannot print
 * ejabberdctl's order; the groups themselves must still be the same.
 */
function sortedWithin(text, col, separator) {
  return text.split('\n').map((line) => {
    const fields = line.split('\t');
    if (fields.length > col) fields[col] = fields[col].split(separator).sort().join(separator);
    return fields.join('\t');
  }).join('\n');
}

for (const s of liveServers().filter((x) => x.release !== '23.01')) {
  const n = {
    A: uniqueName('ra'), B: uniqueName('rb'), C: uniqueName('rc'), D: uniqueName('rd'), E: uniqueName('re'), F: uniqueName('rf'),
    NOBODY: uniqueName('rnobody'), R1: uniqueName('rroom'), R2: uniqueName('rroom'), R3: uniqueName('rroom'),
    NOROOM: uniqueName('rnoroom'), G1: uniqueName('rgrp'), G2: uniqueName('rgrp'), G3: uniqueName('rgrp'),
  };
  n.release = s.release;
  const { A, B, C, D, E, F, R1, R2, R3, G1, G2, G3 } = n;
  n.pw = { [A]: 'Secret A1!', [B]: 'pw-b', [C]: 'pw c', [D]: 'pw-d', [E]: 'pw-e', [F]: 'pw-f' };
  const sessions = [];
  const has = (since) => !since || atLeast(s.release, since);
  const sorts = atLeast(s.release, '25.03');

  // Only one release's tests run at a time; within it, a few comparisons at once.
  describe(`ejabberd ${s.release}`, { concurrency: 3 }, () => {
    before(async () => {
      const api = (cmd, body, version = 0) => s.api(cmd, body, version); // throws unless HTTP 200
      for (const [u, h] of [[A, HOST], [B, HOST], [C, HOST], [D, HOST2], [E, HOST], [F, HOST]]) {
        await api('register', { user: u, host: h, password: n.pw[u] });
      }
      const roster = (lu, lh, u, h, nick, group, subs) => api('add_rosteritem', { localuser: lu, localhost: lh, user: u, host: h, nick, group, subs });
      await roster(A, HOST, B, HOST, 'Bob Builder', 'Friends', 'both');
      await roster(A, HOST, C, HOST, 'Carol N', 'Friends', 'to');
      await roster(B, HOST, A, HOST, 'Alice', 'Work', 'both');
      await roster(D, HOST2, A, HOST, 'Remote Alice', '', 'none');
      await api('set_vcard', { user: A, host: HOST, name: 'FN', content: 'Alice Liddell' });
      await api('set_vcard', { user: A, host: HOST, name: 'NICKNAME', content: 'ali' });
      await api('set_vcard', { user: A, host: HOST, name: 'DESC', content: 'line1\nline2\ttab' });
      await api('set_vcard', { user: B, host: HOST, name: 'FN', content: 'Bob U' });
      await api('set_vcard2', { user: A, host: HOST, name: 'N', subname: 'FAMILY', content: 'Liddell' });
      await api('set_vcard2', { user: A, host: HOST, name: 'N', subname: 'GIVEN', content: 'Alice' });
      await api('set_vcard2_multi', { user: A, host: HOST, name: 'EMAIL', subname: 'USERID', contents: ['alice@example.net', 'ali@example.net'] });
      await api('create_room_with_opts', { name: R1, service: MUC, host: HOST, options: [
        { name: 'persistent', value: 'true' }, { name: 'members_only', value: 'true' },
        { name: 'allow_subscription', value: 'true' }, { name: 'title', value: 'Room One' },
        { name: 'description', value: 'Zimmer fuer Gruesse' }] });
      await api('create_room', { name: R2, service: MUC, host: HOST });
      await api('change_room_option', { name: R2, service: MUC, option: 'persistent', value: 'true' });
      await api('change_room_option', { name: R2, service: MUC, option: 'title', value: 'multi\nline' });
      await api('create_room_with_opts', { name: R3, service: MUC2, host: HOST2, options: [
        { name: 'persistent', value: 'true' }, { name: 'public', value: 'false' }, { name: 'max_users', value: '50' }] });
      for (const [who, aff, room, service] of [[jid(A), 'owner', R1, MUC], [jid(B), 'member', R1, MUC], [jid(D, HOST2), 'admin', R1, MUC],
        ['spammer@example.net', 'outcast', R1, MUC], [jid(D, HOST2), 'owner', R3, MUC2]]) {
        await api('set_room_affiliation', { name: room, service, jid: who, affiliation: aff });
      }
      await api('subscribe_room', { user: jid(B), nick: 'Bobby', room: `${R1}@${MUC}`, nodes: `${MSG},${SUBJ}` });
      await api('subscribe_room', { user: jid(C), nick: 'Cee', room: `${R1}@${MUC}`, nodes: MSG });
      await api('srg_create', { group: G1, host: HOST, label: 'Team Label', description: 'The team', display: G1 });
      await api('srg_create', { group: G2, host: HOST2, label: 'Remote', description: 'Remote people', display: '' });
      // API v0 separates displayed groups with a backslash and n.
      await api('srg_create', { group: G3, host: HOST, label: 'Three', description: 'Sees two groups', display: `${G1}\\n${G3}` });
      await api('srg_user_add', { user: A, host: HOST, group: G1, grouphost: HOST });
      await api('srg_user_add', { user: B, host: HOST, group: G1, grouphost: HOST });
      await api('srg_user_add', { user: D, host: HOST2, group: G2, grouphost: HOST2 });
      await api('set_last', { user: C, host: HOST, timestamp: 1500000000, status: 'Zzz...\ttab' });
      await api('set_last', { user: F, host: HOST, timestamp: 1600000000, status: '' });
      await api('send_message', { type: 'chat', from: jid(B), to: jid(C), subject: 'Hi', body: 'Hello Carol' });
      await api('send_message', { type: 'normal', from: jid(A), to: jid(C), subject: 'Subj', body: 'Normal body' });
      await api('private_set', { user: A, host: HOST, element: `<storage xmlns="storage:bookmarks"><conference jid="${R1}@${MUC}" autojoin="true" name="Room One"><nick>ali</nick></conference></storage>` });
      await api('private_set', { user: B, host: HOST, element: '<q xmlns="ectl:test:notes">Gruesse &amp; more</q>' });
      if (has('24.06')) await api('ban_account', { user: F, host: HOST, reason: 'Spam, spam and spam' }, 2);
      await api('muc_register_nick', { nick: `nick${A}`, jid: jid(A), service: MUC });

      const join = (room, nick) => `<presence to='${room}@${MUC}/${nick}'><x xmlns='http://jabber.org/protocol/muc'/></presence>`;
      const login = async ({ then = [], ...o }) => {
        const session = await xmppLogin({ port: s.c2sPort, host: HOST, ...o });
        sessions.push(session);
        for (const stanza of then) session.send(stanza);
      };
      await login({ user: A, password: n.pw[A], resource: 'laptop', show: 'away', status: 'Out to lunch', priority: 5, then: [join(R1, 'Ali')] });
      await login({ user: A, password: n.pw[A], resource: 'phone', show: 'dnd', priority: 1 });
      await login({ user: B, password: n.pw[B], resource: 'desk', then: [join(R1, 'Bobby')] });
      await login({ user: E, password: n.pw[E], resource: 'r1', show: 'xa', status: 'Gone\ttab', priority: -1,
        then: [`<presence to='${jid(D, HOST2)}' type='subscribe'/>`, join(R2, 'Pe Uni')] });
      const count = async (room) => (await s.api('get_room_occupants_number', { name: room, service: MUC })).occupants;
      await waitUntil('two occupants in R1 and one in R2', async () => (await count(R1)) === 2 && (await count(R2)) === 1);
      await waitUntil('presences of A', async () => (await s.api('get_presence', { user: A, server: HOST })).show === 'dnd');
    });

    after(async () => {
      await Promise.all(sessions.map((x) => x.close()));
    });

    const reading = reads(n).filter(([, o = {}]) => has(o.since)).flatMap(([args, o = {}]) => [[args, o, false], ...(o.v0 ? [[args, o, true]] : [])]);
    for (const [args, { list, groups }, v0] of reading) {
      // ejabberdctl takes --version from 24.02; before, its only definitions are version 0.
      const theirs = v0 && atLeast(s.release, '24.02') ? ['--version', '0', ...args] : args;
      const ours = v0 ? ['--api-version', '0', ...args] : args;
      test(`${s.release}: same output as its ejabberdctl: ${ours.join(' ')}`, async () => {
        const [mine, oracle] = await Promise.all([ectl(ours, { env: s.env() }), s.ejabberdctlAsync(...theirs)]);
        assert.equal(oracle.code, 0, `ejabberdctl was expected to succeed: ${show(oracle)}`);
        const inner = (x) => (groups !== undefined && sorts ? sortedWithin(x, groups, v0 ? ';' : ',') : x);
        if (list && sorts) assert.equal(sortedLines(inner(mine.stdout)), sortedLines(inner(oracle.stdout)), `stdout differs\nectl: ${show(mine)}\nejabberdctl: ${show(oracle)}`);
        else assert.equal(mine.stdout, oracle.stdout, `stdout differs\nectl: ${show(mine)}\nejabberdctl: ${show(oracle)}`);
        assert.equal(mine.code, oracle.code, `exit code differs\nectl: ${show(mine)}`);
      });
    }

    for (const args of failing(n)) {
      test(`${s.release}: same failure exit code as its ejabberdctl: ${args.join(' ')}`, async () => {
        const [mine, oracle] = await Promise.all([ectl(args, { env: s.env() }), s.ejabberdctlAsync(...args)]);
        assert.notEqual(oracle.code, 0, `ejabberdctl was expected to fail: ${show(oracle)}`);
        assert.equal(mine.code, oracle.code, `exit code differs\nectl: ${show(mine)}\nejabberdctl: ${show(oracle)}`);
        // A yes/no command's "no" is an answer, said by the exit status alone (test/predicates.test.mjs).
        if (predicateNo(args[0])) assert.equal(mine.stderr, '', 'a "no" is quiet');
        else assert.notEqual(mine.stderr, '', 'ectl reports the failure on stderr');
      });
    }

    test(`${s.release}: non-ASCII text: ectl prints it as UTF-8, whatever this ejabberdctl makes of it`, async () => {
      const text = 'Zoë 日本 😀';
      await s.api('set_vcard', { user: E, host: HOST, name: 'FN', content: text });
      const [mine, oracle] = await Promise.all([ectl(['get_vcard', E, HOST, 'FN'], { env: s.env() }), s.ejabberdctlAsync('get_vcard', E, HOST, 'FN')]);
      assert.equal(mine.stdout, `${text}\n`, show(mine));
      // What each ejabberdctl prints, read as UTF-8: 24.12 ë as a lone latin-1 byte and the rest as
      // \x{...}; 26.07 the text here (its private_get encodes UTF-8 a second time).
      const theirs = { '24.12': 'Zo\ufffd \\x{65E5}\\x{672C} \\x{1F600}\n', '26.07': `${text}\n` }[s.release];
      assert.equal(oracle.stdout, theirs, `ejabberdctl ${s.release} printed ${JSON.stringify(oracle.stdout)}`);
    });

    // A server bug (the README's Differences): mod_http_api of 24.06 to 24.12 cannot encode the
    // values of this result, so a list that is not empty fails with internal_error there.
    if (has('24.06') && !has('25.03')) test(`${s.release}: srg_get_displayed of a group that displays groups: ectl says the server cannot send it, ejabberdctl lists them`, async () => {
      const [mine, oracle] = await Promise.all([ectl(['srg_get_displayed', G1, HOST], { env: s.env() }), s.ejabberdctlAsync('srg_get_displayed', G1, HOST)]);
      assert.equal(oracle.stdout, `${G1}\n`, show(oracle));
      assert.equal(mine.code, 1, show(mine));
      assert.equal(mine.stdout, '');
      assert.equal(mine.stderr, `Error: ejabberd ${s.release}'s HTTP API cannot send 'srg_get_displayed' results that are not empty (internal_error: its mod_http_api cannot encode values declared 'binary', a bug fixed in ejabberd 25.03); ejabberdctl on the server shows them\n`);
    });

    test(`${s.release}: at least 50 read commands compared`, () => {
      assert.ok(reads(n).filter(([, o = {}]) => has(o.since)).length >= 50);
    });
  });
}
