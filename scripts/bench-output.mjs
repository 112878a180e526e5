// Benchmark of ectl's output formats on large results (not a test: it prints figures).
// Formats a synthetic 100,000-account `registered_users` reply and a 10,000-session
// `connected_users_info` reply in every -o format, each in fresh processes: parse and format
// times (median of 3 runs), peak RSS, and the memory held: the largest live heap (after a full
// GC at every output chunk) above what the process held before the reply existed.
//
//   npm run build && node scripts/bench-output.mjs [--markdown]
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const FORMATS = ['text', 'table', 'json', 'yaml', 'csv', 'tsv'];

const DATASETS = {
  registered_users: {
    label: 'registered_users, 100,000 accounts',
    // As ejabberd 23.01 sends it: a JSON array of account names.
    body: () => JSON.stringify(Array.from({ length: 100_000 }, (_, i) => `user${String(i).padStart(6, '0')}`)),
  },
  connected_users_info: {
    label: 'connected_users_info, 10,000 sessions',
    body: () => JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({
      jid: `user${String(i).padStart(5, '0')}@example.com/res-${i % 7}`, connection: 'c2s_tls', ip: `::ffff:10.0.${(i >> 8) & 255}.${i & 255}`,
      port: 40_000 + (i % 20_000), priority: i % 3 === 0 ? -1 : 5, node: 'ejabberd@xmpp1.example.com', uptime: (i * 37) % 86_400,
      status: ['available', 'away', 'dnd', 'xa', 'chat'][i % 5], resource: `res-${i % 7}`, statustext: i % 4 === 0 ? '' : `Status text number ${i}, "quoted"`,
    }))),
  },
};

/**
 * One case in this process. 'time' mode: parse and format times, peak RSS. 'memory' mode (with
 * --expose-gc): the live heap after a full GC at every chunk, above what the process held before
 * the reply existed: the parsed reply and whatever formatting keeps.
 */
async function child(dataset, format, mode) {
  const { commands } = await import('../dist/catalogue/commands.js');
  const { normaliseResult } = await import('../dist/client/normalise.js');
  const { printers } = await import('../dist/cli/output.js');
  const spec = commands.find((c) => c.name === dataset);
  const gc = mode === 'memory' ? globalThis.gc : () => {};
  gc();
  const baseHeap = process.memoryUsage().heapUsed;
  let peakHeap = baseHeap;
  const sample = () => { gc(); peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed); };
  let body = DATASETS[dataset].body(); // the HTTP reply's text, as undici hands it over
  const responseBytes = Buffer.byteLength(body);
  const t0 = process.hrtime.bigint();
  const value = normaliseResult(spec, JSON.parse(body));
  const t1 = process.hrtime.bigint();
  body = null; // as in the CLI, the reply's text is garbage once parsed
  sample();
  // What the CLI passes on a terminal (colour, 120 columns, indented JSON), the heaviest case.
  const options = { color: true, width: 120, pretty: true };
  const sink = openSync('/dev/null', 'w');
  let outputBytes = 0;
  let chunks = 0;
  for (const chunk of await printers[format](spec, value, options)) {
    writeSync(sink, chunk);
    outputBytes += Buffer.byteLength(chunk);
    chunks += 1;
    if (mode === 'memory') sample();
  }
  const t2 = process.hrtime.bigint();
  closeSync(sink);
  process.stdout.write(JSON.stringify({
    responseBytes, outputBytes, chunks, parseMs: Number(t1 - t0) / 1e6, formatMs: Number(t2 - t1) / 1e6,
    heldMB: (peakHeap - baseHeap) / 2 ** 20, peakRssMB: process.resourceUsage().maxRSS / 1024,
  }));
}

const RUNS = 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Each case RUNS times in a fresh process for the median times, once more for the memory held. */
function measure(dataset, format) {
  const run = (mode) => {
    const r = spawnSync(process.execPath, ['--expose-gc', here, '--child', dataset, format, mode], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${dataset} ${format}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const runs = Array.from({ length: RUNS }, () => run('time'));
  const memory = run('memory');
  return {
    responseBytes: runs[0].responseBytes, outputBytes: runs[0].outputBytes, chunks: runs[0].chunks,
    parseMs: median(runs.map((r) => r.parseMs)), formatMs: median(runs.map((r) => r.formatMs)),
    peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)), heldMB: memory.heldMB,
  };
}

function parent(markdown) {
  const rows = [];
  for (const dataset of Object.keys(DATASETS)) {
    for (const format of FORMATS) rows.push({ dataset, format, ...measure(dataset, format) });
  }
  const mb = (n) => n.toFixed(1);
  const cpu = cpus();
  process.stdout.write(`Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB\n\n`);
  const header = ['result', 'format', 'reply MB', 'output MB', 'parse ms', 'format ms', 'held MB', 'held / reply', 'peak RSS MB'];
  const lines = rows.map((r) => [DATASETS[r.dataset].label, r.format, mb(r.responseBytes / 2 ** 20), mb(r.outputBytes / 2 ** 20),
    r.parseMs.toFixed(0), r.formatMs.toFixed(0), mb(r.heldMB), `${(r.heldMB / (r.responseBytes / 2 ** 20)).toFixed(1)}×`, mb(r.peakRssMB)]);
  if (markdown) {
    process.stdout.write(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n`);
    for (const l of lines) process.stdout.write(`| ${l.join(' | ')} |\n`);
  } else {
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    for (const l of [header, ...lines]) process.stdout.write(`${l.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}\n`);
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], process.argv[5]);
else parent(process.argv.includes('--markdown'));
