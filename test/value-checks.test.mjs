// Values of fixed sets are checked before anything is sent, for the release in use: a wrong
// one exits 2 with the closest valid word, and the server sees nothing (what it would have done
// is shown too: stored the bad value, ignored the option, or failed with internal_error).
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ectl, uniqueName, liveServers, showRun, atLeast } from './helpers.mjs';

const usage = (r, pattern) => {
  assert.equal(r.code, 2, showRun(r));
  assert.equal(r.stdout, '');
  assert.match(r.stderr, pattern);
};

for (const s of liveServers()) {
  describe(`ejabberd ${s.release}: values checked before sending`, () => {
    const room = uniqueName('vc');
    const u = uniqueName('vc');
    after(async () => {
      await s.ejabberdctlAsync('destroy_room', room, `conference.${s.host}`);
      await s.ejabberdctlAsync('unregister', u, s.host);
    });
    const run = (args) => ectl(args, { env: s.env() });

    test('a statistic name, a message type, a subscription, a log level: the closest word', async () => {
      usage(await run(['stats', 'onlineuser']), /argument 'name' must be one of .*; got 'onlineuser' \(did you mean onlineusers\?\)/);
      usage(await run(['stats', 'bogus']), /argument 'name' must be one of registeredusers, /);
      usage(await run(['send_message', 'chatt', s.admin, s.admin, 's', 'b']), /\(did you mean chat\?\)/);
      usage(await run(['set_loglevel', 'warn']), /\(did you mean warning\?\)/);
      await s.ejabberdctlAsync('register', u, s.host, 'vc-pw-1');
      usage(await run(['add_rosteritem', u, s.host, 'other', s.host, 'Other', 'Friends', 'bothh']), /argument 'subs' must be one of none, from, to, both; got 'bothh' \(did you mean both\?\)/);
      // Nothing was sent: the roster is still empty.
      assert.equal((await s.ejabberdctlAsync('get_roster', u, s.host)).stdout, '');
    });

    test('room options: a misspelt name, a value of the wrong type; nothing is created', async () => {
      const service = `conference.${s.host}`;
      usage(await run(['create_room_with_opts', room, service, s.host, 'membersonly:true']), /has no room option 'membersonly' \(did you mean members_only\?\)/);
      usage(await run(['create_room_with_opts', room, service, s.host, 'members_only:yes']), /room option members_only must be one of true, false; got 'yes'/);
      usage(await run(['create_room_with_opts', room, service, s.host, 'max_users:many']), /room option max_users must be an integer/);
      assert.doesNotMatch((await s.ejabberdctlAsync('muc_online_rooms', service)).stdout, new RegExp(room));
      const affiliations = await run(['create_room_with_opts', room, service, s.host, `affiliations:owner:${s.admin}`]);
      if (atLeast(s.release, '23.04')) {
        assert.equal(affiliations.code, 0, showRun(affiliations));
        assert.match((await s.ejabberdctlAsync('get_room_affiliations', room, service)).stdout, /owner/);
        // The help's two forms of several affiliations: the shorthand with escaped commas, and JSON.
        const other = uniqueName('vc');
        const escaped = await run(['create_room_with_opts', `${room}e`, service, s.host, `affiliations:owner:${s.admin}\\,member:${other}@${s.host}`]);
        const json = await run(['create_room_with_opts', `${room}j`, service, s.host, JSON.stringify([{ name: 'affiliations', value: `owner:${s.admin},member:${other}@${s.host}` }])]);
        try {
          for (const [r, name] of [[escaped, `${room}e`], [json, `${room}j`]]) {
            assert.equal(r.code, 0, showRun(r));
            const list = (await s.ejabberdctlAsync('get_room_affiliations', name, service)).stdout;
            assert.match(list, /owner/);
            assert.match(list, new RegExp(`${other}.*member|member.*${other}`));
          }
        } finally {
          for (const name of [`${room}e`, `${room}j`]) await s.ejabberdctlAsync('destroy_room', name, service);
        }
      } else {
        usage(affiliations, /ejabberd 23\.01 does not take affiliations here: 23\.04 and later do/);
      }
    });

    test('true/false outside room options: change_room_option, srg_set_info; a wrong key, then the right words', async () => {
      const service = `conference.${s.host}`;
      const r2 = uniqueName('vc');
      await s.api('create_room', { name: r2, service, host: s.host });
      try {
        usage(await run(['change_room_option', r2, service, 'members_only', 'yes']), /option members_only must be one of true, false; got 'yes'/);
        usage(await run(['change_room_option', r2, service, 'membersonly', 'true']), /has no room option 'membersonly' \(did you mean members_only\?\)/);
        // The API sends a list of name/value pairs as one object.
        const value = async () => (await s.api('get_room_options', { name: r2, service })).members_only;
        assert.equal(await value(), 'false', 'nothing was sent');
        const ok = await run(['change_room_option', r2, service, 'members_only', 'true']);
        assert.equal(ok.code, 0, showRun(ok));
        assert.equal(await value(), 'true');
      } finally {
        await s.api('destroy_room', { name: r2, service });
      }
      if (!atLeast(s.release, '24.06')) return; // srg_set_info came in 24.06
      const group = uniqueName('vc');
      await s.api('srg_create', { group, host: s.host, label: 'L', description: 'D', display: [] }, 1);
      try {
        const info = async () => Object.fromEntries((await s.api('srg_get_info', { group, host: s.host })).map((kv) => [kv.key, kv.value]));
        usage(await run(['srg_set_info', group, s.host, 'all_users', 'yes']), /argument 'value' must be one of true, false; got 'yes'/);
        usage(await run(['srg_set_info', group, s.host, 'allusers', 'true']), /argument 'key' must be one of label, description, all_users, online_users; got 'allusers' \(did you mean all_users\?\)/);
        assert.equal((await info()).all_users, undefined, 'nothing was sent');
        for (const args of [['all_users', 'true'], ['online_users', 'false'], ['label', 'yes, any text']]) {
          const r = await run(['srg_set_info', group, s.host, ...args]);
          assert.equal(r.code, 0, showRun(r));
        }
        const after = await info();
        assert.equal(after.all_users, 'true');
        assert.equal(after.label, 'yes, any text');
      } finally {
        await s.api('srg_delete', { group, host: s.host });
      }
    });

    test('MUC/Sub nodes: a misspelt one is refused (the room would drop it), the right ones are taken', async () => {
      const service = `conference.${s.host}`;
      const r3 = uniqueName('vc');
      const sub = uniqueName('vc');
      await s.api('register', { user: sub, host: s.host, password: 'vc-pw-2' });
      await s.api('create_room_with_opts', { name: r3, service, host: s.host, options: [{ name: 'allow_subscription', value: 'true' }] });
      try {
        const nodes = 'urn:xmpp:mucsub:nodes:messages,urn:xmpp:mucsub:nodes:subjet';
        // The default definition of each release: v0 takes the user and room as JIDs and the nodes as one text, v3 names them apart.
        const args = atLeast(s.release, '24.12') ? [sub, s.host, 'Sub', r3, service, nodes] : [`${sub}@${s.host}`, 'Sub', `${r3}@${service}`, nodes];
        usage(await run(['subscribe_room', ...args]), /argument 'nodes'( element 2)? must be one of urn:xmpp:mucsub:nodes:presence, .*; got 'urn:xmpp:mucsub:nodes:subjet' \(did you mean urn:xmpp:mucsub:nodes:subject\?\)/);
        assert.deepEqual(await s.api('get_subscribers', { [atLeast(s.release, '24.12') ? 'room' : 'name']: r3, service }), [], 'nothing was sent');
        args[args.length - 1] = 'urn:xmpp:mucsub:nodes:messages,urn:xmpp:mucsub:nodes:subject';
        const r = await run(['subscribe_room', ...args]);
        assert.equal(r.code, 0, showRun(r));
        assert.deepEqual(r.stdout.trim().split('\n').sort(), ['urn:xmpp:mucsub:nodes:messages', 'urn:xmpp:mucsub:nodes:subject']);
      } finally {
        await s.api('destroy_room', { name: r3, service });
        await s.api('unregister', { user: sub, host: s.host });
      }
    });

    if (atLeast(s.release, '25.03')) {
      test('storage types and export formats (25.03 and later)', async () => {
        usage(await run(['mnesia_table_change_storage', 'muc_online_room', 'disk_copies']), /argument 'storage_type' must be one of ram_copies, disc_copies, disc_only_copies, remote_copy; got 'disk_copies' \(did you mean disc_copies\?\)/);
        // A table kept in RAM set to RAM again: accepted, and nothing changes.
        const tables = await s.api('mnesia_list_tables', {});
        const table = tables.find((t) => t.name === 'muc_online_room');
        assert.equal(table?.storage_type, 'RAM copy', JSON.stringify(tables));
        const r = await run(['mnesia_table_change_storage', table.name, 'ram_copies']);
        assert.equal(r.code, 0, showRun(r));
        assert.equal((await s.api('mnesia_list_tables', {})).find((t) => t.name === table.name).storage_type, 'RAM copy');
        if (atLeast(s.release, '26.07')) {
          const dir = `${s.dir}/export-${uniqueName('vc')}`;
          usage(await run(['export_db_ext', s.host, dir, 'all', 'jsn']), /argument 'type' must be one of json, dbser; got 'jsn' \(did you mean json\?\)/);
          const e = await run(['export_db_ext', s.host, dir, 'mod_roster', 'json']);
          assert.equal(e.code, 0, showRun(e));
        }
      });
    }

    test('the right words pass', async () => {
      const r = await run(['stats', 'registeredusers']);
      assert.equal(r.code, 0, showRun(r));
      assert.match(r.stdout, /^\d+\n$/);
    });
  });
}
