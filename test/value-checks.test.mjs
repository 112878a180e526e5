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

    test('the right words pass', async () => {
      const r = await run(['stats', 'registeredusers']);
      assert.equal(r.code, 0, showRun(r));
      assert.match(r.stdout, /^\d+\n$/);
    });
  });
}
