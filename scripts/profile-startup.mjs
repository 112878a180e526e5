// Where the start-up time of one command goes, by phase: CPU profiles (node --cpu-prof) of
// `ectl status` against the server of ECTL_URL/ECTL_USER/ECTL_PASSWORD, alternated with
// `node -e 0`, on each Node given, every sample attributed by the function and file it fell in.
// Prints a Markdown table: mean milliseconds per run (share of the run).
//   node scripts/profile-startup.mjs [--runs 12] [--ectl bin/ectl] [NODE_BINARY...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const take = (name, def) => {
  const i = args.indexOf(name);
  return i < 0 ? def : args.splice(i, 2)[1];
};
const RUNS = Number(take('--runs', 12));
const ECTL = take('--ectl', join(root, 'bin', 'ectl'));
const nodes = args.length ? args : [process.execPath];

function phase({ functionName: f, url: u }) {
  if (f === '(garbage collector)') return 'garbage collection';
  if (f === '(idle)') return 'waiting (the server, I/O)';
  if (['Script', 'compileFunction', 'runInThisContext', 'createCachedData', 'wrapSafe'].includes(f)) return "compiling ectl's code (code cache)";
  if (/^read|^tryRead|^open|^fstat|^lstat|^stat|existsSync|^close/.test(f)) return "reading ectl's files";
  if (['compileForInternalLoader', 'requireBuiltin', 'internalBinding'].includes(f)) return "loading Node's built-in modules (http, net, streams...)";
  if (/dist\/ectl\.cjs|dist\/chunks|bin\/ectl/.test(u)) return "running ectl's code (arguments, settings, commander, catalogue, output)";
  if (/bootstrap|pre_execution|run_main|internal\/process|internal\/options|internal\/main/.test(u) || f === '(program)' || f === 'reallyExit') return "Node's own start and exit";
  if (u.startsWith('node:')) return "Node's library at work (the request, streams, timers)";
  if (u.startsWith('wasm') || /wasm/i.test(f)) return "undici's WebAssembly parser";
  return 'other native work';
}

const dirs = nodes.flatMap((bin) => [[bin, ['-e', '0'], 'node -e 0'], [bin, [ECTL, 'status'], 'ectl status']]
  .map(([b, a, what]) => ({ bin: b, args: a, label: `${spawnSync(b, ['--version'], { encoding: 'utf8' }).stdout.trim()}: ${what}`, dir: mkdtempSync(join(tmpdir(), 'ectl-prof-')) })));
const loadStart = loadavg()[0];
for (const d of dirs) spawnSync(d.bin, d.args, { stdio: 'ignore' }); // code cache written, release detected
for (let i = 0; i < RUNS; i++) {
  for (const d of dirs) {
    const r = spawnSync(d.bin, ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', d.dir, ...d.args], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`${d.label} failed: ${r.stderr}`);
  }
}
const tables = dirs.map((d) => {
  const by = new Map();
  let total = 0;
  for (const f of readdirSync(d.dir)) {
    const p = JSON.parse(readFileSync(join(d.dir, f), 'utf8'));
    const nodesById = new Map(p.nodes.map((n) => [n.id, n]));
    p.samples.forEach((id, i) => {
      const k = phase(nodesById.get(id).callFrame);
      by.set(k, (by.get(k) ?? 0) + p.timeDeltas[i] / 1000 / RUNS);
      total += p.timeDeltas[i] / 1000 / RUNS;
    });
  }
  rmSync(d.dir, { recursive: true, force: true });
  return { label: d.label, by, total };
});
const phases = [...new Set(tables.flatMap((t) => [...t.by.keys()]))].sort((a, b) => (tables.at(-1).by.get(b) ?? 0) - (tables.at(-1).by.get(a) ?? 0));
process.stdout.write(`CPU profiles, ${RUNS} alternated runs each; load average ${loadStart.toFixed(2)} -> ${loadavg()[0].toFixed(2)}\n\n`);
process.stdout.write(`| phase | ${tables.map((t) => t.label).join(' | ')} |\n|---|${tables.map(() => '---|').join('')}\n`);
for (const k of phases) process.stdout.write(`| ${k} | ${tables.map((t) => `${(t.by.get(k) ?? 0).toFixed(1)} (${Math.round(((t.by.get(k) ?? 0) / t.total) * 100)}%)`).join(' | ')} |\n`);
process.stdout.write(`| total (ms per run) | ${tables.map((t) => t.total.toFixed(1)).join(' | ')} |\n`);
