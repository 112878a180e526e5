// `npm run bench`: ectl's benchmarks, side by side in one run against a local ejabberd that
// this script starts (its own node and ports) and stops. Not tests: they print figures.
//   1. start-up: `ectl status`, `ectl --help`, `ectl completion bash` vs `node -e 0`, curl and
//      ejabberdctl (median wall time of interleaved runs);
//   2. batch throughput: `ectl batch` of check_account lines vs a bare undici loop with the same
//      concurrency vs a shell loop of ejabberdctl (a small count);
//   3. large output: scripts/bench-output.mjs.
// Options: --runs N (start-up runs, default 31), --lines N (batch lines, default 5000), -j N.
import { spawnSync, execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const RUNS = arg('--runs', 31);
const LINES = arg('--lines', 5000);
const JOBS = arg('-j', 4);

process.env.ECTL_TEST_NODE ??= 'ectlbench@localhost';
process.env.ECTL_TEST_DIR ??= '/tmp/ectl-bench';
process.env.ECTL_TEST_HTTP_PORT ??= '25280';
process.env.ECTL_TEST_HTTPS_PORT ??= '25443';
process.env.ECTL_TEST_C2S_PORT ??= '25222';

spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
const harness = await import('../test/server/ejabberd-server.mjs');
const server = await harness.start();
const env = { ...process.env, ECTL_URL: server.url, ECTL_USER: server.admin, ECTL_PASSWORD: server.adminPassword };
const ectl = join(root, 'bin', 'ectl');
const tmp = join(root, 'test', '.tmp', 'bench');
mkdirSync(tmp, { recursive: true });

function wallMs(cmd, args, opts = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], ...opts });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const rows = [];
try {
  // 1. Start-up, interleaved so that load on the machine falls on every contender alike.
  // The floor ectl stands on: one POST with undici's agent and request API alone, and with node:http.
  const oneUndici = join(tmp, 'one-undici.cjs');
  writeFileSync(oneUndici, `
const Agent = require(${JSON.stringify(join(root, 'node_modules', 'undici', 'lib', 'dispatcher', 'agent.js'))});
const request = require(${JSON.stringify(join(root, 'node_modules', 'undici', 'lib', 'api', 'api-request.js'))});
const u = new URL(process.argv[2]);
request.call(new Agent(), { origin: u.origin, path: u.pathname + '/status', method: 'POST', body: '{}' })
  .then(async (r) => { process.stdout.write(await r.body.text() + '\\n'); process.exit(0); });
`);
  const oneHttp = join(tmp, 'one-http.cjs');
  writeFileSync(oneHttp, `
const u = new URL(process.argv[2]);
const req = require('node:http').request({ host: u.hostname, port: u.port, path: u.pathname + '/status', method: 'POST' }, (res) => {
  let b = ''; res.setEncoding('utf8'); res.on('data', (d) => { b += d; }); res.on('end', () => process.stdout.write(b + '\\n'));
});
req.end('{}');
`);
  const contenders = [
    ['node -e 0', process.execPath, ['-e', '0']],
    ['one POST, bare undici (--liftoff-only)', process.execPath, ['--liftoff-only', oneUndici, server.url]],
    ['one POST, bare node:http', process.execPath, [oneHttp, server.url]],
    ['ectl status', ectl, ['status']],
    ['ectl --help', ectl, ['--help']],
    ['ectl completion bash', ectl, ['completion', 'bash']],
    ['curl status', 'curl', ['-sS', '-u', `${server.admin}:${server.adminPassword}`, '-X', 'POST', '-d', '{}', `${server.url}/status`]],
  ];
  const ctlRuns = Math.max(5, Math.floor(RUNS / 4)); // ejabberdctl boots an Erlang VM per call
  const times = new Map(contenders.map(([name]) => [name, []]));
  const ctlTimes = [];
  wallMs(ectl, ['status']); // the first run writes V8's code cache
  for (let i = 0; i < RUNS; i++) {
    for (const [name, cmd, args] of contenders) times.get(name).push(wallMs(cmd, args));
    if (i < ctlRuns) {
      const [cmd, argv] = harness.ejabberdctlArgs(['status']);
      ctlTimes.push(wallMs(cmd, argv, { cwd: server.dir }));
    }
  }
  const base = median(times.get('node -e 0'));
  for (const [name] of contenders) rows.push(['start-up', name, `${median(times.get(name)).toFixed(1)} ms`, (median(times.get(name)) / base).toFixed(2)]);
  rows.push(['start-up', 'ejabberdctl status', `${median(ctlTimes).toFixed(1)} ms`, (median(ctlTimes) / base).toFixed(2)]);

  // 2. Batch throughput.
  const user = server.admin.split('@')[0];
  const file = join(tmp, 'check_account.txt');
  writeFileSync(file, `${Array.from({ length: LINES }, () => `check_account ${user} ${server.host}`).join('\n')}\n`);
  const loop = join(tmp, 'undici-loop.mjs');
  writeFileSync(loop, `
import { Pool } from ${JSON.stringify(join(root, 'node_modules', 'undici', 'index.js'))};
const [url, user, pw, host, n, jobs] = process.argv.slice(2);
const u = new URL(url);
const pool = new Pool(u.origin, { connections: Number(jobs) });
const headers = { 'content-type': 'application/json', authorization: 'Basic ' + Buffer.from(user + ':' + pw).toString('base64') };
const body = JSON.stringify({ user: user.split('@')[0], host });
let next = 0;
async function worker() {
  while (next < Number(n)) {
    next++;
    const r = await pool.request({ path: u.pathname + '/check_account', method: 'POST', headers, body });
    const t = await r.body.text();
    if (r.statusCode !== 200 || t !== '0') throw new Error('unexpected reply ' + r.statusCode + ' ' + t);
  }
}
await Promise.all(Array.from({ length: Number(jobs) }, worker));
await pool.close();
`);
  const batchRuns = 3;
  const ectlBatch = [];
  const bare = [];
  for (let i = 0; i < batchRuns; i++) {
    ectlBatch.push(wallMs(ectl, ['batch', '-j', String(JOBS), file]));
    bare.push(wallMs(process.execPath, [loop, server.url, server.admin, server.adminPassword, server.host, String(LINES), String(JOBS)]));
  }
  const ectlRate = LINES / (median(ectlBatch) / 1000);
  const bareRate = LINES / (median(bare) / 1000);
  const ctlCount = 20;
  const [ctlCmd, ctlArgv] = harness.ejabberdctlArgs(['check_account', user, server.host]);
  const shellLoop = wallMs('sh', ['-c', `for i in $(seq ${ctlCount}); do "$0" "$@" || exit 1; done`, ctlCmd, ...ctlArgv], { cwd: server.dir });
  const ctlRate = ctlCount / (shellLoop / 1000);
  rows.push(['batch', `bare undici loop, ${LINES} check_account, ${JOBS} connections`, `${bareRate.toFixed(0)} req/s`, '1.00']);
  rows.push(['batch', `ectl batch -j ${JOBS}, ${LINES} lines`, `${ectlRate.toFixed(0)} req/s`, (ectlRate / bareRate).toFixed(2)]);
  rows.push(['batch', `shell loop of ejabberdctl, ${ctlCount} calls`, `${ctlRate.toFixed(1)} req/s`, (ctlRate / bareRate).toFixed(3)]);
} finally {
  harness.stop();
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
process.stdout.write(`\nMachine: ${cpus().length} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n\n`);
process.stdout.write('| benchmark | what | median | ratio |\n|---|---|---|---|\n');
for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
process.stdout.write('\nstart-up ratio: to `node -e 0` (target: ectl status <= 1.30); batch ratio: to the bare undici loop (target: ectl batch >= 0.85)\n\n');
execFileSync(process.execPath, [join(root, 'scripts', 'bench-output.mjs'), '--markdown'], { stdio: 'inherit' });
