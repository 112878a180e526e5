// A real ejabberd cluster: the nodes npm test starts and joins (test/server/ejabberd-server.mjs
// startCluster, ECTL_TEST_CLUSTER), each node's own ejabberdctl as the oracle. --node,
// --all-nodes in every format, failover, ectl cluster with every node up and with one stopped,
// doctor on every node, and rolling restarts. Recording servers stand in only where the point
// is that nothing (or nothing twice) is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { cleanEnv, ectl, recordingServer, showRun } from './helpers.mjs';
import { clusterMembersOverHttp, ejabberdctlAsync } from './server/ejabberd-server.mjs';

if (!process.env.ECTL_TEST_CLUSTER) throw new Error('ECTL_TEST_CLUSTER is not set: run this file through `npm test` (node test/run.mjs test/cluster.test.mjs), which starts the test cluster');
const nodes = JSON.parse(process.env.ECTL_TEST_CLUSTER);
const [a, b, c] = nodes;
const names = nodes.map((n) => n.node);
const nodesVar = (list = nodes) => list.map((n) => `${n.node ?? n.name}=${n.url}`).join(',');
const admin = { ECTL_USER: a.admin, ECTL_PASSWORD: a.adminPassword, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'ectl-cluster-cache-')) };
const clusterEnv = (extra = {}) => cleanEnv({ ...admin, ECTL_NODES: nodesVar(), ...extra });
const ctl = (n, ...args) => ejabberdctlAsync(n, ...args);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A loopback URL nothing listens on (a port taken and given back). */
async function deadUrl() {
  const probe = createServer();
  await new Promise((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address();
  await new Promise((r) => probe.close(r));
  return `http://127.0.0.1:${port}/api`;
}

/** Waits until every node runs and lists the whole cluster (after a stop or restart). */
async function wholeCluster(ms = 120_000) {
  const want = [...names].sort();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const lists = await Promise.all(nodes.map((n) => clusterMembersOverHttp(n)));
    if (lists.every((l) => JSON.stringify(l) === JSON.stringify(want))) return;
    await sleep(1000);
  }
  throw new Error('the test cluster did not come back whole');
}

test('the test cluster is whole: every node lists every node (ejabberdctl list_cluster)', async () => {
  await wholeCluster(60_000);
  assert.ok(nodes.length >= 2);
  for (const n of nodes) assert.deepEqual((await ctl(n, 'list_cluster')).stdout.split('\n').filter(Boolean).map((l) => l.replace(/^'|'$/g, '')).sort(), [...names].sort());
});

test('--node sends to that node: status names it, as its ejabberdctl prints it', async () => {
  for (const n of nodes) {
    const r = await ectl(['--node', n.node, 'status'], { env: clusterEnv() });
    const want = await ctl(n, 'status');
    assert.equal(r.code, 0, showRun(r));
    assert.equal(r.stdout, want.stdout);
    assert.match(r.stdout, new RegExp(`The node ${n.node} is started`));
  }
});

test('--node with an unknown name exits 2 naming the known nodes, and sends nothing', async () => {
  const fake = await recordingServer();
  try {
    const r = await ectl(['--node', 'nosuch@localhost', 'status'], { env: clusterEnv({ ECTL_NODES: `one@x=${fake.url},two@y=${fake.url}` }) });
    assert.equal(r.code, 2, showRun(r));
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, "Error: unknown node 'nosuch@localhost' (known: one@x, two@y)\n");
    assert.equal(fake.requests.length, 0);
  } finally {
    await fake.close();
  }
});

test('--all-nodes in text: each node\'s ejabberdctl lines prefixed NODE<TAB>, in the profile\'s order', async () => {
  // The profile's order, not the cluster's: the last node first.
  const order = [...nodes].reverse();
  for (const command of [['status'], ['list_cluster']]) {
    const r = await ectl(['--all-nodes', ...command], { env: clusterEnv({ ECTL_NODES: nodesVar(order) }) });
    assert.equal(r.code, 0, showRun(r));
    let want = '';
    for (const n of order) want += (await ctl(n, ...command)).stdout.split('\n').filter(Boolean).map((l) => `${n.node}\t${l.replace(/^'|'$/g, '')}\n`).join('');
    assert.equal(r.stdout, want);
  }
});

test('--all-nodes on a cluster-wide command says every node is asked the same; node-local ones say nothing', async () => {
  const wide = await ectl(['--all-nodes', 'registered_users', 'localhost'], { env: clusterEnv() });
  assert.equal(wide.code, 0, showRun(wide));
  assert.match(wide.stderr, /^Note: registered_users is cluster-wide: every node answers it for the whole cluster, and --all-nodes asks each of them the same\n$/);
  assert.equal(wide.stdout, names.map((n) => `${n}\tadmin\n`).join(''));
  const local = await ectl(['--all-nodes', 'stats', 'uptimeseconds'], { env: clusterEnv() });
  assert.equal(local.code, 0, showRun(local));
  assert.equal(local.stderr, '');
  assert.deepEqual(local.stdout.trim().split('\n').map((l) => l.split('\t')[0]), names);
});

test('--all-nodes -o json and -o yaml: one object keyed by node, each value what --node gives', async () => {
  const json = await ectl(['--all-nodes', '-o', 'json', 'list_cluster'], { env: clusterEnv() });
  assert.equal(json.code, 0, showRun(json));
  const data = JSON.parse(json.stdout);
  assert.deepEqual(Object.keys(data), names);
  for (const n of nodes) {
    const one = await ectl(['--node', n.node, '-o', 'json', 'list_cluster'], { env: clusterEnv() });
    assert.deepEqual(data[n.node], JSON.parse(one.stdout));
    assert.deepEqual([...data[n.node]].sort(), [...names].sort());
  }
  const yaml = await ectl(['--all-nodes', '-o', 'yaml', 'list_cluster'], { env: clusterEnv() });
  assert.equal(yaml.code, 0, showRun(yaml));
  assert.deepEqual(parseYaml(yaml.stdout), data);
  const status = await ectl(['--all-nodes', '-o', 'json', 'status'], { env: clusterEnv() });
  for (const n of nodes) assert.match(JSON.parse(status.stdout)[n.node].text, new RegExp(`The node ${n.node} is started`));
});

test('--all-nodes -o csv, tsv and table: a first node column, list_cluster\'s own column renamed after its result', async () => {
  const csv = await ectl(['--all-nodes', '-o', 'csv', 'list_cluster'], { env: clusterEnv() });
  assert.equal(csv.code, 0, showRun(csv));
  const rows = parseCsv(csv.stdout);
  assert.deepEqual(rows[0], ['node', 'nodes']);
  for (const n of nodes) assert.deepEqual(rows.slice(1).filter((r) => r[0] === n.node).map((r) => r[1]).sort(), [...names].sort());
  assert.equal(rows.length, 1 + names.length * names.length);
  const tsv = await ectl(['--all-nodes', '-o', 'tsv', 'stats', 'processes'], { env: clusterEnv() });
  const lines = tsv.stdout.trim().split('\n');
  assert.equal(lines[0], 'node\tstat');
  assert.deepEqual(lines.slice(1).map((l) => l.split('\t')[0]), names);
  for (const l of lines.slice(1)) assert.ok(Number(l.split('\t')[1]) > 100, l);
  const table = await ectl(['--all-nodes', '-o', 'table', 'registered_users', 'localhost'], { env: clusterEnv({ COLUMNS: '200' }) });
  assert.equal(table.code, 0, showRun(table));
  assert.match(table.stdout, /│ node +│ username +│/);
  for (const n of names) assert.match(table.stdout, new RegExp(`│ ${n} +│ admin +│`));
});

test('--all-nodes with one node unreachable: the others print, one Error line names it, exit 3', async () => {
  const dead = await deadUrl();
  const env = clusterEnv({ ECTL_NODES: `${a.node}=${a.url},gone@nowhere=${dead},${b.node}=${b.url}` });
  const r = await ectl(['--all-nodes', 'list_cluster'], { env });
  assert.equal(r.code, 3, showRun(r));
  assert.deepEqual([...new Set(r.stdout.trim().split('\n').map((l) => l.split('\t')[0]))], [a.node, b.node]);
  assert.match(r.stderr, /^Note: .*\nError: node gone@nowhere: connection to 127\.0\.0\.1:\d+ refused[^\n]*\n$/);
  const json = await ectl(['--all-nodes', '-o', 'json', 'stats', 'processes'], { env });
  assert.equal(json.code, 3);
  assert.deepEqual(Object.keys(JSON.parse(json.stdout)), [a.node, b.node]);
});

test('stop, restart, halt... with --all-nodes need --yes: exit 2 and nothing sent', async () => {
  const one = await recordingServer();
  const two = await recordingServer();
  try {
    const env = clusterEnv({ ECTL_NODES: `one@x=${one.url},two@y=${two.url}`, ECTL_RELEASE: '23.01' });
    for (const command of [['stop'], ['restart'], ['stop_kindly', '5', 'bye']]) {
      const r = await ectl(['--all-nodes', ...command], { env });
      assert.equal(r.code, 2, showRun(r));
      assert.match(r.stderr, new RegExp(`^Error: ${command[0]} with --all-nodes reaches every node at once \\(one@x, two@y\\): add --yes`));
    }
    assert.equal(one.requests.length + two.requests.length, 0);
    const yes = await ectl(['--all-nodes', '--yes', 'stop'], { env });
    assert.equal(yes.code, 0, showRun(yes));
    assert.deepEqual([one.requests.map((q) => q.url), two.requests.map((q) => q.url)], [['/api/stop'], ['/api/stop']]);
  } finally {
    await one.close();
    await two.close();
  }
});

test('help says which commands run on the node that receives them', async () => {
  const env = cleanEnv();
  const stop = await ectl(['help', 'stop'], { env });
  assert.match(stop.stdout, /^Node: +runs on the node that receives it: it stops that node; with --all-nodes\s+it needs --yes$/m);
  const status = await ectl(['status', '--help'], { env });
  assert.match(status.stdout, /^Node: +runs on the node that receives it/m);
  const users = await ectl(['help', 'registered_users'], { env });
  assert.doesNotMatch(users.stdout, /^Node:/m);
});

test('failover: a node that refuses the connection hands a cluster-wide command to the next one, -v says so', async () => {
  const dead = await deadUrl();
  const env = clusterEnv({ ECTL_NODES: `gone@nowhere=${dead},${nodesVar([b, a])}` });
  const r = await ectl(['-v', 'registered_users', 'localhost'], { env });
  assert.equal(r.code, 0, showRun(r));
  assert.equal(r.stdout, 'admin\n');
  assert.match(r.stderr, new RegExp(`refused[^\\n]*: nothing was sent; trying node ${b.node} at ${b.url.replace(/\./g, '\\.')}\\n`));
  // A node-local command is not sent elsewhere.
  const local = await ectl(['status'], { env });
  assert.equal(local.code, 3, showRun(local));
  assert.equal(local.stdout, '');
  assert.match(local.stderr, /refused.*\(status runs on the node that receives it, so it is not sent to another node\)\n$/);
  // --url and --node name one server: no failover.
  const pinned = await ectl(['--url', dead, 'registered_users', 'localhost'], { env });
  assert.equal(pinned.code, 3, showRun(pinned));
});

test('failover never sends twice a request that may have run (the connection cut after it was sent)', async () => {
  const cut = await recordingServer((req, body, res) => res.socket.destroy());
  const next = await recordingServer();
  try {
    const r = await ectl(['register', 'bob', 'localhost', 'pw'], { env: clusterEnv({ ECTL_NODES: `cut@x=${cut.url},next@y=${next.url}`, ECTL_RELEASE: '23.01' }) });
    assert.equal(r.code, 3, showRun(r));
    assert.match(r.stderr, /closed before a full reply/);
    assert.equal(cut.requests.length, 1);
    assert.equal(next.requests.length, 0);
  } finally {
    await cut.close();
    await next.close();
  }
});

test('ectl cluster: every node reachable, its release, uptime, online users, list_cluster agreeing; exit 0', async () => {
  const r = await ectl(['-o', 'json', 'cluster'], { env: clusterEnv() });
  assert.equal(r.code, 0, showRun(r));
  const rows = JSON.parse(r.stdout);
  assert.deepEqual(rows.map((x) => x.node), names);
  for (const [i, row] of rows.entries()) {
    const n = nodes[i];
    const version = /ejabberd (\d+\.\d+)\S* is running/.exec((await ctl(n, 'status')).stdout)[1];
    const online = Number((await ctl(n, 'stats', 'onlineusersnode')).stdout);
    assert.deepEqual({ ...row, uptime: undefined }, { node: n.node, url: n.url, reachable: 'yes', release: version, uptime: undefined, online_users: online, list_cluster: 'agrees' });
    assert.ok(row.uptime > 0, `${row.uptime}`);
  }
  // Each node's own uptime: the first node started before the others joined it.
  const uptime = Number((await ctl(a, 'stats', 'uptimeseconds')).stdout);
  assert.ok(rows[0].uptime <= uptime && rows[0].uptime > uptime - 120, `${rows[0].uptime} vs ${uptime}`);
  const text = await ectl(['cluster'], { env: clusterEnv() });
  assert.equal(text.stdout.split('\n').filter(Boolean).length, nodes.length);
  assert.match(text.stdout, new RegExp(`^${a.node}\t${a.url}\tyes\t`, 'm'));
});

test('ectl cluster with a profile that leaves out a member: the missing member is named, exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ectl-cluster-cfg-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `profiles:\n  two:\n    nodes:\n${[a, b].map((n) => `      ${n.node}: ${n.url}\n`).join('')}`);
  const r = await ectl(['--config', config, '-P', 'two', 'cluster', '-o', 'json'], { env: cleanEnv(admin) });
  assert.equal(r.code, 1, showRun(r));
  const rows = JSON.parse(r.stdout);
  assert.deepEqual(rows.map((x) => [x.node, x.list_cluster]), [a, b].map((n) => [n.node, `differs: not in the profile: ${c.node}`]));
});

test('doctor checks every node of the profile', async () => {
  const r = await ectl(['doctor'], { env: clusterEnv() });
  assert.equal(r.code, 0, showRun(r));
  for (const n of nodes) assert.match(r.stdout, new RegExp(`^node ${n.node}\nok   URL +${n.url.replace(/\./g, '\\.')} \\(node ${n.node}\\)`, 'm'));
  assert.equal(r.stdout.match(/^ok   version +ejabberd 23\.01/gm).length, nodes.length);
});

test('with one node stopped: ectl cluster says so (exit 3), failover skips it, --all-nodes fails it, rolling-restart restarts nothing', async () => {
  const stopped = await ctl(c, 'stop');
  assert.equal(stopped.code, 0, stopped.stdout + stopped.stderr);
  let firstCause;
  try {
    for (let i = 0; i < 60 && (await fetch(`${c.url}/status`, { method: 'POST', body: '{}' }).then(() => true, () => false)); i++) await sleep(500);
    const env = clusterEnv({ ECTL_NODES: nodesVar([c, a, b]) });
    const cluster = await ectl(['-o', 'json', 'cluster'], { env });
    assert.equal(cluster.code, 3, showRun(cluster));
    const rows = JSON.parse(cluster.stdout);
    assert.deepEqual(rows.map((x) => [x.node, x.reachable]), [[c.node, 'no'], [a.node, 'yes'], [b.node, 'yes']]);
    assert.equal(rows[1].list_cluster, `differs: not in its cluster: ${c.node}`);
    assert.match(cluster.stderr, new RegExp(`^Error: node ${c.node}: connection to 127\\.0\\.0\\.1:${c.httpPort} refused`));
    const over = await ectl(['-v', 'connected_users'], { env });
    assert.equal(over.code, 0, showRun(over));
    assert.match(over.stderr, new RegExp(`trying node ${a.node}`));
    const all = await ectl(['--all-nodes', 'stats', 'processes'], { env });
    assert.equal(all.code, 3);
    assert.deepEqual(all.stdout.trim().split('\n').map((l) => l.split('\t')[0]), [a.node, b.node]);
    const before = (await ectl(['--node', a.node, 'stats', 'uptimeseconds'], { env })).stdout;
    const rolling = await ectl(['rolling-restart'], { env });
    assert.equal(rolling.code, 3, showRun(rolling));
    assert.match(rolling.stdout, /^not restarting anything: every node must answer first\n$/);
    assert.equal((await ctl(a, 'status')).code, 0);
    assert.ok(Number((await ectl(['--node', a.node, 'stats', 'uptimeseconds'], { env })).stdout) >= Number(before));
  } catch (e) {
    firstCause = e;
  }
  // Started again only once it has stopped ('stop' returns while the node still winds down); a
  // failure here does not hide the test's own first cause.
  try {
    await down(c);
    const started = await ctl(c, 'start');
    assert.equal(started.code, 0, started.stdout + started.stderr);
    await wholeCluster();
  } catch (e) {
    if (!firstCause) throw e;
    process.stderr.write(`(restoring ${c.node} failed too: ${e.message})\n`);
  }
  if (firstCause) throw firstCause;
});

/** Waits until a node's ejabberdctl no longer reaches it (it stopped or halted). */
async function down(n) {
  for (let i = 0; i < 120; i++) {
    if ((await ctl(n, 'status')).code !== 0) return;
    await sleep(500);
  }
  throw new Error(`${n.node} did not stop`);
}

/** Starts a node that left the cluster (its own fresh database) and joins it to the first node again with ejabberdctl. */
async function rejoin(n) {
  await down(n);
  const started = await ctl(n, 'start');
  assert.equal(started.code, 0, started.stdout + started.stderr);
  for (let i = 0; i < 120 && (await ctl(n, 'status')).code !== 0; i++) await sleep(1000);
  const joined = await ctl(n, 'join_cluster', a.node);
  assert.equal(joined.code, 0, joined.stdout + joined.stderr);
  await wholeCluster();
}

test('leave_cluster as 23.01\'s ejabberdctl: same output and exit; the node leaves the cluster and stops', async () => {
  const others = names.filter((n) => n !== c.node).sort();
  const viaEctl = await ectl(['--node', a.node, 'leave_cluster', c.node], { env: clusterEnv() });
  try {
    await down(c);
    assert.deepEqual(await clusterMembersOverHttp(a), others);
    await rejoin(c);
    const viaCtl = await ctl(a, 'leave_cluster', c.node);
    await down(c);
    assert.deepEqual(await clusterMembersOverHttp(b), others);
    assert.deepEqual([viaEctl.code, viaEctl.stdout, viaEctl.stderr], [viaCtl.code, viaCtl.stdout, '']);
    assert.equal(viaEctl.code, 0, showRun(viaEctl));
  } finally {
    await rejoin(c);
  }
});

test('rolling-restart: restart on 23.01 (said so), one node at a time, each back in the cluster; runtime state reset on every node', async () => {
  const env = clusterEnv();
  // The log level is the node's own and a restart rereads it from the config (warning).
  const set = await ectl(['--all-nodes', 'set_loglevel', 'info'], { env });
  assert.equal(set.code, 0, showRun(set));
  assert.equal((await ectl(['--all-nodes', 'get_loglevel'], { env })).stdout, names.map((n) => `${n}\tinfo\n`).join(''));
  const t0 = Date.now();
  const r = await ectl(['rolling-restart'], { env });
  process.stderr.write(`# rolling restart of ${nodes.length} nodes: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  assert.equal(r.code, 0, showRun(r));
  const lines = r.stdout.trim().split('\n');
  assert.deepEqual(lines.filter((l) => /: restart \(/.test(l)), names.map((n) => `${n}: restart (ejabberd 23.01 has no restart_kindly)`));
  assert.equal(lines.filter((l) => /: down after [\d.]+ s, answering again and in the list_cluster of \S+ after [\d.]+ s$/.test(l)).length, nodes.length);
  assert.match(lines.at(-1), new RegExp(`^rolling restart done: ${nodes.length} nodes in \\d+ s$`));
  // In order: each node's lines before the next one's.
  assert.deepEqual(lines.slice(0, -1).map((l) => l.split(':')[0]), names.flatMap((n) => [n, n]));
  for (const n of nodes) assert.equal((await ctl(n, 'get_loglevel')).stdout.trim(), 'warning');
  const cluster = await ectl(['cluster'], { env });
  assert.equal(cluster.code, 0, showRun(cluster));
});

test('rolling-restart stops at the first node that does not come back in time, names it, restarts no other', async () => {
  const env = clusterEnv();
  await wholeCluster();
  assert.equal((await ectl(['--all-nodes', 'set_loglevel', 'info'], { env })).code, 0);
  const r = await ectl(['rolling-restart', '--wait', '3'], { env });
  try {
    assert.equal(r.code, 3, showRun(r));
    assert.match(r.stdout, new RegExp(`^${a.node}: restart \\(ejabberd 23\\.01 has no restart_kindly\\)\n${a.node}: did not (come back|restart)\n$`));
    assert.match(r.stderr, new RegExp(`^Error: node ${a.node}: .*rolling restart stopped, not restarted: ${names.slice(1).join(', ')}\n$`));
    // The others kept their runtime state: they were not restarted.
    for (const n of nodes.slice(1)) assert.equal((await ctl(n, 'get_loglevel')).stdout.trim(), 'info');
  } finally {
    await wholeCluster();
    await ectl(['--all-nodes', 'set_loglevel', 'warning'], { env });
  }
});
