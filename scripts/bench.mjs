// `npm run bench`: ectl's benchmarks side by side, in one run, on this machine's Node and on
// Node 24 (installed by the test harness into its cache when missing). It builds ectl, starts
// ejabberd test nodes of its own (23.01 on the host and 26.07 in its chroot, ports 25280...),
// and stops them at the end. Not tests: it prints figures.
//   1. start-up: each contender a fresh process, all of them alternated run after run so that
//      the machine's load falls on each alike; medians with their spread (quartiles), and the
//      cost over `node -e 0` of the same Node. ejabberdctl both ways on 26.07: classic (an
//      Erlang VM per call) and its CTL_OVER_HTTP fast path (curl on a unix socket).
//   2. batch: `ectl batch -j N` of check_account lines (distinct accounts) against a bare
//      undici Pool loop with N connections and N workers, alternated; lines per second.
//   3. large output: scripts/bench-output.mjs (--no-output leaves it out).
// Options: --runs N (start-up runs, default 21), --lines N (batch lines, default 5000),
// --jobs 1,4,8,32 (batch concurrencies), --batch-runs N (default 3), --no-batch.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const RUNS = Number(option('--runs', 21));
const LINES = Number(option('--lines', 5000));
const JOBS = option('--jobs', '1,4,8,32').split(',').map(Number);
const BATCH_RUNS = Number(option('--batch-runs', 3));

process.env.ECTL_TEST_NODE ??= 'ectlbench@localhost';
process.env.ECTL_TEST_DIR ??= '/tmp/ectl-bench';
process.env.ECTL_TEST_HTTP_PORT ??= '25280';
process.env.ECTL_TEST_HTTPS_PORT ??= '25443';
process.env.ECTL_TEST_C2S_PORT ??= '25222';

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const loadBefore = load();
spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
const { ensureNode } = await import('../test/server/node.mjs');
const nodes = [{ label: `Node ${process.version}`, bin: process.execPath }];
try {
  const n24 = ensureNode(24);
  if (n24.version !== process.version) nodes.push({ label: `Node ${n24.version}`, bin: n24.bin });
} catch (e) {
  process.stderr.write(`bench: no Node 24 (${e.message}); this Node only\n`);
}
const harness = await import('../test/server/ejabberd-server.mjs');
const chroot = await import('../test/server/chroot.mjs');
const servers = ['23.01', '26.07'].map(harness.describeServer);
await Promise.all(servers.map((s) => harness.start(s)));
const [server, newest] = servers;
const tmp = join(root, 'test', '.tmp', 'bench');
mkdirSync(tmp, { recursive: true });
// The user's code cache of ectl (bin/ectl writes one per Node) in a directory of the bench's own.
const env = {
  ...process.env, ECTL_URL: server.url, ECTL_USER: server.admin, ECTL_PASSWORD: server.adminPassword,
  XDG_CACHE_HOME: join(tmp, 'cache'), XDG_CONFIG_HOME: join(tmp, 'config'),
};
const ectl = join(root, 'bin', 'ectl');

function run(cmd, args, opts = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26, ...opts });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  return s[Math.floor(at)] + (s[Math.ceil(at)] - s[Math.floor(at)]) * (at - Math.floor(at));
};
const median = (xs) => quantile(xs, 0.5);
const spread = (xs) => `${quantile(xs, 0.25).toFixed(1)}–${quantile(xs, 0.75).toFixed(1)}`;

/** ejabberdctl's fast path on 26.07: an ejabberd_http listener for ejabberd_ctl on a unix socket. */
function enableCtlOverHttp(s) {
  // Without curl in the chroot ejabberdctl quietly takes its classic path: the figure would be that one's.
  if (s.root) chroot.ensureChrootCommand(s.release, 'curl');
  const socket = join(s.dir, 'ctl_over_http.sock'); // as the server sees it
  const yml = join(s.hostDir, 'ejabberd.yml');
  const text = readFileSync(yml, 'utf8');
  if (!text.includes(socket)) {
    writeFileSync(yml, text.replace(/^listen:\n/m, `listen:\n  -\n    port: "unix:${socket}"\n    module: ejabberd_http\n    unix_socket:\n      mode: '0600'\n    request_handlers:\n      /ctl: ejabberd_ctl\n`));
    const r = harness.ejabberdctlOn(s, 'reload_config');
    if (r.code !== 0) throw new Error(`reload_config on ${s.release}: ${r.stdout}${r.stderr}`);
  }
  for (let i = 0; i < 50 && !existsSync(s.root + socket); i++) spawnSync('sleep', ['0.1']);
  const [cmd, argv] = harness.ejabberdctlArgs(['status'], s);
  // ejabberdctl takes CTL_OVER_HTTP from its environment when its config file leaves it unset.
  const fast = (args) => {
    const [c, a] = harness.ejabberdctlArgs(args, s);
    return c === 'sudo' ? ['sudo', ['-n', 'env', `CTL_OVER_HTTP=${socket}`, ...a.slice(1)]] : ['env', [`CTL_OVER_HTTP=${socket}`, c, ...a]];
  };
  const probe = spawnSync(...fast(['status']), { encoding: 'utf8', cwd: s.root ? '/' : s.hostDir, env });
  if (probe.status !== 0 || !/is running/.test(probe.stdout)) throw new Error(`ejabberdctl over CTL_OVER_HTTP failed: ${probe.stdout}${probe.stderr}`);
  return { classic: [cmd, argv], fast: fast(['status']) };
}

const out = (s) => process.stdout.write(s);
try {
  // 1. Start-up.
  const oneUndici = join(tmp, 'one-undici.cjs');
  writeFileSync(oneUndici, `
const Agent = require(${JSON.stringify(join(root, 'node_modules', 'undici', 'lib', 'dispatcher', 'agent.js'))});
const request = require(${JSON.stringify(join(root, 'node_modules', 'undici', 'lib', 'api', 'api-request.js'))});
const u = new URL(process.argv[2]);
const auth = 'Basic ' + Buffer.from(process.env.ECTL_USER + ':' + process.env.ECTL_PASSWORD).toString('base64');
request.call(new Agent(), { origin: u.origin, path: u.pathname + '/status', method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: '{}' })
  .then(async (r) => { process.stdout.write(await r.body.text() + '\\n'); process.exit(r.statusCode === 200 ? 0 : 1); });
`);
  const oneHttp = join(tmp, 'one-http.cjs');
  writeFileSync(oneHttp, `
const u = new URL(process.argv[2]);
const auth = 'Basic ' + Buffer.from(process.env.ECTL_USER + ':' + process.env.ECTL_PASSWORD).toString('base64');
const req = require('node:http').request({ host: u.hostname, port: u.port, path: u.pathname + '/status', method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' } }, (res) => {
  let b = ''; res.setEncoding('utf8'); res.on('data', (d) => { b += d; }); res.on('end', () => { process.stdout.write(b + '\\n'); process.exitCode = res.statusCode === 200 ? 0 : 1; });
});
req.end('{}');
`);
  const perNode = (n) => [
    ['node -e 0', n.bin, ['-e', '0']],
    ['one POST, bare node:http', n.bin, [oneHttp, server.url]],
    ['one POST, bare undici (--liftoff-only)', n.bin, ['--liftoff-only', oneUndici, server.url]],
    ['ectl status', n.bin, [ectl, 'status']],
    ['ectl --help', n.bin, [ectl, '--help']],
    ['ectl completion bash', n.bin, [ectl, 'completion', 'bash']],
  ];
  const ctl = enableCtlOverHttp(newest);
  const shared = [
    ['ejabberdctl status (26.07, classic)', ...ctl.classic, Math.max(5, Math.floor(RUNS / 3))],
    ['ejabberdctl status (26.07, CTL_OVER_HTTP)', ...ctl.fast, RUNS],
  ];
  // Both ejabberdctl rows enter the test chroot first (unshare, mount /proc, chroot): its cost alone, to take off.
  if (newest.root) shared.push(['entering the 26.07 chroot alone (`true`), included in both', ...chroot.inChroot(newest.root, ['true']), RUNS]);
  const ctlOpts = { cwd: newest.root ? '/' : newest.hostDir };
  // First runs write each Node's code cache and the detected release: not counted.
  for (const n of nodes) for (const [, cmd, args] of perNode(n)) run(cmd, args);
  const times = new Map();
  const add = (k, ms) => (times.get(k) ?? times.set(k, []).get(k)).push(ms);
  const loadStart = load();
  for (let i = 0; i < RUNS; i++) {
    for (const n of nodes) for (const [name, cmd, args] of perNode(n)) add(`${n.label}|${name}`, run(cmd, args));
    for (const [name, cmd, args, runs] of shared) if (i < runs) add(name, run(cmd, args, ctlOpts));
  }
  const loadEnd = load();
  out(`\nMachine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load average ${loadBefore} before the build, ${loadStart} -> ${loadEnd} over the start-up runs\n\n`);
  out(`Start-up: median wall time of ${RUNS} alternated runs (quartiles), and over \`node -e 0\` of the same Node\n\n`);
  out(`| what | ${nodes.map((n) => n.label).join(' | ')} |\n|---|${nodes.map(() => '---|').join('')}\n`);
  for (const [name] of perNode(nodes[0])) {
    const cells = nodes.map((n) => {
      const xs = times.get(`${n.label}|${name}`);
      const base = median(times.get(`${n.label}|node -e 0`));
      return `${median(xs).toFixed(1)} ms (${spread(xs)})${name === 'node -e 0' ? '' : `, +${(median(xs) - base).toFixed(1)}`}`;
    });
    out(`| ${name} | ${cells.join(' | ')} |\n`);
  }
  for (const [name] of shared) {
    const xs = times.get(name);
    out(`| ${name} | ${`${median(xs).toFixed(1)} ms (${spread(xs)}), ${xs.length} runs`} |${nodes.slice(1).map(() => ' |').join('')}\n`);
  }

  // 2. Batch throughput.
  if (!process.argv.includes('--no-batch')) {
    const user = (i) => `bench${i}`;
    const register = join(tmp, 'register.txt');
    writeFileSync(register, Array.from({ length: LINES }, (_, i) => `register ${user(i)} ${server.host} pw-${i}\n`).join(''));
    spawnSync(process.execPath, [ectl, 'batch', '-j', '8', register], { env, stdio: 'ignore' }); // "already registered" on a second run: fine
    const file = join(tmp, 'check_account.txt');
    writeFileSync(file, Array.from({ length: LINES }, (_, i) => `check_account ${user(i)} ${server.host}\n`).join(''));
    const loop = join(tmp, 'undici-loop.mjs');
    writeFileSync(loop, `
import { Pool } from ${JSON.stringify(join(root, 'node_modules', 'undici', 'index.js'))};
const [url, user, pw, host, n, jobs] = process.argv.slice(2);
const u = new URL(url);
const pool = new Pool(u.origin, { connections: Number(jobs) });
const headers = { 'content-type': 'application/json', authorization: 'Basic ' + Buffer.from(user + ':' + pw).toString('base64') };
let next = 0;
async function worker() {
  while (next < Number(n)) {
    const i = next++;
    const r = await pool.request({ path: u.pathname + '/check_account', method: 'POST', headers, body: JSON.stringify({ user: 'bench' + i, host }) });
    const t = await r.body.text();
    if (r.statusCode !== 200 || t !== '0') throw new Error('unexpected reply ' + r.statusCode + ' ' + t);
  }
}
await Promise.all(Array.from({ length: Number(jobs) }, worker));
await pool.close();
`);
    out(`\nBatch: ${LINES} check_account lines (distinct accounts), lines per second, median of ${BATCH_RUNS} alternated runs (min–max); ratio to the bare undici loop\n\n`);
    out(`| -j | ${nodes.map((n) => `${n.label}: bare loop | ectl batch | ratio`).join(' | ')} |\n|---|${nodes.map(() => '---|---|---|').join('')}\n`);
    for (const j of JOBS) {
      const cells = [];
      for (const n of nodes) {
        const bare = [];
        const ours = [];
        for (let i = 0; i < BATCH_RUNS; i++) {
          bare.push(LINES / (run(n.bin, [loop, server.url, server.admin, server.adminPassword, server.host, String(LINES), String(j)]) / 1000));
          ours.push(LINES / (run(n.bin, [ectl, 'batch', '-j', String(j), file]) / 1000));
        }
        const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
        cells.push(`${median(bare).toFixed(0)} (${range(bare)})`, `${median(ours).toFixed(0)} (${range(ours)})`, (median(ours) / median(bare)).toFixed(2));
      }
      out(`| ${j} | ${cells.join(' | ')} |\n`);
    }
    out(`\nload average at the end: ${load()}\n`);
  }
} finally {
  for (const s of servers) harness.stop(s);
}
if (!process.argv.includes('--no-output')) {
  out('\n');
  execFileSync(process.execPath, [join(root, 'scripts', 'bench-output.mjs'), '--markdown'], { stdio: 'inherit' });
}
