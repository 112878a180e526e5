// The nodes of a profile without a cluster: how `nodes:` and ECTL_NODES are read and refused,
// the options that cannot go together, --dry-run on every node, and --node's completion.
// Nothing here reaches a server but the recording stand-ins (the real cluster: cluster.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, ectl, recordingServer, showRun } from './helpers.mjs';

const dir = mkdtempSync(join(tmpdir(), 'ectl-nodes-'));
function configFile(text) {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}

test('nodes: of a profile: the first node is the default URL, --node picks one, in the order written', async () => {
  const one = await recordingServer();
  const two = await recordingServer();
  try {
    const config = configFile(`default: c\nprofiles:\n  c:\n    nodes:\n      zed@h1: ${one.url}\n      abe@h2: ${two.url}\n`);
    const env = cleanEnv({ ECTL_CONFIG: config });
    assert.equal((await ectl(['connected_users'], { env })).code, 0);
    assert.equal((await ectl(['--node', 'abe@h2', 'connected_users'], { env })).code, 0);
    assert.deepEqual([one.requests.length, two.requests.length], [1, 1]);
    const listed = await ectl(['__complete', '--', '--node', ''], { env });
    assert.equal(listed.stdout, 'abe@h2\nzed@h1\n');
    const typed = await ectl(['__complete', '--', '--node', 'z'], { env });
    assert.equal(typed.stdout, 'zed@h1\n');
    // ECTL_NODES replaces the profile's.
    const fromEnv = await ectl(['__complete', '--', '--node', ''], { env: { ...env, ECTL_NODES: `only@x=${one.url}` } });
    assert.equal(fromEnv.stdout, 'only@x\n');
  } finally {
    await one.close();
    await two.close();
  }
});

test('bad nodes are usage errors (exit 2), nothing sent', async () => {
  const fake = await recordingServer();
  try {
    const cases = [
      [{ ECTL_NODES: 'justaname' }, /^Error: bad ECTL_NODES: 'justaname' has no name= \(expected name=url,name=url\.\.\.\)$/],
      [{ ECTL_NODES: `a=${fake.url},a=${fake.url}` }, /^Error: bad ECTL_NODES: node 'a' is named twice/],
      [{ ECTL_NODES: 'a=ftp://x/api' }, /^Error: bad URL 'ftp:\/\/x\/api' in node 'a' of the environment variable ECTL_NODES/],
      [{ ECTL_CONFIG: configFile(`nodes:\n  - ${fake.url}\n`) }, /^Error: bad config file .* 'nodes' must map each node's name to its API URL$/],
      [{ ECTL_CONFIG: configFile('nodes:\n  a@b:\n') }, /^Error: bad config file .* node 'a@b' needs an API URL/],
      [{ ECTL_CONFIG: configFile(`nodes:\n  "a b": ${fake.url}\n`) }, /^Error: bad config file .* node name 'a b' must not be empty or hold spaces/],
    ];
    for (const [extra, message] of cases) {
      const r = await ectl(['connected_users'], { env: cleanEnv(extra) });
      assert.equal(r.code, 2, showRun(r));
      assert.match(r.stderr.trim(), message);
    }
    const env = cleanEnv({ ECTL_NODES: `a@x=${fake.url}` });
    for (const [args, message] of [
      [['--node', 'a@x', '--url', fake.url, 'connected_users'], /give --node or --url, not both/],
      [['--node', 'a@x', '--all-nodes', 'connected_users'], /give --node or --all-nodes, not both/],
      [['--url', fake.url, '--all-nodes', 'connected_users'], /give --url or --all-nodes, not both/],
      [['--node', 'b@x', 'connected_users'], /unknown node 'b@x' \(known: a@x\)/],
    ]) {
      const r = await ectl(args, { env });
      assert.equal(r.code, 2, showRun(r));
      assert.match(r.stderr, message);
    }
    const none = await ectl(['--all-nodes', 'connected_users'], { env: cleanEnv({ ECTL_URL: fake.url }) });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--all-nodes needs the nodes of a cluster/);
    for (const command of ['batch', 'logout']) {
      const r = await ectl(['--all-nodes', command], { env, input: 'connected_users\n' });
      assert.equal(r.code, 2, showRun(r));
      assert.match(r.stderr, new RegExp(`^Error: --all-nodes applies to ejabberd commands, not to ${command}: use --node`));
    }
    for (const command of ['cluster', 'rolling-restart']) {
      const r = await ectl([command], { env: cleanEnv({ ECTL_URL: fake.url }) });
      assert.equal(r.code, 2, showRun(r));
      assert.match(r.stderr, new RegExp(`ectl ${command} needs the nodes of a cluster`));
    }
    assert.equal(fake.requests.length, 0);
  } finally {
    await fake.close();
  }
});

test('--all-nodes --dry-run shows each node\'s request and sends nothing', async () => {
  const one = await recordingServer();
  const two = await recordingServer();
  try {
    const r = await ectl(['--all-nodes', '--dry-run', 'registered_users', 'localhost'], { env: cleanEnv({ ECTL_NODES: `a@x=${one.url},b@y=${two.url}` }) });
    assert.equal(r.code, 0, showRun(r));
    const blocks = r.stdout.split(/^# node /m).filter(Boolean);
    assert.deepEqual(blocks.map((b) => b.split('\n')[0]), ['a@x', 'b@y']);
    assert.match(blocks[0], new RegExp(`POST ${one.url}/registered_users`));
    assert.match(blocks[1], new RegExp(`POST ${two.url}/registered_users`));
    assert.equal(one.requests.length + two.requests.length, 0);
  } finally {
    await one.close();
    await two.close();
  }
});

test('ectl help cluster shows the tag and ectl\'s own cluster command', async () => {
  const r = await ectl(['help', 'cluster'], { env: cleanEnv() });
  assert.equal(r.code, 0, showRun(r));
  assert.match(r.stdout, /^Commands tagged cluster:\n {2}join_cluster /);
  assert.match(r.stdout, /\nUsage: ectl cluster \[options\]\n/);
  const rolling = await ectl(['help', 'rolling-restart'], { env: cleanEnv() });
  assert.match(rolling.stdout, /^Usage: ectl rolling-restart \[options\]\n[^]*--wait <seconds>/);
});
