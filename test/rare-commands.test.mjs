// Commands no other test runs, on every release npm test starts: ectl and that release's own
// ejabberdctl run each one, on twin objects when it changes something (two users, two files),
// and must print the same and exit alike; what ejabberdctl reads back from each twin must match.
// A failure's text goes to ejabberdctl's standard output and to ectl's standard error
// ("Error: <text>"), with the same exit code. ejabberdctl starts an Erlang VM for every call: the
// state is made and read back over the HTTP API (API version 0, which every release has), and
// the tests of a release, and the releases, run at once.
//
// Commands added after 23.01 that stop, restart, evacuate or join a node, and the database export
// and import, run on scratch 26.07 nodes: test/scratch-nodes.test.mjs.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { uniqueName, liveServers, atLeast, showRun, HOST as H } from './helpers.mjs';
import { oracle, twinFixtures } from './oracle-twins.mjs';
import { xmppLogin } from './xmpp-client.mjs';

const PW = 'rc-pw-1';
/** A scalar of an API version 0 reply: {"name": value} or the bare value. */
const scalar = (x) => String(x !== null && typeof x === 'object' ? Object.values(x)[0] : x);

/**
 * Asserts that both failed alike: same exit code, ejabberdctl's text on stdout, ectl's on stderr.
 * ejabberdctl prints a failure's reason as an Erlang term after `Error: error` (`not_available`,
 * `"text"`, `<<"text">>`), ectl as plain text after `Error: `.
 */
function sameFailure(a, b) {
  const term = /^Error: error\nError: (.*)\n$/.exec(b.stdout)?.[1];
  const text = term === undefined ? b.stdout.trim() : term.replace(/^(?:<<)?"(.*)"(?:>>)?$/, '$1');
  assert.notEqual(b.code, 0, `ejabberdctl was expected to fail: ${showRun(b)}`);
  assert.equal(a.code, b.code, `exit code differs\nectl: ${showRun(a)}\nejabberdctl: ${showRun(b)}`);
  assert.equal(a.stdout, '', showRun(a));
  assert.equal(a.stderr, `Error: ${text}\n`, `ectl: ${showRun(a)}\nejabberdctl: ${showRun(b)}`);
}

describe('commands no other test runs, ectl against ejabberdctl', { concurrency: true }, () => {
  for (const s of liveServers()) {
    describe(`ejabberd ${s.release}: commands no other test runs`, { concurrency: true }, () => {
      const { both, twins, same } = oracle(s);
      const { twinUsers, cleanups, cleanUp } = twinFixtures(s, PW);
      after(cleanUp);

      for (const args of [['gc'], ['stop_s2s_connections']]) {
        test(`${s.release}: ${args.join(' ')} does what its ejabberdctl does`, async () => {
          const [a, b] = await both(args);
          same(a, b);
        });
      }

      // module_check asks whether a contributed module (ejabberd-contrib) is installed: none is.
      test(`${s.release}: module_check of a module not installed fails as its ejabberdctl does`, async () => {
        const [a, b] = await both(['module_check', 'mod_rc_nosuch']);
        sameFailure(a, b);
        assert.equal(a.stderr, 'Error: not_available\n');
      });

      test(`${s.release}: dump_config and gen_markdown_doc_for_tags write the files its ejabberdctl writes`, async () => {
        for (const command of ['dump_config', 'gen_markdown_doc_for_tags']) {
          const [mine, theirs] = [`${s.dir}/${uniqueName('rc')}.out`, `${s.dir}/${uniqueName('rc')}.out`];
          cleanups.push(async () => { rmSync(s.hostPath(mine), { force: true }); rmSync(s.hostPath(theirs), { force: true }); });
          const [a, b] = await twins((p) => [command, p], mine, theirs);
          same(a, b);
          const text = readFileSync(s.hostPath(mine), 'utf8');
          assert.ok(text.length > 100, `${command} wrote ${text.length} characters`);
          assert.equal(text, readFileSync(s.hostPath(theirs), 'utf8'), `${command}: the two files differ`);
        }
      });

      test(`${s.release}: dump_config to a file it cannot write fails as its ejabberdctl does`, async () => {
        const [a, b] = await both(['dump_config', `/proc/${uniqueName('rc')}.yml`]);
        sameFailure(a, b);
        assert.match(a.stderr, /^Error: Failed to write to '\/proc\//);
      });

      test(`${s.release}: set_nickname does what its ejabberdctl does; get_vcard NICKNAME reads it back`, async () => {
        const [mine, theirs] = await twinUsers('rcn');
        const vcard = async (u, name) => scalar(await s.api('get_vcard', { user: u, host: H, name }));
        const [a, b] = await twins((u) => ['set_nickname', u, H, 'RC Nick'], mine, theirs);
        same(a, b);
        for (const u of [mine, theirs]) assert.equal(await vcard(u, 'NICKNAME'), 'RC Nick');
      });

      test(`${s.release}: bookmarks_to_pep does what its ejabberdctl does, with bookmarks and without`, async () => {
        const [mine, theirs] = await twinUsers('rcb');
        // Without bookmarks it fails.
        let [a, b] = await twins((u) => ['bookmarks_to_pep', u, H], mine, theirs);
        sameFailure(a, b);
        const storage = "<storage xmlns='storage:bookmarks'><conference jid='rc@conference.localhost' name='RC' autojoin='true'/></storage>";
        for (const u of [mine, theirs]) await s.api('private_set', { user: u, host: H, element: storage });
        [a, b] = await twins((u) => ['bookmarks_to_pep', u, H], mine, theirs);
        same(a, b);
      });

      test(`${s.release}: kick_session ends the session as its ejabberdctl does`, async () => {
        const [mine, theirs] = await twinUsers('rck');
        const sessions = await Promise.all([mine, theirs].map((user) => xmppLogin({ port: s.c2sPort, host: H, user, password: PW, resource: 'rc' })));
        try {
          const [a, b] = await twins((u) => ['kick_session', u, H, 'rc', 'RC kicked'], mine, theirs);
          same(a, b);
          // The server closes each stream; the session list no longer has it.
          await Promise.all(sessions.map((x) => x.closed()));
          for (const u of [mine, theirs]) assert.deepEqual(await s.api('user_sessions_info', { user: u, host: H }), []);
          // A resource that has no session: the same again.
          const [c, d] = await twins((u) => ['kick_session', u, H, 'rc-none', 'RC kicked'], mine, theirs);
          same(c, d);
        } finally {
          await Promise.all(sessions.map((x) => x.close()));
        }
      });

      test(`${s.release}: remove_mam_for_user and remove_mam_for_user_with_peer do what its ejabberdctl does`, async () => {
        const [mine, theirs] = await twinUsers('rcm');
        const [peer] = await twinUsers('rcp');
        const [other] = await twinUsers('rco');
        for (const u of [mine, theirs]) {
          for (const from of [peer, peer, other]) await s.api('send_message', { type: 'chat', from: `${from}@${H}`, to: `${u}@${H}`, subject: '', body: `RC to ${u}` });
        }
        const count = async (u) => (atLeast(s.release, '24.10') ? scalar(await s.api('get_mam_count', { user: u, host: H })) : null);
        if (atLeast(s.release, '24.10')) assert.equal(await count(mine), '3');
        let [a, b] = await twins((u) => ['remove_mam_for_user_with_peer', u, H, `${peer}@${H}`], mine, theirs);
        same(a, b, { from: theirs, to: mine });
        assert.equal(await count(mine), await count(theirs));
        if (atLeast(s.release, '24.10')) assert.equal(await count(mine), '1');
        [a, b] = await twins((u) => ['remove_mam_for_user', u, H], mine, theirs);
        same(a, b, { from: theirs, to: mine });
        if (atLeast(s.release, '24.10')) assert.deepEqual([await count(mine), await count(theirs)], ['0', '0']);
      });

      test(`${s.release}: oauth_remove_client does what its ejabberdctl does`, async () => {
        const [mine, theirs] = [uniqueName('rcc'), uniqueName('rcc')];
        for (const c of [mine, theirs]) await s.api('oauth_add_client_password', { client_id: c, client_name: `RC ${c}`, secret: 'rc-client-secret' });
        let [a, b] = await twins((c) => ['oauth_remove_client', c], mine, theirs);
        same(a, b, { from: theirs, to: mine });
        // A client that is not there (any more).
        [a, b] = await twins((c) => ['oauth_remove_client', c], mine, theirs);
        same(a, b, { from: theirs, to: mine });
      });

      if (atLeast(s.release, '26.01')) {
        test(`${s.release}: export_db_abort and import_db_abort with nothing running do what its ejabberdctl does`, async () => {
          for (const command of ['export_db_abort', 'import_db_abort']) {
            const [a, b] = await both([command, 'example.org']);
            same(a, b);
            assert.equal(a.stdout, 'No task running\n');
          }
        });
      }

      if (atLeast(s.release, '24.06')) {
        test(`${s.release}: join_cluster_here of itself or of a node that does not answer fails as its ejabberdctl does`, async () => {
          for (const node of [s.node, 'ectlnosuch@localhost']) {
            const [a, b] = await both(['join_cluster_here', node]);
            sameFailure(a, b);
          }
        });
      }
    });
  }
});
