// The test servers themselves: npm test started one node per release (the host's 23.01 and the
// chroots' 24.12 and 26.07), each answers as the release it stands for, this run uses the Node it
// says it does, and a few read commands that did not change print what each release's own
// ejabberdctl prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ectl, liveServers, cleanEnv, root, atLeast, showRun as show } from './helpers.mjs';


test('npm test started a server of each release: 23.01, 24.12 and 26.07', () => {
  const servers = liveServers();
  assert.deepEqual(servers.map((s) => s.release), ['23.01', '24.12', '26.07']);
  assert.equal(new Set(servers.map((s) => s.url)).size, 3, 'each has its own port');
  assert.equal(new Set(servers.map((s) => s.node)).size, 3, 'each has its own node name');
  assert.equal(servers[0].root, '', '23.01 is the host package');
  for (const s of servers.slice(1)) assert.ok(s.root.startsWith('/'), `${s.release} lives in a chroot`);
});

test('the tests and bin/ectl run on the Node this run is for', () => {
  const want = process.env.ECTL_TEST_NODE_VERSION;
  assert.ok(want, 'ECTL_TEST_NODE_VERSION is set by test/run.mjs');
  assert.equal(process.version, want);
  // bin/ectl starts with #!/usr/bin/env -S node: the node found on the PATH tests give it.
  const r = spawnSync('sh', ['-c', 'node --version'], { env: cleanEnv(), encoding: 'utf8', cwd: root });
  assert.equal(r.stdout.trim(), want);
});

for (const s of liveServers()) {
  test(`${s.release}: ejabberdctl status names the release`, () => {
    const r = s.ejabberdctl('status');
    assert.equal(r.code, 0, show(r));
    const m = /^The node '?([^' ]+)'? is started[^\n]*\nejabberd (\S+) is running in that node\n$/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(m[1], s.node);
    assert.match(m[2], new RegExp(`^${s.release.replace('.', '\\.')}(-|$)`));
  });

  // From 25.03 the HTTP API sorts list results and ejabberdctl does not: lists are compared as
  // sorted lines there.
  const sorts = atLeast(s.release, '25.03');
  const reads = [[['status']],
    [['registered_users', 'localhost'], { list: true }], [['registered_vhosts'], { list: true }], [['connected_users_number']],
    [['stats', 'registeredusers']], [['stats_host', 'registeredusers', 'localhost']], [['get_loglevel']]];
  for (const [args, { list } = {}] of reads) {
    test(`${s.release}: ectl ${args.join(' ')} prints what its ejabberdctl prints`, async () => {
      const pending = ectl(args, { env: s.env() });
      const oracle = s.ejabberdctl(...args);
      const mine = await pending;
      assert.equal(oracle.code, 0, `ejabberdctl: ${show(oracle)}`);
      const same = list && sorts ? (x) => x.split('\n').sort().join('\n') : (x) => x;
      assert.equal(same(mine.stdout), same(oracle.stdout), `stdout differs\nectl: ${show(mine)}`);
      assert.equal(mine.code, oracle.code, `exit code differs\nectl: ${show(mine)}`);
    });
  }
}
