// Commands added after 23.01 that no other test covers, on the 26.07 server npm test starts: ectl
// and 26.07's own ejabberdctl run them and must print the same and exit alike. A command that
// changes something runs twice on twin objects (domains, invitations, cache entries, groups,
// hosts): once through ectl, once through ejabberdctl, and what ejabberdctl reads back from each
// twin must match too. Every change is undone at the end, so the suite can run again on the same
// server. Output holding a random token or a time is compared by its shape, as each case says.
//
// Not here: commands that change the node as a whole (halt, restart_kindly, evacuate_kindly,
// join_cluster_here, mnesia_table_change_storage, export_db/import_db, the announcements to every
// account): test/scratch-nodes.test.mjs runs them on scratch nodes of their own.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ectl, uniqueName, liveServers, HOST as H, HOST2 as H2, MUC, showRun as show, sortedLines } from './helpers.mjs';
import { oracle } from './oracle-twins.mjs';
import { erlangAtom } from '../dist/format/text.js';

const PW = 'nc-pw-1';
// An invitation or reset URI: the token is random, so only its shape is compared.
const INVITE = /^xmpp:([^?\s]*)\?register;preauth=([A-Za-z0-9]{16,})\t(\S*)\n$/;

const s = liveServers().find((x) => x.release === '26.07');

if (s) describe('ejabberd 26.07: commands added after 23.01', () => {
  const cleanups = [];
  after(async () => { for (const f of cleanups.reverse()) await f().catch(() => {}); });

  const { both, twins, same, ctl } = oracle(s);

  // Read-only commands whose result does not change between two calls.
  for (const args of [
    ['get_mam_count', 'admin', H],
    ['get_master'],
    ['export_db_status', H],
    ['import_db_status', H],
    ['reload_spam_filter_files', H],
    ['announce_motd_get', H2],
    // Rooms unused for 100000 days: none, nothing is destroyed.
    ['rooms_unused_destroy_skip_notifications', MUC, '100000'],
    // No test logs in on example.org of 26.07: nothing of the other tests is disconnected.
    ['kick_users', H2],
  ]) {
    test(`26.07: ${args.join(' ')} does what its ejabberdctl does`, async () => {
      const [a, b] = await both(args);
      same(a, b);
    });
  }

  test('26.07: mnesia_list_tables lists what its ejabberdctl lists (sizes left out: other tests change them)', async () => {
    const [a, b] = await both(['mnesia_list_tables']);
    const names = (x) => x.replace(/^([^\t]*\t[^\t]*)(\t\d+)+$/gm, '$1');
    same(a, b, { sort: true, map: names });
    assert.match(a.stdout, /^passwd\t[^\t]+\t\d+\t\d+\t\d+$/m);
  });

  test('26.07: list_cluster_detailed does what its ejabberdctl does (counts left out)', async () => {
    // The node name is an atom: quoted as ejabberdctl quotes it ('ectltest-2607@localhost'). The
    // process and table counts change between two calls.
    const [a, b] = await both(['list_cluster_detailed']);
    const norm = (x) => x.replace(/\t\d+\t\d+\t\d+\t/g, '\tN\tN\tN\t');
    same(a, b, { map: norm });
    assert.ok(a.stdout.startsWith(`${erlangAtom(s.node)}\ttrue\t`), a.stdout);
  });

  test('26.07: add_blocked_domain, get_blocked_domains and remove_blocked_domain do what ejabberdctl does', async () => {
    const mine = `${uniqueName('nc')}.example`;
    const theirs = `${uniqueName('nc')}.example`;
    cleanups.push(() => s.ejabberdctlAsync('remove_blocked_domain', H, mine), () => s.ejabberdctlAsync('remove_blocked_domain', H, theirs));
    let [a, b] = await twins((d) => ['add_blocked_domain', H, d], mine, theirs);
    same(a, b, { from: theirs, to: mine });
    const blocked = (await ctl('get_blocked_domains', H)).split('\n');
    assert.ok(blocked.includes(mine) && blocked.includes(theirs), `both blocked: ${blocked}`);
    [a, b] = await both(['get_blocked_domains', H]);
    same(a, b, { sort: true });
    [a, b] = await twins((d) => ['remove_blocked_domain', H, d], mine, theirs);
    same(a, b, { from: theirs, to: mine });
    const left = (await ctl('get_blocked_domains', H)).split('\n');
    assert.ok(!left.includes(mine) && !left.includes(theirs), `both unblocked: ${left}`);
  });

  test('26.07: generate_invite, list_invites, expire_invite_by_token, cleanup_expired_invite_tokens and delete_invite_by_token do what ejabberdctl does', async () => {
    await ctl('cleanup_expired_invite_tokens');
    let [a, b] = await twins(() => ['generate_invite', H], null, null);
    same(a, b, { map: (x) => x.replace(INVITE, 'xmpp:$1?register;preauth=TOKEN\t$3\n') });
    const mine = a.stdout.match(INVITE)[2];
    const theirs = b.stdout.match(INVITE)[2];
    cleanups.push(() => s.ejabberdctlAsync('delete_invite_by_token', H, mine), () => s.ejabberdctlAsync('delete_invite_by_token', H, theirs));
    // The HTTP API sorts the list and ejabberdctl does not: compared in sorted order.
    [a, b] = await both(['list_invites', H]);
    same(a, b, { sort: true });
    assert.match(a.stdout, new RegExp(`^${mine}\ttrue\t`, 'm'));
    const row = async (t) => (await ctl('list_invites', H)).split('\n').find((l) => l.startsWith(`${t}\t`)) ?? '';
    [a, b] = await twins((t) => ['expire_invite_by_token', H, t], mine, theirs);
    same(a, b);
    const [rm, rt] = [await row(mine), await row(theirs)];
    assert.match(rm, /^\S+\tfalse\t/, 'expired through ectl');
    assert.equal(rm.replaceAll(mine, 'T').replace(/\d{4}-\d\d-\d\dT[\d:]+Z/g, 'D'), rt.replaceAll(theirs, 'T').replace(/\d{4}-\d\d-\d\dT[\d:]+Z/g, 'D'));
    // Each twin removes one expired token (the other one is expired by then too: ectl goes second).
    const c = await s.ejabberdctlAsync('cleanup_expired_invite_tokens');
    assert.equal(c.stdout, '2\n', show(c));
    const list = await ctl('list_invites', H);
    assert.ok(!list.includes(mine) && !list.includes(theirs), 'both cleaned up');
  });

  // ejabberd answers 404 "not_found" for a token it does not have: the command's own failure,
  // not a missing command. ejabberdctl prints "Error: error" and "Error: not_found" on standard
  // output; ectl says the same on standard error (its standard output is for results) and exits
  // as ejabberdctl does.
  test('26.07: delete_invite_by_token of an unknown token fails as ejabberdctl does', async () => {
    const [a, b] = await twins((t) => ['delete_invite_by_token', H, t], 'nc0000unknown0000token', 'nc0000unknown0000token');
    assert.equal(b.stdout, 'Error: error\nError: not_found\n', show(b));
    assert.equal(a.code, b.code, `exit code differs\nectl: ${show(a)}\nejabberdctl: ${show(b)}`);
    assert.equal(a.stdout, '');
    assert.equal(a.stderr, "Error: 'delete_invite_by_token' found nothing for host localhost (not_found)\n");
  });

  test('26.07: cleanup_expired_invite_tokens does what ejabberdctl does', async () => {
    await ctl('cleanup_expired_invite_tokens');
    const tokens = [];
    for (let i = 0; i < 2; i += 1) tokens.push((await ctl('generate_invite', H)).match(INVITE)[2]);
    cleanups.push(...tokens.map((t) => () => s.ejabberdctlAsync('delete_invite_by_token', H, t)));
    await ctl('expire_invite_by_token', H, tokens[0]);
    const a = await ectl(['cleanup_expired_invite_tokens'], { env: s.env() });
    await ctl('expire_invite_by_token', H, tokens[1]);
    const b = await s.ejabberdctlAsync('cleanup_expired_invite_tokens');
    same(a, b);
    assert.equal(a.stdout, '1\n');
  });

  test('26.07: generate_invite_with_username and delete_invite_by_token do what ejabberdctl does', async () => {
    const mine = uniqueName('nc');
    const theirs = uniqueName('nc');
    let [a, b] = await twins((u) => ['generate_invite_with_username', u, H], mine, theirs);
    same(a, b, { from: theirs, to: mine, map: (x) => x.replace(INVITE, 'xmpp:$1?register;preauth=TOKEN\t$3\n') });
    assert.match(a.stdout, new RegExp(`^xmpp:${mine}@${H}\\?`));
    const tm = a.stdout.match(INVITE)[2];
    const tt = b.stdout.match(INVITE)[2];
    cleanups.push(() => s.ejabberdctlAsync('delete_invite_by_token', H, tm), () => s.ejabberdctlAsync('delete_invite_by_token', H, tt));
    [a, b] = await twins((t) => ['delete_invite_by_token', H, t], tm, tt);
    same(a, b);
    const list = await ctl('list_invites', H);
    assert.ok(!list.includes(tm) && !list.includes(tt), 'both deleted');
  });

  test('26.07: generate_reset_token and expire_invite_tokens do what ejabberdctl does', async () => {
    const mine = uniqueName('nc');
    const theirs = uniqueName('nc');
    for (const u of [mine, theirs]) {
      await ctl('register', u, H, PW);
      cleanups.push(() => s.ejabberdctlAsync('unregister', u, H));
    }
    let [a, b] = await twins((u) => ['generate_reset_token', u, H], mine, theirs);
    same(a, b, { from: theirs, to: mine, map: (x) => x.replace(INVITE, 'xmpp:$1?register;preauth=TOKEN\t$3\n') });
    assert.match(a.stdout, new RegExp(`^xmpp:${mine}@${H}\\?register;preauth=`));
    const tm = a.stdout.match(INVITE)[2];
    const tt = b.stdout.match(INVITE)[2];
    cleanups.push(() => s.ejabberdctlAsync('delete_invite_by_token', H, tm), () => s.ejabberdctlAsync('delete_invite_by_token', H, tt));
    [a, b] = await twins((u) => ['expire_invite_tokens', u, H], mine, theirs);
    same(a, b);
  });

  test('26.07: add_to_spam_filter_cache, get_spam_filter_cache, expire_spam_filter_cache and drop_from_spam_filter_cache do what ejabberdctl does', async () => {
    const mine = `${uniqueName('nc')}@spam.example`;
    const theirs = `${uniqueName('nc')}@spam.example`;
    cleanups.push(() => s.ejabberdctlAsync('drop_from_spam_filter_cache', H, mine), () => s.ejabberdctlAsync('drop_from_spam_filter_cache', H, theirs));
    let [a, b] = await twins((j) => ['add_to_spam_filter_cache', H, j], mine, theirs);
    same(a, b, { from: theirs, to: mine });
    // Each entry holds the time it was added: the times are left out.
    const noTimes = (x) => x.replace(/\t\d+$/gm, '\tT');
    [a, b] = await both(['get_spam_filter_cache', H]);
    same(a, b, { sort: true });
    assert.match(noTimes(a.stdout), new RegExp(`^${mine}\tT$`, 'm'));
    assert.match(noTimes(a.stdout), new RegExp(`^${theirs}\tT$`, 'm'));
    // Entries older than ~3 years: none of them.
    [a, b] = await both(['expire_spam_filter_cache', H, '100000000']);
    same(a, b);
    [a, b] = await twins((j) => ['drop_from_spam_filter_cache', H, j], mine, theirs);
    same(a, b, { from: theirs, to: mine });
    assert.match(a.stdout, /removed/);
    const left = await ctl('get_spam_filter_cache', H);
    assert.ok(!left.includes(mine) && !left.includes(theirs), `both dropped: ${left}`);
  });

  test('26.07: announce_motd_update, announce_motd_get and announce_motd_delete do what ejabberdctl does', async () => {
    // The message of the day is one per host: the twins are the two hosts.
    cleanups.push(() => s.ejabberdctlAsync('announce_motd_delete', H), () => s.ejabberdctlAsync('announce_motd_delete', H2));
    const before = await ctl('announce_motd_get', H);
    assert.equal(before, await ctl('announce_motd_get', H2), 'both hosts start alike');
    let [a, b] = await twins((h) => ['announce_motd_update', h, 'nc subject', 'nc body'], H, H2);
    same(a, b);
    [a, b] = await twins((h) => ['announce_motd_get', h], H, H2);
    same(a, b);
    assert.equal(await ctl('announce_motd_get', H), await ctl('announce_motd_get', H2));
    [a, b] = await twins((h) => ['announce_motd_delete', h], H, H2);
    same(a, b);
    assert.equal(await ctl('announce_motd_get', H), before, 'deleted');
    assert.equal(await ctl('announce_motd_get', H2), before, 'deleted');
  });

  test('26.07: srg_add, srg_set_info, srg_add_displayed, srg_get_displayed and srg_del_displayed do what ejabberdctl does', async () => {
    const mine = { g: uniqueName('ncg'), d: uniqueName('ncd') };
    const theirs = { g: uniqueName('ncg'), d: uniqueName('ncd') };
    const swap = (x) => x.replaceAll(theirs.g, mine.g).replaceAll(theirs.d, mine.d);
    for (const t of [mine, theirs]) {
      cleanups.push(() => s.ejabberdctlAsync('srg_delete', t.g, H), () => s.ejabberdctlAsync('srg_delete', t.d, H));
      await ctl('srg_add', t.d, H);
    }
    const readBack = async () => {
      for (const cmd of ['srg_get_info', 'srg_get_displayed']) {
        const x = await ctl(cmd, mine.g, H);
        const y = await ctl(cmd, theirs.g, H);
        assert.equal(sortedLines(x), sortedLines(swap(y)), `${cmd} differs between the twins`);
      }
    };
    const step = async (args) => {
      const [a, b] = await twins(args, mine, theirs);
      same(a, b, { map: swap, from: theirs.g, to: mine.g });
      await readBack();
    };
    await step((t) => ['srg_add', t.g, H]);
    await step((t) => ['srg_set_info', t.g, H, 'label', 'NC label']);
    assert.match(await ctl('srg_get_info', mine.g, H), /^label\tNC label$/m);
    await step((t) => ['srg_add_displayed', t.g, H, t.d]);
    let [a, b] = await both(['srg_get_displayed', mine.g, H]);
    same(a, b);
    assert.equal(a.stdout, `${mine.d}\n`);
    await step((t) => ['srg_del_displayed', t.g, H, t.d]);
    [a, b] = await both(['srg_get_displayed', mine.g, H]);
    same(a, b);
    assert.equal(a.stdout, '');
  });
});
