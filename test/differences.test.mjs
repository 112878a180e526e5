// The README's Differences from ejabberdctl and the help's claims about what a server does,
// checked against each release's ejabberdctl on the test servers: exit codes for a host the
// server does not serve and for a wrong command line, create_rooms_file's rooms (stored at
// once, lines ejabberdctl prints that ectl cannot), and API v0 add_rosteritem's groups.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync, chmodSync } from 'node:fs';
import { ectl, uniqueName, liveServers, atLeast, HOST, showRun as show } from './helpers.mjs';

const NOHOST = 'nosuch.example';
const files = [];
after(() => { for (const f of files) rmSync(f, { force: true }); });

for (const s of liveServers()) {
  describe(`ejabberd ${s.release}: the README's Differences`, { concurrency: true }, () => {
    // ejabberdctl exits 0 for these on a host the server does not serve; 26.07's API refuses them (4).
    for (const args of [['stats_host', 'registeredusers', NOHOST], ['convert_to_scram', NOHOST], ['registered_users', NOHOST]]) {
      test(`${s.release}: ${args[0]} of a host the server does not serve: exit codes as the README says`, async () => {
        const [mine, oracle] = await Promise.all([ectl(args, { env: s.env() }), s.ejabberdctlAsync(...args)]);
        assert.equal(oracle.code, args[0] === 'registered_users' ? 1 : 0, show(oracle));
        if (atLeast(s.release, '26.07')) {
          assert.equal(mine.code, 4, show(mine));
          assert.match(mine.stderr, /not authorized/);
        } else {
          assert.equal(mine.code, oracle.code, show(mine));
          if (oracle.code === 0) assert.equal(mine.stdout, oracle.stdout, show(mine));
        }
      });
    }

    if (atLeast(s.release, '26.07')) test(`${s.release}: export2sql of a host it serves is refused over HTTP (exit 4)`, async () => {
      const file = `/tmp/${uniqueName('e2s')}.sql`;
      const mine = await ectl(['export2sql', HOST, file], { env: s.env() });
      assert.equal(mine.code, 4, show(mine));
      assert.equal(mine.stdout, '');
    });

    test(`${s.release}: a wrong command line: ejabberdctl exits 1 (2 on 26.07 for missing arguments), ectl 2`, async () => {
      const [mine, oracle] = await Promise.all([ectl(['register', 'onlyone'], { env: s.env() }), s.ejabberdctlAsync('register', 'onlyone')]);
      assert.equal(oracle.code, atLeast(s.release, '26.07') ? 2 : 1, show(oracle));
      assert.equal(mine.code, 2, show(mine));
      const [mine2, oracle2] = await Promise.all([ectl(['nosuch_command_x'], { env: s.env() }), s.ejabberdctlAsync('nosuch_command_x')]);
      assert.equal(oracle2.code, 1, show(oracle2));
      assert.equal(mine2.code, 2, show(mine2));
    });

    test(`${s.release}: create_rooms_file stores the rooms at once; ejabberdctl prints a line per room that ectl cannot`, async () => {
      const [a, b] = [uniqueName('cfroom'), uniqueName('cfroom')];
      const write = (room) => {
        const f = s.hostPath(`/tmp/${uniqueName('rooms')}.txt`);
        writeFileSync(f, `${room}@scratch.localhost\n`);
        chmodSync(f, 0o644);
        files.push(f);
        return f.slice(s.root.length);
      };
      const [mine, oracle] = await Promise.all([ectl(['create_rooms_file', write(a)], { env: s.env() }), s.ejabberdctlAsync('create_rooms_file', write(b))]);
      assert.equal(oracle.code, 0, show(oracle));
      assert.equal(oracle.stdout, `Creating room ${b}@scratch.localhost\n`);
      assert.equal(mine.code, 0, show(mine));
      assert.equal(mine.stdout, '');
      // No restart: both rooms answer right away, with the same options.
      const [optsA, optsB] = await Promise.all([s.ejabberdctlAsync('get_room_options', a, 'scratch.localhost'), s.ejabberdctlAsync('get_room_options', b, 'scratch.localhost')]);
      assert.equal(optsA.code, 0, show(optsA));
      // (a room that does not exist has no options: nothing printed)
      assert.match(optsA.stdout, /^title\t/m, show(optsA));
      assert.equal(optsA.stdout, optsB.stdout);
      for (const r of [a, b]) await s.api('destroy_room', { name: r, service: 'scratch.localhost' });
    });

    test(`${s.release}: --api-version 0 add_rosteritem with 'g1;g2': two groups on 23.01, one group named so later, as help says`, async () => {
      const [owner, contact] = [uniqueName('dfo'), uniqueName('dfc')];
      for (const u of [owner, contact]) await s.api('register', { user: u, host: HOST, password: 'df-pw-1' });
      const r = await ectl(['--api-version', '0', 'add_rosteritem', owner, HOST, contact, HOST, 'Nick', 'G1;G2', 'both'], { env: s.env() });
      assert.equal(r.code, 0, show(r));
      const roster = await s.ejabberdctlAsync('get_roster', owner, HOST);
      const splits = !atLeast(s.release, '24.02');
      if (splits) assert.equal(roster.stdout, `${contact}@${HOST}\tNick\tboth\tundefined\tG1\n${contact}@${HOST}\tNick\tboth\tundefined\tG2\n`);
      else assert.match(roster.stdout, /\tG1;G2\n$/, show(roster));
      const help = await ectl(['--release', s.release, '--api-version', '0', 'add_rosteritem', '--help'], { env: s.env() });
      assert.match(help.stdout.replace(/\s+/g, ' '), /ejabberd 23\.01 splits it at semicolons into several groups \(g1;g2\), 24\.12 and later keep it as one group/);
    });
  });
}
