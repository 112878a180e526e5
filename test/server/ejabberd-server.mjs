// Starts and stops ectl's own ejabberd test nodes on loopback: one per release in RELEASES, each
// with its own config, node name, spool and ports, never the system's ejabberd. 23.01 is Debian
// 12's package on this machine; the others are Debian packages installed in a minbase debootstrap
// chroot that is built when missing and kept in a cache outside the checkout (see chroot.mjs).
// Usage as a script: node test/server/ejabberd-server.mjs start|stop|env [release...] |
// start-cluster|stop-cluster [cluster|scratch|scratch2412]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { ensureChroot, chrootRoot, inChroot } from './chroot.mjs';
import { recordRun } from '../oracle-record.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const EJABBERDCTL = '/usr/sbin/ejabberdctl';
const isRoot = process.getuid?.() === 0;

/**
 * The releases the suite runs against, oldest first. `from` says where the server comes from:
 * the host's own Debian package, or a chroot of a Debian suite (`apt` names the suite apt installs
 * ejabberd from when it is not the chroot's own, `script` the debootstrap script to use when
 * debootstrap has none of the suite's name). `modules` adds to the config's module list.
 */
export const RELEASES = [
  { release: '23.01', from: { host: true } },
  { release: '24.12', from: { suite: 'bookworm', apt: 'bookworm-backports' } },
  { release: '26.07', from: { suite: 'forky', script: 'sid' }, modules: ['mod_invites: {}', 'mod_antispam: {}'] },
];

const env = process.env;
const envKey = (release) => release.replace(/\W/g, '_');

/**
 * One release's test server: node name, directory, ports and URLs. The first release takes
 * ECTL_TEST_NODE/DIR/HTTP_PORT/HTTPS_PORT/C2S_PORT as they are; release number i takes the same
 * with "-<release>" added to the node and directory names and 100*i added to the ports, unless
 * ECTL_TEST_<VAR>_<release with _> (e.g. ECTL_TEST_HTTP_PORT_24_12) says otherwise.
 */
export function describeServer(release) {
  const i = RELEASES.findIndex((r) => r.release === release);
  if (i < 0) throw new Error(`test server: unknown release ${release}`);
  const desc = RELEASES[i];
  const own = (name) => env[`${name}_${envKey(release)}`];
  const port = (name, dflt) => Number(own(name) ?? Number(env[name] ?? dflt) + 100 * i);
  const baseNode = env.ECTL_TEST_NODE ?? 'ectltest@localhost';
  const [nodeName, nodeHost] = baseNode.split('@');
  const baseDir = env.ECTL_TEST_DIR ?? join(tmpdir(), 'ectl-test-ejabberd');
  const s = {
    release,
    node: own('ECTL_TEST_NODE') ?? (i === 0 ? baseNode : `${nodeName}-${release.replace(/\W/g, '')}@${nodeHost}`),
    // The directory as the server sees it; `root` is the chroot it lives in ('' on the host).
    dir: own('ECTL_TEST_DIR') ?? (i === 0 ? baseDir : `${baseDir}-${release}`),
    root: desc.from.host ? '' : chrootRoot(release),
    httpPort: port('ECTL_TEST_HTTP_PORT', 15280),
    httpsPort: port('ECTL_TEST_HTTPS_PORT', 15443),
    c2sPort: port('ECTL_TEST_C2S_PORT', 15222),
    host: 'localhost',
    admin: 'admin@localhost',
    adminPassword: env.ECTL_TEST_ADMIN_PASSWORD ?? 'ectl-admin-pw-93f1',
  };
  s.url = `http://127.0.0.1:${s.httpPort}/api`;
  s.httpsUrl = `https://127.0.0.1:${s.httpsPort}/api`;
  s.hostDir = s.root + s.dir; // the same directory as this machine sees it
  s.caFile = join(s.hostDir, 'ca.pem');
  return s;
}

/**
 * Groups of extra nodes that some test files need, started by test/run.mjs only when such a file
 * runs (whichever releases ECTL_TEST_RELEASES selects), each node with a fresh spool of its own:
 * - the test cluster: CLUSTER_SIZE nodes of the host's release (ECTL_TEST_CLUSTER_SIZE, default
 *   3) joined into one Mnesia cluster, for test/cluster.test.mjs (ECTL_TEST_CLUSTER);
 * - scratch nodes: three 26.07 nodes and three 24.12 nodes, not joined, each with its admin
 *   account, for the commands that stop, restart, evacuate or join a node
 *   (test/scratch-nodes.test.mjs, ECTL_TEST_SCRATCH and ECTL_TEST_SCRATCH_24_12). Those tests use
 *   the nodes up, so that file runs with the first Node only.
 * Node i takes the first release's node name with the release's digits (none for the host's
 * release) and a letter added (ectltesta@localhost, ectltest2607a@localhost...), its release's
 * directory with `-<group>-<letter>`, and HTTP ports from `httpPort` above the first release's
 * (<env>_HTTP_PORT moves them: ECTL_TEST_CLUSTER_HTTP_PORT...), `step` apart; C2S and HTTPS keep
 * their distance to HTTP. Their config lets the admin call `allow` over HTTP too.
 */
export const CLUSTER_SIZE = Number(env.ECTL_TEST_CLUSTER_SIZE ?? 3);

export const NODE_GROUPS = [
  { name: 'cluster', file: 'cluster.test.mjs', release: RELEASES[0].release, size: CLUSTER_SIZE, join: true,
    env: 'ECTL_TEST_CLUSTER', httpPort: 400, step: 100, allow: ['restart'] },
  { name: 'scratch', file: 'scratch-nodes.test.mjs', release: '26.07', size: 3, join: false, once: true,
    env: 'ECTL_TEST_SCRATCH', httpPort: 700, step: 10, allow: ['restart', 'halt'] },
  { name: 'scratch2412', file: 'scratch-nodes.test.mjs', release: '24.12', size: 3, join: false, once: true,
    env: 'ECTL_TEST_SCRATCH_24_12', httpPort: 750, step: 10, allow: ['restart', 'halt'] },
];

const groupNamed = (name) => NODE_GROUPS.find((g) => g.name === name);

export function describeClusterNode(i, group = groupNamed('cluster')) {
  const base = describeServer(group.release);
  const first = describeServer(RELEASES[0].release);
  const letter = String.fromCharCode(97 + i);
  const [nodeName, nodeHost] = first.node.split('@');
  const digits = group.release === RELEASES[0].release ? '' : group.release.replace(/\W/g, '');
  const http = Number(env[`${group.env}_HTTP_PORT`] ?? first.httpPort + group.httpPort) + group.step * i;
  const s = {
    ...base,
    node: `${nodeName}${digits}${letter}@${nodeHost}`,
    dir: `${base.dir}-${group.name}-${letter}`,
    httpPort: http,
    httpsPort: http + (base.httpsPort - base.httpPort),
    c2sPort: http + (base.c2sPort - base.httpPort),
    cluster: true,
    allow: group.allow,
  };
  s.url = `http://127.0.0.1:${s.httpPort}/api`;
  s.httpsUrl = `https://127.0.0.1:${s.httpsPort}/api`;
  s.hostDir = s.root + s.dir;
  s.caFile = join(s.hostDir, 'ca.pem');
  return s;
}

/** The nodes `list_cluster` names on a node (ejabberdctl prints them one per line, maybe quoted). */
export async function clusterMembers(s) {
  const r = await ejabberdctlAsync(s, 'list_cluster');
  return r.code === 0 ? r.stdout.split('\n').map((l) => l.trim().replace(/^'|'$/g, '')).filter(Boolean).sort() : null;
}

/** The same over the node's HTTP API as its admin (no Erlang VM started per look): null when it does not answer. */
export async function clusterMembersOverHttp(s) {
  try {
    const auth = `Basic ${Buffer.from(`${s.admin}:${s.adminPassword}`).toString('base64')}`;
    const r = await fetch(`${s.url}/list_cluster`, { method: 'POST', body: '{}', headers: { authorization: auth, 'content-type': 'application/json' } });
    return r.status === 200 ? (await r.json()).map(String).sort() : null;
  } catch {
    return null;
  }
}

/**
 * Starts a group of nodes (the test cluster by default): every node at once with a fresh spool;
 * for a group that joins, each other node then joins the first with ejabberdctl join_cluster,
 * one after the other, and it resolves when every node's list_cluster names all of them and
 * every HTTP API answers. `startMs` is the whole time.
 */
export async function startCluster(group = groupNamed('cluster')) {
  const t0 = Date.now();
  const nodes = Array.from({ length: group.size }, (_, i) => describeClusterNode(i, group));
  // Only the first node's accounts survive a join: the others take its database.
  await Promise.all(nodes.map((s, i) => start(s, { admin: i === 0 || !group.join })));
  if (group.join) {
    const want = nodes.map((s) => s.node).sort();
    for (const s of nodes.slice(1)) {
      const r = await ejabberdctlAsync(s, 'join_cluster', nodes[0].node);
      if (r.code !== 0) throw new Error(`test cluster: ${s.node} could not join ${nodes[0].node}: ${r.stdout}${r.stderr}`);
    }
    // The joined nodes restart ejabberd: each answers over HTTP again, listing every node.
    for (const s of nodes) {
      await waitFor(async () => JSON.stringify(await clusterMembersOverHttp(s)) === JSON.stringify(want), 90_000, `${s.node} to see the whole cluster`, s);
    }
  }
  nodes.startMs = Date.now() - t0;
  return nodes;
}

/** Stops every node of a group (those running; the test cluster by default). */
export function stopCluster(nodes = Array.from({ length: CLUSTER_SIZE }, (_, i) => describeClusterNode(i))) {
  for (const s of nodes) if (existsSync(join(s.hostDir, 'ejabberd.yml'))) stop(s);
}

/** The releases to start: all of them unless ECTL_TEST_RELEASES (comma-separated) narrows it. */
export function selectedReleases() {
  const all = RELEASES.map((r) => r.release);
  if (!env.ECTL_TEST_RELEASES) return all;
  const want = env.ECTL_TEST_RELEASES.split(',').map((s) => s.trim()).filter(Boolean);
  for (const r of want) if (!all.includes(r)) throw new Error(`ECTL_TEST_RELEASES: unknown release ${r} (known: ${all.join(', ')})`);
  return want;
}

/** The first release's server (the host's 23.01): what ECTL_TEST_URL and the older scripts use. */
export const server = describeServer(RELEASES[0].release);

function sh(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  return { code: res.status ?? -1, stdout: res.stdout ?? '', stderr: res.stderr ?? '' };
}

function asRoot(cmd, args) {
  if (isRoot) return sh(cmd, args, { stdio: 'inherit' });
  return sh('sudo', ['-n', cmd, ...args], { stdio: 'inherit' });
}

/** Installs Debian's ejabberd (and the OAuth library it only suggests) on this machine when missing. */
function ensureHostInstalled() {
  const haveOauth = existsSync('/usr/lib/erlang/lib') &&
    sh('sh', ['-c', 'ls -d /usr/lib/erlang/lib/p1_oauth2-* >/dev/null 2>&1']).code === 0;
  if (existsSync(EJABBERDCTL) && haveOauth) return;
  process.stderr.write('test server: installing ejabberd with apt-get\n');
  const run = (args) => {
    const r = isRoot
      ? spawnSync('apt-get', args, { stdio: 'inherit', env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } })
      : spawnSync('sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status}); run as root or with passwordless sudo`);
  };
  run(['update']);
  run(['install', '-y', '--no-install-recommends', 'ejabberd', 'erlang-p1-oauth2']);
}

/** Makes a release's ejabberd available: the host's package, or its chroot (built when missing). */
export function ensureInstalled(release = server.release) {
  const desc = RELEASES.find((r) => r.release === release);
  if (desc.from.host) ensureHostInstalled();
  else ensureChroot(desc);
}

/** The command line that runs a server's own ejabberdctl against its node (as root: sudo -n otherwise). */
export function ejabberdctlArgs(args, s = server) {
  const d = s.dir;
  const argv = ['--config-dir', d, '--config', join(d, 'ejabberd.yml'), '--ctl-config', join(d, 'ejabberdctl.cfg'),
    '--logs', join(d, 'logs'), '--spool', join(d, 'spool'), '--node', s.node, ...args];
  const [cmd, full] = s.root ? inChroot(s.root, [EJABBERDCTL, ...argv]) : [EJABBERDCTL, argv];
  // ejabberdctl runs only for root or the ejabberd user: anyone else goes through sudo.
  return isRoot ? [cmd, full] : ['sudo', ['-n', cmd, ...full]];
}

// 23.01's ejabberdctl names its own Erlang node after the first three hex digits of a random UUID
// (later ones let Erlang pick a free name), so two calls running at once pick the same name about
// once in 4,096 pairs, and the second fails before it runs anything, saying so on stderr. The
// oracle's flaw, not the server's answer: such a call is made again, a few times at most.
const CTL_TRIES = 5;
const ctlNameTaken = (r) => r.code !== 0 && /the name \S+ seems to be in use by another Erlang node/.test(r.stderr);

/** Runs a server's ejabberdctl (the first release's unless `s` is given): { code, stdout, stderr }. */
export function ejabberdctlOn(s, ...args) {
  recordRun('ejabberdctl', args, { release: s.release });
  const [cmd, argv] = ejabberdctlArgs(args, s);
  let r;
  for (let i = 0; i < CTL_TRIES; i++) {
    r = sh(cmd, argv, { cwd: s.root ? '/' : s.hostDir });
    if (!ctlNameTaken(r)) break;
  }
  return r;
}

/** Runs ejabberdctl against the first release's test node: { code, stdout, stderr }. */
export function ejabberdctl(...args) {
  return ejabberdctlOn(server, ...args);
}

/** The same, without blocking: resolves { code, stdout, stderr }. */
export async function ejabberdctlAsync(s, ...args) {
  recordRun('ejabberdctl', args, { release: s.release });
  const [cmd, argv] = ejabberdctlArgs(args, s);
  let r;
  for (let i = 0; i < CTL_TRIES; i++) {
    r = await spawnCollect(cmd, argv, { cwd: s.root ? '/' : s.hostDir });
    if (!ctlNameTaken(r)) break;
  }
  return r;
}

/** Runs a command without blocking and collects its output: resolves { code, stdout, stderr }. */
function spawnCollect(cmd, argv, opts) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, opts);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    child.on('error', (e) => resolve({ code: -1, stdout, stderr: String(e) }));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs a command as root where the server lives (in its chroot when it has one). */
function asRootThere(s, cmd, args) {
  if (!s.root) return asRoot(cmd, args);
  const [c, argv] = inChroot(s.root, [cmd, ...args]);
  return asRoot(c, argv);
}

function writeConfig(s) {
  const d = s.hostDir;
  // A previous run's files belong to the ejabberd user.
  if (isRoot) rmSync(d, { recursive: true, force: true });
  else asRoot('rm', ['-rf', d]);
  mkdirSync(join(d, 'logs'), { recursive: true });
  mkdirSync(join(d, 'spool'), { recursive: true });
  // A self-signed certificate for localhost: the HTTPS listener uses it, TLS tests trust it with --ca-file.
  const key = join(d, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', s.caFile,
    '-days', '3650', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  writeFileSync(join(d, 'cert.pem'), readFileSync(s.caFile, 'utf8') + readFileSync(key, 'utf8'));
  const desc = RELEASES.find((r) => r.release === s.release);
  const tmpl = readFileSync(join(here, 'ejabberd.yml.tmpl'), 'utf8');
  // A cluster node may be restarted over HTTP (the rolling restart tests do it), a scratch node halted.
  const allowed = (s.allow ?? []).reduce((t, cmd) => t.replace(new RegExp(`^ *- "!${cmd}"\\n`, 'm'), ''), tmpl);
  const yml = allowed.replaceAll('@DIR@', s.dir).replaceAll('@HTTP_PORT@', String(s.httpPort))
    .replaceAll('@HTTPS_PORT@', String(s.httpsPort)).replaceAll('@C2S_PORT@', String(s.c2sPort))
    + (desc.modules ?? []).map((m) => `  ${m}\n`).join('');
  writeFileSync(join(d, 'ejabberd.yml'), yml);
  writeFileSync(join(d, 'inetrc'), '{lookup,["file","native"]}.\n{host,{127,0,0,1}, ["localhost"]}.\n{file, resolv, "/etc/resolv.conf"}.\n');
  writeFileSync(join(d, 'ejabberdctl.cfg'), [
    `ERLANG_NODE=${s.node}`,
    `EJABBERD_PID_PATH=${join(s.dir, 'ejabberd.pid')}`,
    `CONTRIB_MODULES_PATH=${join(s.dir, 'modules')}`,
    `CONTRIB_MODULES_CONF_DIR=${join(s.dir, 'modules.d')}`,
    // A cluster's nodes speak Erlang distribution to each other: on loopback only.
    `ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0${s.cluster ? ' -kernel inet_dist_use_interface {127,0,0,1}' : ''}"`,
    'EJABBERD_BYPASS_WARNINGS=true',
    '',
  ].join('\n'));
  // ejabberdctl switches to the ejabberd user (the chroot's own, in a chroot), which must own the files.
  const r = asRootThere(s, 'chown', ['-R', 'ejabberd:ejabberd', s.dir]);
  if (r.code !== 0) throw new Error(`test server ${s.release}: could not give ${s.hostDir} to the ejabberd user`);
}

export function isRunning(s = server) {
  return ejabberdctlOn(s, 'status').code === 0;
}

function portFree(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function waitFor(pred, ms, what, s) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`test server ${s.release}: timed out waiting for ${what}; see ${join(s.hostDir, 'logs')}`);
}

/** The version a status output names ("ejabberd 23.01-1 is running in that node"), or ''. */
const statusVersion = (status) => /ejabberd (\S+) is running in that node/.exec(status)?.[1] ?? '';

/**
 * Starts a release's server (the first release's by default) with a fresh spool and an admin
 * account; resolves the server description with `version` (from its status) and `startMs`.
 * A node of the same name left running by an earlier run is stopped first. With `keep` (the
 * quickstart), an earlier run's node, config and spool are kept: a running node is left as it is
 * (`s.kept = 'running'`), a stopped one is started on its spool (`s.kept = 'spool'`).
 */
export async function start(s = server, { admin = true, keep = false } = {}) {
  const t0 = Date.now();
  ensureInstalled(s.release);
  const configured = existsSync(join(s.hostDir, 'ejabberd.yml'));
  if (configured) {
    const st = await ejabberdctlAsync(s, 'status');
    if (st.code === 0 && keep) {
      s.version = statusVersion(st.stdout);
      s.kept = 'running';
      s.startMs = Date.now() - t0;
      return s;
    }
    if (st.code === 0) stop(s);
    // A node whose VM runs without ejabberd (a join cut short) answers ping, not status.
    else if (s.cluster && (await ejabberdctlAsync(s, 'ping')).stdout.includes('pong')) stop(s);
  }
  s.kept = keep && configured ? 'spool' : undefined;
  // A port another node holds would send this server's tests to that node.
  for (const [name, port] of [['HTTP', s.httpPort], ['HTTPS', s.httpsPort], ['C2S', s.c2sPort]]) {
    if (!(await portFree(port))) {
      const v = `ECTL_TEST_${name}_PORT${s.release === server.release ? '' : `_${s.release.replace(/\W/g, '_')}`}`;
      throw new Error(`test server ${s.release}: port ${port} on 127.0.0.1 is in use; choose another with ${v}`);
    }
  }
  if (!s.kept) writeConfig(s);
  const r = await ejabberdctlAsync(s, 'start');
  if (r.code !== 0) throw new Error(`test server ${s.release}: ejabberdctl start failed: ${r.stdout}${r.stderr}`);
  let status = '';
  await waitFor(async () => {
    const st = await ejabberdctlAsync(s, 'status');
    status = st.stdout;
    return st.code === 0;
  }, 90_000, 'ejabberd to start', s);
  await waitFor(async () => {
    try { return (await fetch(`${s.url}/status`, { method: 'POST', body: '{}' })).status === 200; } catch { return false; }
  }, 30_000, 'the HTTP API', s);
  // The package must be the release this server stands for: its status names it (Debian's
  // packages add their revision, as in "ejabberd 23.01-1 is running in that node").
  s.version = statusVersion(status);
  if (s.version !== s.release && !s.version.startsWith(`${s.release}-`)) {
    stop(s);
    throw new Error(`test server ${s.release}: the installed ejabberd says it is ${s.version || 'unknown'} (${JSON.stringify(status)})`);
  }
  // A kept spool has its admin account already.
  const reg = admin && !s.kept ? await ejabberdctlAsync(s, 'register', 'admin', s.host, s.adminPassword) : { code: 0 };
  if (reg.code !== 0) throw new Error(`test server ${s.release}: could not create the admin account: ${reg.stdout}${reg.stderr}`);
  s.startMs = Date.now() - t0;
  return s;
}

/** Whether the node's Erlang VM answers (ejabberd itself may not run in it). */
function answersPing(s) {
  return ejabberdctlOn(s, 'ping').stdout.includes('pong');
}

/** The process id of a node's Erlang VM (beam.smp started with `-sname NODE`), or undefined. */
function vmPid(s) {
  for (const line of sh('ps', ['-eo', 'pid=,args=']).stdout.split('\n')) {
    const [pid, ...args] = line.trim().split(/\s+/);
    if (!/\/beam(\.smp)?$/.test(args[0] ?? '')) continue;
    if (args.some((a, i) => (a === '-sname' || a === '-name') && args[i + 1] === s.node)) return Number(pid);
  }
  return undefined;
}

export function stop(s = server) {
  const r = ejabberdctlOn(s, 'stop');
  // A VM whose ejabberd stopped (evacuate_kindly over HTTP does that) knows no `stop`: it is
  // ended by its process id, which only this node's name selects.
  if (r.code !== 0 && answersPing(s)) {
    const pid = vmPid(s);
    if (pid) asRoot('kill', ['-KILL', String(pid)]);
  }
  for (let i = 0; i < 60 && answersPing(s); i++) sh('sleep', ['0.5']);
}

/** What a test process needs to reach a server and run its ejabberdctl (ECTL_TEST_SERVERS holds a list). */
export function serverInfo(s) {
  const { release, node, dir, root, hostDir, url, httpsUrl, caFile, admin, adminPassword, host, httpPort, httpsPort, c2sPort, cluster } = s;
  return { release, node, dir, root, hostDir, url, httpsUrl, caFile, admin, adminPassword, host, httpPort, httpsPort, c2sPort, cluster };
}

/**
 * Environment variables that point a test process at the servers: ECTL_TEST_URL and its
 * companions at the first release's (the host's 23.01), ECTL_TEST_SERVERS at all of them (JSON).
 */
export function serverEnv(servers = [server]) {
  const first = servers.find((s) => s.release === server.release) ?? server;
  return {
    ECTL_TEST_URL: first.url,
    ECTL_TEST_HTTPS_URL: first.httpsUrl,
    ECTL_TEST_CA_FILE: first.caFile,
    ECTL_TEST_ADMIN: first.admin,
    ECTL_TEST_ADMIN_PASSWORD: first.adminPassword,
    ECTL_TEST_C2S_PORT: String(first.c2sPort),
    ECTL_TEST_DIR: first.dir,
    ECTL_TEST_NODE: first.node,
    ECTL_TEST_SERVERS: JSON.stringify(servers.map(serverInfo)),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cmd, ...which] = process.argv.slice(2);
  const group = () => groupNamed(which[0] ?? 'cluster') ?? (() => { throw new Error(`no node group ${which[0]} (known: ${NODE_GROUPS.map((g) => g.name).join(', ')})`); })();
  const servers = cmd.endsWith('-cluster') ? [] : (which.length ? which : selectedReleases()).map(describeServer);
  if (cmd === 'start') {
    await Promise.all(servers.map(async (s) => {
      await start(s);
      process.stdout.write(`ejabberd ${s.release} test node ${s.node} is up in ${(s.startMs / 1000).toFixed(1)} s: ${s.url} (admin ${s.admin})\n`);
    }));
  } else if (cmd === 'start-cluster') {
    const nodes = await startCluster(group());
    process.stdout.write(`${group().name} of ${nodes.length} nodes up in ${(nodes.startMs / 1000).toFixed(1)} s: ${nodes.map((s) => `${s.node} ${s.url}`).join(', ')}\n`);
  } else if (cmd === 'stop-cluster') {
    stopCluster(Array.from({ length: group().size }, (_, i) => describeClusterNode(i, group())));
  } else if (cmd === 'stop') {
    for (const s of servers) stop(s);
  } else if (cmd === 'env') {
    for (const [k, v] of Object.entries(serverEnv(servers))) process.stdout.write(`export ${k}='${v}'\n`);
  } else {
    process.stderr.write('usage: ejabberd-server.mjs start|stop|env [release...] | start-cluster|stop-cluster [cluster|scratch|scratch2412]\n');
    process.exit(2);
  }
}
