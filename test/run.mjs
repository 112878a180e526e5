// `npm test`: installs what is missing (npm packages, Debian's ejabberd, groff, man, zsh, fish,
// bash-completion, the chroots of the other ejabberd releases, Node 24), builds, starts one
// ejabberd test node per release on loopback (test/server/ejabberd-server.mjs), runs every test
// with node's test runner twice - with this machine's Node and with Node 24 - and stops the nodes.
// Exits non-zero when a server does not start or either run fails.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNode } from './server/node.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const t0 = Date.now();
const secs = (ms) => `${(ms / 1000).toFixed(0)} s`;
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    process.stderr.write(`test setup: ${cmd} ${args.join(' ')} failed (exit ${r.status})\n`);
    process.exit(r.status || 1);
  }
};

// Without scripts: the package's prepare would build, and the build comes next anyway.
if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund']);
run('npm', ['run', '--silent', 'build']);
// The linter (Biome, biome.json: the recommended rules less those that fight the house idioms).
const tLint = Date.now();
run('npm', ['run', '--silent', 'lint']);
const lintMs = Date.now() - tLint;

// What the man page, completion and --dry-run tests run, from Debian packages when missing.
const TOOLS = [['groff', 'groff-base'], ['man', 'man-db'], ['zsh', 'zsh'], ['fish', 'fish'],
  ['/usr/share/bash-completion/bash_completion', 'bash-completion'], ['curl', 'curl']];
const missing = TOOLS.filter(([tool]) => (tool.startsWith('/') ? !existsSync(tool) : spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0));
if (missing.length) {
  const packages = missing.map(([, pkg]) => pkg);
  process.stderr.write(`test setup: installing ${packages.join(' ')} with apt-get\n`);
  const apt = (args) => {
    const cmd = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args];
    if (process.getuid?.() === 0) run(cmd[0], cmd.slice(1));
    else run('sudo', ['-n', ...cmd]); // as ejabberd-server.mjs does: root or passwordless sudo
  };
  apt(['update']);
  apt(['install', '-y', '--no-install-recommends', ...packages]);
}

// The Node versions to run the suite with: this one, then Node 24 from the npm registry.
// ECTL_TEST_ONE_NODE=1 leaves out the second run while you work (the summary says so).
const nodes = [{ bin: process.execPath, version: process.version }];
if (!process.env.ECTL_TEST_ONE_NODE) {
  try {
    nodes.push(ensureNode(24));
  } catch (e) {
    process.stderr.write(`test setup: ${e.message}\n`);
    process.exit(1);
  }
}

const harness = await import('./server/ejabberd-server.mjs');
const servers = harness.selectedReleases().map(harness.describeServer);
const tSetup = Date.now();
for (const s of servers) {
  try {
    harness.ensureInstalled(s.release);
  } catch (e) {
    process.stderr.write(`test setup: ejabberd ${s.release}: ${e.message}\n`);
    process.exit(1);
  }
}
const only = process.argv.slice(2);
// The files that test what can differ from one Node version to the next: the two transports
// (node:net/tls and undici), TLS, signals and child processes, start-up and the V8 code cache,
// memory bounds, JSON number parsing, the single executable and the npm install. The second
// Node's run takes only these (and the checks that close every run); the rest of the suite tests
// ectl's own logic, the catalogue and the servers, which the first run covers once.
const NODE_VERSION_FILES = new Set(['batch', 'big-integers', 'client', 'config-safety', 'connection', 'faults',
  'hostile-server', 'install', 'limits', 'output-lazy', 'secrets', 'servers', 'signals', 'single-request', 'startup',
  'zz-no-secret-printed'].map((name) => `${name}.test.mjs`));
// The files that need no test server (each passes with no ECTL_TEST_* in its environment): they
// start while the servers do, and run beside the live files, two at a time. A new file is live
// until it is added here.
const SERVERLESS_FILES = new Set(['big-integers', 'docs-drift', 'faults', 'global-options', 'hostile-server',
  'limits', 'man', 'node-local', 'nodes', 'output-choice', 'output-lazy', 'properties', 'request-shapes',
  'single-request', 'startup', 'usage-errors'].map((name) => `${name}.test.mjs`));
// Reads what every other file of its run printed: it runs after them.
const LAST_FILE = 'zz-no-secret-printed.test.mjs';
const base = (f) => f.split('/').pop();
const files = only.length ? only : readdirSync(join(root, 'test')).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join('test', f));
// Extra node groups (the 23.01 test cluster, the 26.07 scratch nodes) only when their tests run,
// whichever releases ECTL_TEST_RELEASES selects.
const groups = harness.NODE_GROUPS.filter((g) => files.some((f) => f.split('/').pop() === g.file));
for (const g of groups) {
  try {
    harness.ensureInstalled(g.release);
  } catch (e) {
    process.stderr.write(`test setup: ejabberd ${g.release} for the ${g.name} nodes: ${e.message}\n`);
    process.exit(1);
  }
}
const tStart = Date.now();
const streams = join(root, 'test', '.tmp', 'streams');
// What the oracle files ran, for zz-oracle-coverage.test.mjs: afresh for each run too.
const oracleRuns = join(root, 'test', '.tmp', 'oracle-runs');
/** Each Node's run in its parts: the serverless files, the live files, then the last file. */
const partsOf = (n) => {
  const mine = n === 0 ? files : files.filter((f) => !onceFiles.includes(f) && NODE_VERSION_FILES.has(base(f)));
  return {
    serverless: mine.filter((f) => SERVERLESS_FILES.has(base(f))),
    live: mine.filter((f) => !SERVERLESS_FILES.has(base(f)) && base(f) !== LAST_FILE),
    last: mine.filter((f) => base(f) === LAST_FILE),
    count: mine.length,
  };
};
const children = new Set();
/**
 * One `node --test` over some files with one Node: the spec report on the console (or into a log
 * file, shown when the part ends, for a part that runs beside another), TAP into a file whose
 * closing counts add up to the summary.
 */
function runPart(node, label, partFiles, { concurrency = 1, toConsole = true } = {}) {
  const tap = join(root, 'test', '.tmp', `run-${node.version}-${label}.tap`);
  const log = join(root, 'test', '.tmp', `run-${node.version}-${label}.log`);
  mkdirSync(dirname(tap), { recursive: true });
  rmSync(tap, { force: true });
  rmSync(log, { force: true });
  const t = Date.now();
  if (!partFiles.length) return Promise.resolve({ label, code: 0, tap: null, ms: 0, files: 0 });
  // The runner itself is this Node, and it comes first on PATH: bin/ectl (#!/usr/bin/env node)
  // and every test that spawns process.execPath get it too.
  // The serverless files get no server to reach: one that needs it fails instead of passing by luck.
  const env = { ...process.env, ...(label === 'serverless' ? {} : harness.serverEnv(servers)), ECTL_TEST_NODE_VERSION: node.version,
    ...Object.fromEntries(groups.map((g, i) => [g.env, JSON.stringify(groupNodes?.[i]?.map(harness.serverInfo) ?? null)])),
    PATH: `${dirname(node.bin)}:${process.env.PATH}` };
  const child = spawn(node.bin, ['--test', '--test-reporter=spec', `--test-reporter-destination=${toConsole ? 'stdout' : log}`,
    '--test-reporter=tap', `--test-reporter-destination=${tap}`, `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...partFiles],
  { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env });
  children.add(child);
  return new Promise((done) => child.on('close', (code) => {
    children.delete(child);
    if (!toConsole && existsSync(log)) process.stdout.write(`\n--- ${label} files with Node ${node.version} (ran beside the others) ---\n${readFileSync(log, 'utf8')}`);
    done({ label, code: code ?? 1, tap, ms: Date.now() - t, files: partFiles.length });
  }));
}
let groupNodes = null;
const onceFiles = files.filter((f) => groups.some((g) => g.once && base(f) === g.file));
// What the secret-handling tests print is collected afresh for each run's last test to search.
rmSync(streams, { recursive: true, force: true });
rmSync(oracleRuns, { recursive: true, force: true });
const early = runPart(nodes[0], 'serverless', partsOf(0).serverless, { concurrency: 2, toConsole: false });
const started = await Promise.allSettled([...servers.map((s) => harness.start(s)), ...groups.map((g) => harness.startCluster(g))]);
const failed = started.filter((r) => r.status === 'rejected');
groupNodes = started.slice(servers.length).map((r) => (r.status === 'fulfilled' ? r.value : null));
const stopGroups = () => {
  groups.forEach((g, i) => {
    harness.stopCluster(groupNodes[i] ?? Array.from({ length: g.size }, (_, n) => harness.describeClusterNode(n, g)));
  });
};
if (failed.length) {
  for (const f of failed) process.stderr.write(`test setup: ${f.reason?.message ?? f.reason}\n`);
  started.slice(0, servers.length).forEach((r, i) => { if (r.status === 'fulfilled') harness.stop(servers[i]); });
  stopGroups();
  for (const child of children) child.kill();
  process.exit(1);
}
const summary = [`set-up ${secs(tSetup - t0)} (the linter ${secs(lintMs)}), installing servers ${secs(tStart - tSetup)}, starting them ${secs(Date.now() - tStart)} (`
  + servers.map((s) => `${s.release} on ${s.url} in ${(s.startMs / 1000).toFixed(1)} s`).join(', ')
  + groups.map((g, i) => `, ${g.size} ${g.release} ${g.name} nodes in ${(groupNodes[i].startMs / 1000).toFixed(1)} s`).join('') + ')'];
process.stderr.write(`test setup: ${summary[0]}\n`);

const codes = [];
const totals = { pass: 0, fail: 0, skipped: 0, todo: 0 };
/** The closing counts of a TAP file (`# pass N`...); a run that wrote none counts as one failure. */
function tapCounts(file) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const count = (k) => Number(text.match(new RegExp(`^# ${k} (\\d+)$`, 'm'))?.[1] ?? NaN);
  const c = { pass: count('pass'), fail: count('fail'), skipped: count('skipped'), todo: count('todo') };
  return Object.values(c).some(Number.isNaN) ? { pass: 0, fail: 1, skipped: 0, todo: 0 } : c;
}
/**
 * The failed tests of a TAP file, each as a few lines: its name and place, then the start of its
 * error. The summary ends with them, so that the tail of a long run's output says why it failed.
 */
function tapFailures(file, most = 10, lines = 12) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const out = [];
  const tap = text.split('\n');
  let shown = 0;
  for (let i = 0; i < tap.length && shown < most; i++) {
    const m = tap[i].match(/^(\s*)not ok \d+ - (.*)$/);
    if (!m) continue;
    const indent = m[1].length;
    // Its YAML block: the lines indented deeper than the test line, up to its closing '...'.
    const block = [];
    for (let j = i + 1; j < tap.length && tap[j].trim() !== '...' && (tap[j].trim() === '' || tap[j].search(/\S/) > indent); j++) block.push(tap[j]);
    if (block.some((l) => l.trim() === "failureType: 'subtestsFailed'")) continue; // a suite: its tests say why
    const at = block.find((l) => l.trim().startsWith('location:'))?.trim().slice(10).replace(/^'|'$/g, '') ?? '';
    const e = block.findIndex((l) => /^\s*error: /.test(l));
    const errorIndent = e < 0 ? 0 : block[e].search(/\S/);
    const error = [];
    if (e >= 0 && !/\|-?$/.test(block[e])) error.push(block[e].trim().slice(7));
    for (let j = e + 1; e >= 0 && j < block.length && block[j].search(/\S/) !== errorIndent; j++) error.push(block[j].trim());
    shown++;
    out.push(`  failed: ${m[2]}${at ? ` (${at.replace(`file://${root}/`, '').replace(`${root}/`, '')})` : ''}`,
      ...error.slice(0, lines).map((l) => `    ${l.slice(0, 200)}`), ...(error.length > lines ? ['    ...'] : []));
  }
  return out;
}
try {
  for (const [n, node] of nodes.entries()) {
    const parts = partsOf(n);
    if (n > 0 && parts.count < files.length) summary.push(`Node ${node.version}: runs ${parts.count} of ${files.length} files, those whose behaviour can differ by Node version (NODE_VERSION_FILES in test/run.mjs)`);
    if (!parts.count) continue;
    process.stderr.write(`\n=== tests with Node ${node.version} (${node.bin}) ===\n`);
    const t = Date.now();
    if (n > 0) rmSync(streams, { recursive: true, force: true });
    const besides = n === 0 ? early : runPart(node, 'serverless', parts.serverless, { concurrency: 2, toConsole: false });
    const done = await Promise.all([besides, runPart(node, 'live', parts.live)]);
    done.push(await runPart(node, 'last', parts.last));
    const ran = done.filter((d) => d.files);
    const code = ran.find((d) => d.code !== 0)?.code ?? 0;
    codes.push(code);
    const counts = { pass: 0, fail: 0, skipped: 0, todo: 0 };
    for (const d of ran) for (const [k, v] of Object.entries(tapCounts(d.tap))) counts[k] += v;
    for (const k of Object.keys(totals)) totals[k] += counts[k];
    summary.push(`Node ${node.version}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${secs(Date.now() - t)}: `
      + `${counts.pass} passed, ${counts.fail} failed, ${counts.skipped} skipped, ${counts.todo} todo `
      + `(${ran.map((d) => `${d.label}: ${d.files} files in ${secs(d.ms)}`).join(', ')})`);
    for (const d of ran) if (tapCounts(d.tap).fail) summary.push(...tapFailures(d.tap));
  }
} finally {
  for (const s of servers) harness.stop(s);
  stopGroups();
}
if (nodes.length < 2) summary.push('Node 24: NOT RUN (ECTL_TEST_ONE_NODE is set)');
summary.push(`total ${secs(Date.now() - t0)}`);
process.stderr.write(`\n=== npm test summary ===\n${summary.join('\n')}\n`);
// One plain closing line over every run (todo tests are known failures, counted as skipped here).
// A run that exited non-zero with no failed test (a crash) still counts as a failure.
const failedTests = Math.max(totals.fail, codes.filter((c) => c !== 0).length);
process.stdout.write(`${totals.pass} passed, ${failedTests} failed, ${totals.skipped + totals.todo} skipped\n`);
process.exit(codes.some((c) => c !== 0) ? 1 : 0);
