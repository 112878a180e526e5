// Commands added after 23.01 that change a node as a whole, on three scratch 26.07 nodes and three
// scratch 24.12 nodes that npm test starts for this file alone (test/server/ejabberd-server.mjs
// NODE_GROUPS, ECTL_TEST_SCRATCH, ECTL_TEST_SCRATCH_24_12): on 26.07 announcements (delivery
// proven by XMPP sessions), the database export and import, mnesia_table_change_storage,
// restart_kindly (also through ectl rolling-restart); on both join_cluster_here and
// list_cluster_detailed on a cluster the test makes, evacuate_kindly and halt.
// Each command runs through ectl on one node and through ejabberdctl on its twin, another node
// in the same state; outputs and exit codes must match, and what each node reads back too.
// The steps run in order and use the nodes up (the last ones evacuate and halt them): npm test
// runs this file with the first Node only.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { ectl, serverTools, showRun, cleanEnv, HOST as H } from './helpers.mjs';
import { oracle } from './oracle-twins.mjs';
import { xmppLogin } from './xmpp-client.mjs';
import { clusterMembersOverHttp } from './server/ejabberd-server.mjs';
import { erlangAtom } from '../dist/format/text.js';

const PW = 'sn-pw-1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Each release's scratch nodes, from the variable the harness sets. */
const GROUPS = [['26.07', 'ECTL_TEST_SCRATCH'], ['24.12', 'ECTL_TEST_SCRATCH_24_12']]
  .map(([release, name]) => ({ release, name, nodes: process.env[name] ? JSON.parse(process.env[name]).map(serverTools) : [] }));

/** Waits until `pred()` holds, polling every half second; fails naming `what` after `ms`. */
async function until(pred, what, ms = 90_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A headline message with this subject and body, as an XMPP session receives it. */
const headline = (subject, body) => {
  const re = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`<message[^>]*type=['"]headline['"][^>]*>(?=(?:(?!</message>)[\\s\\S])*<subject[^>]*>${re(subject)}</subject>)(?=(?:(?!</message>)[\\s\\S])*<body[^>]*>${re(body)}</body>)[\\s\\S]*?</message>`);
};

// The releases at once; each one's steps in order.
describe('scratch nodes: commands that change a node as a whole, ectl against ejabberdctl', { concurrency: true }, () => {
  for (const { release, name, nodes } of GROUPS) {
    const skip = nodes.length ? false : `no scratch ${release} nodes (${name}): run this file through npm test (node test/run.mjs test/scratch-nodes.test.mjs), which starts them`;
    describe(`scratch ${release} nodes`, { skip, concurrency: 1 }, () => scratchSteps(release, nodes));
  }
});

/** The steps on three scratch nodes of a release, in order. */
function scratchSteps(release, [A, B, C]) {
  const is2607 = release === '26.07';
  const sessions = [];
  after(async () => { await Promise.all(sessions.map((x) => x.close())); });
  /** ectl on `mine`, ejabberdctl on `theirs`: the comparisons of test/oracle-twins.mjs. */
  const pair = (mine, theirs) => oracle(mine, { other: theirs });
  const login = async (s, user) => {
    const x = await xmppLogin({ port: s.c2sPort, host: H, user, password: PW, resource: 'sn' });
    sessions.push(x);
    return x;
  };

  if (is2607) test('announce_send_online, announce_send_all and announce_motd_set_online: same output, the sessions get them, offline accounts get announce_send_all', async () => {
    const { twins, same } = pair(A, B);
    for (const s of [A, B]) for (const u of ['snon', 'snoff']) await s.api('register', { user: u, host: H, password: PW });
    const online = await Promise.all([A, B].map((s) => login(s, 'snon')));
    const offline = async (s) => Object.values(await s.api('get_offline_count', { user: 'snoff', host: H }))[0];
    for (const [command, subject] of [['announce_send_online', 'SN online'], ['announce_send_all', 'SN all'], ['announce_motd_set_online', 'SN motd']]) {
      // A literal \n in the body is a line break in the message.
      const [a, b] = await twins(() => [command, H, subject, 'line one\\nline two'], A, B);
      same(a, b);
      await Promise.all(online.map((x) => x.receive(headline(subject, 'line one\nline two'), `${command}'s message`)));
      assert.deepEqual([await offline(A), await offline(B)], command === 'announce_send_online' ? [0, 0] : [1, 1]);
    }
    const motd = await Promise.all([A, B].map((s) => s.ejabberdctlAsync('announce_motd_get', H)));
    assert.equal(motd[0].stdout, motd[1].stdout);
    assert.match(motd[0].stdout, /^SN motd\tline one\nline two\n$/);
    // 26.07's API lets the admin name only a host the server serves, and `all` is none.
    const [c, d] = await twins(() => ['announce_send_online', 'all', 'SN every host', 'x'], A, B);
    assert.equal(d.code, 0, showRun(d));
    assert.equal(c.code, 4, showRun(c));
    assert.match(c.stderr, /^Error: not authorized: .*the host 'all' is not one this server serves/);
  });

  if (is2607) test('export_db, export_db_ext, import_db and their _status and _abort: same output, the same files; the import brings an account back', async () => {
    const { twins, same } = pair(A, B);
    const dirs = (s) => ({ db: `${s.dir}/sn-export`, ext: `${s.dir}/sn-export-json`, none: `${s.dir}/sn-no-such-dir` });
    // The directories must exist, owned by the node's user.
    for (const s of [A, B]) {
      for (const d of [dirs(s).db, dirs(s).ext]) {
        mkdirSync(s.hostPath(d));
        const { uid, gid } = statSync(s.hostPath(s.dir));
        chownSync(s.hostPath(d), uid, gid);
      }
    }
    const finished = async (s, command) => {
      let text = '';
      // Polled over HTTP (ejabberdctl starts a VM per call); ejabberdctl reads the outcome below.
      await until(async () => { text = `${Object.values(await s.api(command, { host: H }))[0]}\n`; return !/in progress/.test(text); }, `${command} on ${s.node}`);
      return text;
    };
    /** Starts the task on both nodes, then compares its status when both are done. */
    const task = async (args, statusCommand, outcome) => {
      const [a, b] = await twins(args, A, B);
      same(a, b);
      const done = await Promise.all([A, B].map((s) => finished(s, statusCommand)));
      assert.equal(done[0], done[1].replaceAll(B.dir, A.dir));
      assert.match(done[0], outcome);
      const [c, d] = await twins(() => [statusCommand, H], A, B);
      same(c, d, { from: B.dir, to: A.dir });
    };
    await task((s) => ['export_db', H, dirs(s).db], 'export_db_status', /^Operation was completed after exporting \d+ records: 'Serialization finished for modules: [^']*ejabberd_auth/);
    await task((s) => ['export_db_ext', H, dirs(s).ext, 'all', 'json'], 'export_db_status', /^Operation was completed after/);
    await task((s) => ['export_db', H, dirs(s).none], 'export_db_status', /^Operation failed after exporting 0 records with error .*sn-no-such-dir.*enoent/);
    const files = (s, d) => readdirSync(s.hostPath(dirs(s)[d])).sort();
    assert.deepEqual(files(A, 'db'), files(B, 'db'));
    assert.deepEqual(files(A, 'ext'), files(B, 'ext'));
    assert.ok(files(A, 'db').includes(`${H}_ejabberd_auth.dbser`), files(A, 'db').join(' '));
    assert.ok(files(A, 'ext').includes(`${H}_ejabberd_auth.json`), files(A, 'ext').join(' '));
    // An account removed after the export is back after the import.
    for (const s of [A, B]) await s.api('unregister', { user: 'snoff', host: H });
    await task((s) => ['import_db', H, dirs(s).db], 'import_db_status', /^Operation was completed after importing \d+ records: 'Deserialization finished/);
    for (const s of [A, B]) assert.equal((await s.ejabberdctlAsync('check_account', 'snoff', H)).code, 0, `snoff is back on ${s.node}`);
    for (const command of ['export_db_abort', 'import_db_abort']) {
      const [a, b] = await twins(() => [command, H], A, B);
      same(a, b);
      assert.equal(a.stdout, 'No task running\n');
    }
  });

  if (is2607) test('mnesia_table_change_storage: same output; mnesia_list_tables shows the new storage on both nodes', async () => {
    const { twins, same } = pair(A, B);
    const table = 'motd';
    const storage = async (s) => (await s.api('mnesia_list_tables')).find((t) => t.name === table)?.storage_type;
    assert.deepEqual([await storage(A), await storage(B)], ['Disc only copy', 'Disc only copy']);
    for (const [type, shown] of [['ram_copies', 'RAM copy'], ['disc_only_copies', 'Disc only copy']]) {
      const [a, b] = await twins(() => ['mnesia_table_change_storage', table, type], A, B);
      same(a, b);
      assert.equal(a.stdout, 'Changed table copy type\n');
      assert.deepEqual([await storage(A), await storage(B)], [shown, shown]);
    }
    // A storage type the server does not know: it does nothing; ectl refuses it before sending.
    const [a, b] = await twins(() => ['mnesia_table_change_storage', table, 'no_such_storage'], A, B);
    assert.deepEqual([b.code, b.stdout], [0, 'Nothing to do\n'], showRun(b));
    assert.equal(a.code, 2, showRun(a));
    assert.match(a.stderr, /^Error: argument 'storage_type' must be one of ram_copies, disc_copies, disc_only_copies, remote_copy; got 'no_such_storage'/);
    assert.deepEqual([await storage(A), await storage(B)], ['Disc only copy', 'Disc only copy']);
  });

  const all = () => [A, B, C].map((n) => n.node).sort();
  const inCluster = (n) => until(async () => JSON.stringify(await clusterMembersOverHttp(n)) === JSON.stringify(all()), `${n.node} in the cluster`);

  test('join_cluster_here: same output; the nodes join; list_cluster_detailed as ejabberdctl prints it', async () => {
    const { same, both } = oracle(A);
    // One join at a time: ectl makes B join, then ejabberdctl makes C join.
    const a = await ectl(['join_cluster_here', B.node], { env: A.env() });
    const members = (n) => clusterMembersOverHttp(n).then((l) => JSON.stringify(l));
    await until(async () => (await members(A)) === JSON.stringify([A.node, B.node].sort()) && (await members(B)) === (await members(A)), `${B.node} in the cluster`);
    const b = await A.ejabberdctlAsync('join_cluster_here', C.node);
    same(a, b);
    assert.equal(a.stdout, 'Trying to join node to this cluster, wait a few seconds and check the list of nodes.\n');
    for (const n of [A, B, C]) await inCluster(n);
    // A member already: the same failure both ways.
    const [c, d] = await both(['join_cluster_here', B.node]);
    assert.equal(d.stdout, 'Error: error\nError: "This node already joined that running node."\n', showRun(d));
    assert.deepEqual([c.code, c.stdout], [d.code, ''], showRun(c));
    assert.equal(c.stderr, 'Error: This node already joined that running node.\n', showRun(c));
    if (is2607) {
      // The export is a task of the node that ran it: in the cluster, the others know nothing of it.
      const env = cleanEnv({ ECTL_USER: A.admin, ECTL_PASSWORD: A.adminPassword, ECTL_NODES: [A, C].map((n) => `${n.node}=${n.url}`).join(','), ECTL_RELEASE: '26.07' });
      const all = await ectl(['--all-nodes', 'export_db_status', H], { env });
      assert.equal(all.code, 0, showRun(all));
      assert.equal(all.stderr, '');
      // A's last export was the one into a missing directory.
      assert.match(all.stdout, new RegExp(`^${A.node}\tOperation failed after exporting 0 records with error [^\n]*sn-no-such-dir[^\n]*\n${C.node}\tOperation not started\n$`));
    }
    for (const n of [A, C]) {
      const [e, f] = await oracle(n).both(['list_cluster_detailed']);
      // The process counts and uptimes change between two calls.
      same(e, f, { map: (x) => x.replace(/\t\d+\t\d+\t\d+\t/g, '\tN\tN\tN\t') });
      for (const m of [A, B, C]) assert.match(e.stdout, new RegExp(`^${erlangAtom(m.node)}\ttrue\tThe node `, 'm'));
    }
  });

  /** ejabberdctl's progress lines of the *_kindly commands, which the node writes to its terminal. */
  const PROGRESS = /^(\x1b\[[\d;]*m)?\[\d+\/\d+ \d+s\].*\n/gm;
  const sameButProgress = (a, b, steps) => {
    assert.equal(b.code, 0, showRun(b));
    assert.equal(b.stdout.match(PROGRESS)?.length, steps, showRun(b));
    assert.equal(a.stdout, b.stdout.replace(PROGRESS, ''), `ectl: ${showRun(a)}\nejabberdctl: ${showRun(b)}`);
    assert.equal(a.code, b.code, `ectl: ${showRun(a)}\nejabberdctl: ${showRun(b)}`);
  };

  if (is2607) test('restart_kindly: the same but ejabberdctl\'s progress lines; the sessions are warned; both nodes restart and come back into the cluster; --timeout starts after the delay', async () => {
    for (const n of [B, C]) await n.api('set_loglevel', { loglevel: 'info' });
    await A.api('register', { user: 'snrk', host: H, password: PW });
    const session = await login(B, 'snrk');
    // A timeout shorter than the delay: it starts after the delay.
    const [a, b] = await Promise.all([ectl(['--timeout', '2', 'restart_kindly', '3', 'SN restart'], { env: B.env() }), C.ejabberdctlAsync('restart_kindly', '3', 'SN restart')]);
    sameButProgress(a, b, 5);
    await session.receive(headline('Server stop in 3 seconds!', 'SN restart'), 'the restart warning');
    for (const n of [B, C]) await inCluster(n);
    // A restart reads the log level from the config again.
    for (const n of [B, C]) assert.equal((await n.ejabberdctlAsync('get_loglevel')).stdout, 'warning\n');
  });

  if (is2607) test('rolling-restart of a 26.07 cluster uses restart_kindly, one node at a time, each back in the cluster', async () => {
    const env = cleanEnv({ ECTL_USER: A.admin, ECTL_PASSWORD: A.adminPassword, ECTL_NODES: [A, B, C].map((n) => `${n.node}=${n.url}`).join(','), ECTL_RELEASE: '26.07' });
    const r = await ectl(['rolling-restart', '--delay', '0', '--wait', '120'], { env });
    assert.equal(r.code, 0, showRun(r));
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines.filter((l) => /: restart/.test(l)), [A, B, C].map((n) => `${n.node}: restart_kindly (0 s warning to its users)`));
    assert.equal(lines.filter((l) => /: down after [\d.]+ s, answering again and in the list_cluster of \S+ after [\d.]+ s$/.test(l)).length, 3, r.stdout);
    assert.match(lines.at(-1), /^rolling restart done: 3 nodes in \d+ s$/);
    for (const n of [A, B, C]) await inCluster(n);
  });

  test('evacuate_kindly: ectl exits as ejabberdctl does, and says what HTTP leaves; the sessions are warned; nobody can connect', async () => {
    await A.api('register', { user: 'snev', host: H, password: PW });
    const session = await login(C, 'snev');
    const [a, b] = await pair(B, C).twins(() => ['evacuate_kindly', '1', 'SN evacuate'], B, C);
    sameButProgress(a, b, 7);
    // Over HTTP the node stops ejabberd with the request in it: the last steps do not run.
    assert.match(a.stderr, new RegExp(`^Note: 127\\.0\\.0\\.1:${B.httpPort} closed the connection without a reply, as evacuate_kindly does over HTTP: it stops ejabberd there`));
    await session.receive(headline('Server stop in 1 seconds!', 'SN evacuate'), 'the evacuation warning');
    const [sb, sc] = await Promise.all([B, C].map((n) => n.ejabberdctlAsync('status')));
    assert.match(sb.stdout, /ejabberd is not running in that node/);
    assert.match(sc.stdout, new RegExp(`ejabberd ${release.replace('.', '\\.')}\\S* is running in that node`));
    for (const n of [B, C]) {
      const st = await ectl(['status'], { env: n.env() });
      assert.equal(st.code, 3, showRun(st));
      assert.match(st.stderr, /refused/);
      await assert.rejects(xmppLogin({ port: n.c2sPort, host: H, user: 'snev', password: PW, resource: 'sn2' }), /ECONNREFUSED/);
    }
  });

  test('halt: ectl exits 3 as ejabberdctl does (the node is gone before it can reply); both nodes are down', async () => {
    const [a, b] = await pair(A, C).twins(() => ['halt'], A, C);
    assert.equal(a.code, 3, showRun(a));
    assert.equal(a.code, b.code, `ectl: ${showRun(a)}\nejabberdctl: ${showRun(b)}`);
    assert.equal(a.stdout, '');
    assert.equal(a.stderr, `Error: 127.0.0.1:${A.httpPort} closed the connection without a reply, as halt does: it ends the node at once\n`);
    assert.match(b.stdout, /^Failed RPC connection to the node .*: nodedown\n/);
    for (const n of [A, C]) await until(async () => (await n.ejabberdctlAsync('ping')).stdout.includes('pang'), `${n.node} to be down`, 30_000);
  });
}
