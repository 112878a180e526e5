// Commands the other oracle files leave out that are safe to run on the shared test servers, on
// every release npm test starts that has them (test/zz-oracle-coverage.test.mjs lists the rest,
// each with its reason). A change runs on twin objects of this file's own (accounts, groups,
// tokens, clients): ectl changes one twin and the release's own ejabberdctl reads it back, and
// the other way round; both must print the same and exit alike. A command that must fail on
// these servers (an unknown module or host, a file that is not there or cannot be written) is
// compared by its exit code only: ejabberdctl prints its error on stdout, ectl on stderr.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { ectl, uniqueName, liveServers, showRun, HOST as H, HOST2 as H2 } from './helpers.mjs';
import { oracle, twinFixtures } from './oracle-twins.mjs';
import { catalogueFor } from '../dist/catalogue/releases.js';

const PW = 'sw-pass-1';
/** Releases whose API refuses a host argument the server does not serve (exit 4). */
const UNKNOWN_HOST_REFUSED = ['26.07'];

describe('commands the other oracle files leave out, ectl against ejabberdctl', { concurrency: true }, () => {
  for (const s of liveServers()) {
    const has = new Set(catalogueFor(s.release).map((c) => c.name));
    describe(`ejabberd ${s.release}`, { concurrency: true }, () => {
      const env = s.env();
      const { both, twins, same, ctl } = oracle(s, { env });
      /** ectl's run of `args`: asserts it succeeded and resolves its stdout. */
      const viaEctl = async (...args) => {
        const r = await ectl(args, { env });
        assert.equal(r.code, 0, `ectl ${args.join(' ')}: ${showRun(r)}`);
        return r.stdout;
      };
      /** Both tools failed, with the same exit code. */
      const failsAlike = (a, b) => {
        assert.notEqual(b.code, 0, `ejabberdctl was expected to fail: ${showRun(b)}`);
        assert.equal(a.code, b.code, `exit code differs\nectl: ${showRun(a)}\nejabberdctl: ${showRun(b)}`);
        assert.equal(a.stdout, '', showRun(a));
      };
      const { twinUsers, cleanups, cleanUp } = twinFixtures(s, PW);
      after(cleanUp);

      test(`${s.release}: change_password through each tool; the other's check_password reads it back`, async () => {
        const [mine, theirs] = await twinUsers('swp');
        const [a, b] = await twins((u) => ['change_password', u, H, 'sw-new-2'], mine, theirs);
        same(a, b);
        assert.equal(await ctl('check_password', mine, H, 'sw-new-2'), '');
        assert.equal(await viaEctl('check_password', theirs, H, 'sw-new-2'), '');
        const [c, d] = await Promise.all([ectl(['check_password', theirs, H, PW], { env }), s.ejabberdctlAsync('check_password', mine, H, PW)]);
        assert.equal(c.code, d.code, 'the old password is refused by both');
        assert.equal(c.code, 1);
      });

      test(`${s.release}: register and unregister through each tool; the other's check_account reads it back`, async () => {
        const [mine, theirs] = [uniqueName('swu'), uniqueName('swu')];
        cleanups.push(async () => { for (const u of [mine, theirs]) await s.api('unregister', { user: u, host: H }); });
        let [a, b] = await twins((u) => ['register', u, H, PW], mine, theirs);
        same(a, b, { from: theirs, to: mine });
        assert.equal(await ctl('check_account', mine, H), '');
        assert.equal(await viaEctl('check_account', theirs, H), '');
        [a, b] = await twins((u) => ['unregister', u, H], mine, theirs);
        same(a, b, { from: theirs, to: mine });
        const [c, d] = await Promise.all([ectl(['check_account', theirs, H], { env }), s.ejabberdctlAsync('check_account', mine, H)]);
        assert.equal(d.code, 1, showRun(d));
        assert.equal(c.code, d.code, showRun(c));
      });

      test(`${s.release}: srg_delete through each tool; the other's srg_get_info finds no group`, async () => {
        const [gm, gt] = [uniqueName('swd'), uniqueName('swd')];
        for (const g of [gm, gt]) await s.api('srg_create', { group: g, host: H, label: 'SW', description: '', display: '' });
        cleanups.push(async () => { for (const g of [gm, gt]) await s.api('srg_delete', { group: g, host: H }); });
        const [a, b] = await twins((g) => ['srg_delete', g, H], gm, gt);
        same(a, b);
        const [c, d] = await Promise.all([ectl(['srg_get_info', gt, H], { env }), s.ejabberdctlAsync('srg_get_info', gm, H)]);
        assert.equal(c.code, d.code, `${showRun(c)}\n${showRun(d)}`);
        assert.equal(c.stdout, d.stdout);
      });

      // Account state through each tool, read back by the other (ASCII: 24.12's ejabberdctl
      // escapes other characters).
      const pairs = [
        { write: (u) => ['set_vcard', u, H, 'FN', 'SW Full Name'], read: (u) => ['get_vcard', u, H, 'FN'] },
        { write: (u) => ['set_vcard2', u, H, 'N', 'FAMILY', 'Swfamily'], read: (u) => ['get_vcard2', u, H, 'N', 'FAMILY'] },
        { write: (u) => ['set_last', u, H, '1500000000', 'SW away'], read: (u) => ['get_last', u, H] },
        { write: (u) => ['private_set', u, H, '<q xmlns="ectl:sw:notes">SW note</q>'], read: (u) => ['private_get', u, H, 'q', 'ectl:sw:notes'] },
        { write: (u) => ['send_message', 'chat', `${s.admin}`, `${u}@${H}`, 'SW', 'SW body'], read: (u) => ['get_offline_count', u, H] },
      ];
      for (const { write, read } of pairs) {
        test(`${s.release}: ${write('u')[0]} through each tool; the other's ${read('u')[0]} reads it back`, async () => {
          const [mine, theirs] = await twinUsers('swa');
          const [a, b] = await twins(write, mine, theirs);
          same(a, b);
          const back = await ctl(...read(mine));
          assert.notEqual(back, '', 'something was stored');
          assert.equal(await viaEctl(...read(theirs)), back);
        });
      }

      test(`${s.release}: srg_user_add through each tool; the other's srg_get_members reads it back`, async () => {
        const [gm, gt] = [uniqueName('swh'), uniqueName('swh')];
        const [um, ut] = await twinUsers('swk');
        cleanups.push(async () => { for (const g of [gm, gt]) await s.api('srg_delete', { group: g, host: H }); });
        for (const g of [gm, gt]) await s.api('srg_create', { group: g, host: H, label: 'SW', description: '', display: '' });
        const [a, b] = await twins(([g, u]) => ['srg_user_add', u, H, g, H], [gm, um], [gt, ut]);
        same(a, b);
        assert.equal(await ctl('srg_get_members', gm, H), `${um}@${H}\n`);
        assert.equal(await viaEctl('srg_get_members', gt, H), `${ut}@${H}\n`);
      });

      for (const args of [['get_master'], ['get_mam_count', s.admin.split('@')[0], H]]) {
        if (!has.has(args[0])) continue;
        test(`${s.release}: ${args[0]} prints what its ejabberdctl prints`, async () => {
          const [a, b] = await both(args);
          same(a, b);
        });
      }

      test(`${s.release}: check_password_hash answers as its ejabberdctl does, right and wrong`, async () => {
        const [mine] = await twinUsers('swh');
        const md5 = createHash('md5').update(PW, 'utf8').digest('hex');
        for (const hash of [md5.toUpperCase(), md5, '00']) {
          const [a, b] = await both(['check_password_hash', mine, H, hash, 'md5']);
          assert.equal(a.code, b.code, `${hash}: ${showRun(a)}\n${showRun(b)}`);
          if (b.code === 0) same(a, b);
        }
      });

      test(`${s.release}: delete_rosteritem through each tool; the other's get_roster reads it back`, async () => {
        const [mine, theirs] = await twinUsers('swr');
        const [buddy] = await twinUsers('swb');
        for (const u of [mine, theirs]) await s.api('add_rosteritem', { localuser: u, localhost: H, user: buddy, host: H, nick: 'Buddy', group: 'G', subs: 'both' });
        let [a, b] = await twins((u) => ['delete_rosteritem', u, H, buddy, H], mine, theirs);
        same(a, b);
        assert.equal(await ctl('get_roster', mine, H), '');
        assert.equal(await viaEctl('get_roster', theirs, H), '');
        // An item that is not (any more) on the roster.
        [a, b] = await twins((u) => ['delete_rosteritem', u, H, buddy, H], mine, theirs);
        same(a, b);
      });

      test(`${s.release}: srg_user_del through each tool; the other's srg_get_members reads it back`, async () => {
        const [gm, gt] = [uniqueName('swg'), uniqueName('swg')];
        const [um, ut] = await twinUsers('swm');
        cleanups.push(async () => { for (const g of [gm, gt]) await s.api('srg_delete', { group: g, host: H }); });
        for (const [g, u] of [[gm, um], [gt, ut]]) {
          await s.api('srg_create', { group: g, host: H, label: 'SW', description: '', display: '' });
          await s.api('srg_user_add', { user: u, host: H, group: g, grouphost: H });
        }
        const [a, b] = await twins(([g, u]) => ['srg_user_del', u, H, g, H], [gm, um], [gt, ut]);
        same(a, b);
        assert.equal(await ctl('srg_get_members', gm, H), '');
        assert.equal(await viaEctl('srg_get_members', gt, H), '');
      });

      test(`${s.release}: send_stanza to an offline account through each tool; the other's get_offline_count reads it back`, async () => {
        const [mine, theirs] = await twinUsers('sws');
        const [from] = await twinUsers('swf');
        const stanza = (u) => `<message to='${u}@${H}' from='${from}@${H}' type='chat'><body>SW ${u}</body></message>`;
        const [a, b] = await twins((u) => ['send_stanza', `${from}@${H}`, `${u}@${H}`, stanza(u)], mine, theirs);
        same(a, b);
        assert.equal(await ctl('get_offline_count', mine, H), '1\n');
        assert.equal(await viaEctl('get_offline_count', theirs, H), '1\n');
      });

      test(`${s.release}: push_roster of a file through each tool; the other's get_roster reads it back`, async () => {
        const [mine, theirs] = await twinUsers('swq');
        const [buddy] = await twinUsers('swqb');
        const file = `${s.dir}/${uniqueName('sw')}.roster`;
        cleanups.push(async () => rmSync(s.hostPath(file), { force: true }));
        writeFileSync(s.hostPath(file), `[{"${buddy}","${H}","SW Group","SW Buddy"}].\n`);
        const [a, b] = await twins((u) => ['push_roster', file, u, H], mine, theirs);
        same(a, b);
        const line = `${buddy}@${H}\tSW Buddy\tboth\t`;
        assert.ok((await ctl('get_roster', mine, H)).startsWith(line));
        assert.equal(await viaEctl('get_roster', theirs, H), await ctl('get_roster', mine, H));
      });

      test(`${s.release}: send_stanza_c2s for an account without that session fails alike`, async () => {
        const [mine] = await twinUsers('swc');
        const [a, b] = await both(['send_stanza_c2s', mine, H, 'nosuchres', `<message to='${mine}@${H}'><body>x</body></message>`]);
        if (b.code === 0) same(a, b);
        else failsAlike(a, b);
      });

      test(`${s.release}: privacy_set through each tool on twin accounts prints and exits alike`, async () => {
        const [mine, theirs] = await twinUsers('swy');
        const list = "<query xmlns='jabber:iq:privacy'><list name='sw'><item type='jid' value='spam@example.net' action='deny' order='1'/></list></query>";
        const [a, b] = await twins((u) => ['privacy_set', u, H, list], mine, theirs);
        same(a, b);
      });

      test(`${s.release}: oauth_issue_token and oauth_revoke_token through each tool; the other revokes what one issued`, async () => {
        const admin = `${s.admin}`;
        const mineTok = (await viaEctl('oauth_issue_token', admin, '600', 'ejabberd:admin')).split('\t')[0];
        const theirsTok = (await ctl('oauth_issue_token', admin, '600', 'ejabberd:admin')).split('\t')[0];
        assert.match(mineTok, /^[A-Za-z0-9]+$/);
        assert.match(theirsTok, /^[A-Za-z0-9]+$/);
        // ectl revokes what ejabberdctl issued and the other way round: the same answer.
        let [a, b] = await twins((t) => ['oauth_revoke_token', t], theirsTok, mineTok);
        same(a, b);
        // The token ectl issued no longer lets ectl in.
        const refused = await ectl(['--token', mineTok, 'registered_vhosts'], { env: s.env({ ECTL_USER: null, ECTL_PASSWORD: null }) });
        assert.notEqual(refused.code, 0, showRun(refused));
        // A token that is not there.
        [a, b] = await twins((t) => ['oauth_revoke_token', t], `${mineTok}x`, `${theirsTok}x`);
        if (b.code === 0) same(a, b);
        else failsAlike(a, b);
      });

      test(`${s.release}: oauth_add_client_implicit through each tool; the other removes the client`, async () => {
        const [mine, theirs] = [uniqueName('swi'), uniqueName('swi')];
        const [a, b] = await twins((c) => ['oauth_add_client_implicit', c, `SW ${c}`, 'http://127.0.0.1/sw'], mine, theirs);
        same(a, b);
        const [p, q] = await twins((c) => ['oauth_add_client_password', `${c}p`, `SW ${c}`, 'sw-client-secret'], mine, theirs);
        same(p, q);
        const [e, f] = await twins((x) => ['oauth_remove_client', `${x}p`], theirs, mine);
        same(e, f);
        // Each is there: removing it through the other tool answers as removing a known client.
        const [c, d] = await twins((x) => ['oauth_remove_client', x], theirs, mine);
        same(c, d);
      });

      test(`${s.release}: set_loglevel to the level the server has prints and exits alike`, async () => {
        const level = (await ctl('get_loglevel')).trim();
        assert.match(level, /^[a-z]+$/);
        for (const args of [['set_loglevel', level]]) {
          const a = await ectl(args, { env });
          const b = await s.ejabberdctlAsync(...args);
          same(a, b);
        }
        assert.equal(await viaEctl('get_loglevel'), `${level}\n`);
      });

      for (const args of [['clear_cache'], ['reopen_log'], ['rotate_log'], ['abort_delete_old_messages', H2], ['abort_delete_old_mam_messages', H2], ['unban_ip', '192.0.2.77']]) {
        if (!has.has(args[0])) continue;
        test(`${s.release}: ${args.join(' ')} prints and exits as its ejabberdctl does`, async () => {
          const [a, b] = await both(args);
          if (b.code === 0) same(a, b);
          else failsAlike(a, b);
        });
      }

      // Each of these fails here: nothing is changed, and both tools must exit alike.
      const none = `/nonexistent-${uniqueName('sw')}`;
      const failing = [
        ['restart_module', H, 'mod_sw_nosuch'],
        ['update', 'mod_sw_nosuch'],
        ['module_install', 'mod_sw_nosuch'],
        ['module_uninstall', 'mod_sw_nosuch'],
        ['module_upgrade', 'mod_sw_nosuch'],
        ['compile', `${none}.erl`],
        ['load', `${none}.dump`],
        ['restore', `${none}.backup`],
        ['install_fallback', `${none}.backup`],
        ['import_file', `${none}.xml`],
        ['import_dir', none],
        ['import_piefxis', `${none}.xml`],
        ['import_prosody', none],
        ['convert_to_yaml', `${none}.cfg`, `${none}.yml`],
        ['backup', `/proc/${uniqueName('sw')}.backup`],
        ['dump', `/proc/${uniqueName('sw')}.dump`],
        ['dump_table', `/proc/${uniqueName('sw')}.dump`, 'schema'],
        ['export_piefxis', `/proc/${uniqueName('sw')}`],
        ['export_piefxis_host', `/proc/${uniqueName('sw')}`, H],
        // A host the server does not serve: these change nothing (on a served host they would
        // reach every account). 26.07's API refuses an unknown host (the README's Differences).
        ...(UNKNOWN_HOST_REFUSED.includes(s.release) ? [] : [
          ['convert_to_scram', 'nosuch.example'],
          ['export2sql', 'nosuch.example', `/proc/${uniqueName('sw')}.sql`],
          ['delete_old_users_vhost', 'nosuch.example', '100000'],
          ['kick_users', 'nosuch.example'],
        ]),
      ];
      for (const args of failing) {
        if (!has.has(args[0])) continue;
        test(`${s.release}: ${args[0]} that cannot do anything here exits as its ejabberdctl does`, async () => {
          const [a, b] = await both(args);
          if (b.code === 0) same(a, b);
          else failsAlike(a, b);
        });
      }

      test(`${s.release}: gen_html_doc_for_commands, gen_markdown_doc_for_commands and dump_table write the files its ejabberdctl writes`, async () => {
        const cases = [
          (p) => ['gen_html_doc_for_commands', p, 'get_roster', 'true'],
          (p) => ['gen_markdown_doc_for_commands', p, 'get_roster', 'true'],
          (p) => ['dump_table', p, 'push_session'], // a table nothing here writes to
        ];
        for (const args of cases) {
          const command = args('')[0];
          if (!has.has(command)) continue;
          const [mine, theirs] = [`${s.dir}/${uniqueName('sw')}.out`, `${s.dir}/${uniqueName('sw')}.out`];
          cleanups.push(async () => { rmSync(s.hostPath(mine), { force: true }); rmSync(s.hostPath(theirs), { force: true }); });
          const [a, b] = await twins(args, mine, theirs);
          same(a, b);
          assert.equal(readFileSync(s.hostPath(mine), 'utf8'), readFileSync(s.hostPath(theirs), 'utf8'), `${command}: the two files differ`);
        }
      });
    });
  }
});
