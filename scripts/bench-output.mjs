// Benchmark of ectl's output formats on large results (not a test: it prints figures).
// Formats a synthetic 100,000-account `registered_users` reply and a 10,000-session
// `connected_users_info` reply in every -o format, each in a fresh process, and reports the
// time to parse the reply and to format it, and the peak memory above the process's baseline.
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

async function child(dataset, format) {
  const { commands } = await import('../dist/catalogue/commands.js');
  const { normaliseResult } = await import('../dist/client/normalise.js');
  const { printers } = await import('../dist/cli/output.js');
  const spec = commands.find((c) => c.name === dataset);
  const body = DATASETS[dataset].body(); // the HTTP reply's text, as undici hands it over
  globalThis.gc?.();
  const base = process.memoryUsage();
  let peakHeap = base.heapUsed;
  const sample = () => { peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed); };
  const t0 = process.hrtime.bigint();
  const value = normaliseResult(spec, JSON.parse(body));
  const t1 = process.hrtime.bigint();
  sample();
  // What the CLI passes on a terminal (colour, 120 columns, indented JSON), the heaviest case.
  const options = { color: true, width: 120, pretty: true };
  const sink = openSync('/dev/null', 'w');
  let bytes = 0;
  let chunks = 0;
  for (const chunk of await printers[format](spec, value, options)) {
    writeSync(sink, chunk);
    bytes += Buffer.byteLength(chunk);
    chunks += 1;
    sample();
  }
  const t2 = process.hrtime.bigint();
  closeSync(sink);
  sample();
  process.stdout.write(JSON.stringify({
    responseBytes: Buffer.byteLength(body), outputBytes: bytes, chunks,
    parseMs: Number(t1 - t0) / 1e6, formatMs: Number(t2 - t1) / 1e6,
    peakHeapAboveBaseMB: (peakHeap - base.heapUsed) / 2 ** 20,
    baseRssMB: base.rss / 2 ** 20, peakRssMB: process.resourceUsage().maxRSS / 1024,
  }));
}

function parent(markdown) {
  const rows = [];
  for (const dataset of Object.keys(DATASETS)) {
    for (const format of FORMATS) {
      const r = spawnSync(process.execPath, ['--expose-gc', here, '--child', dataset, format], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${dataset} ${format}: ${r.stderr}`);
      rows.push({ dataset, format, ...JSON.parse(r.stdout) });
    }
  }
  const mb = (n) => n.toFixed(1);
  const cpu = cpus();
  process.stdout.write(`Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB\n\n`);
  const header = ['result', 'format', 'reply MB', 'output MB', 'parse ms', 'format ms', 'peak heap +MB', 'peak RSS MB'];
  const lines = rows.map((r) => [DATASETS[r.dataset].label, r.format, mb(r.responseBytes / 2 ** 20), mb(r.outputBytes / 2 ** 20),
    r.parseMs.toFixed(0), r.formatMs.toFixed(0), mb(r.peakHeapAboveBaseMB), mb(r.peakRssMB)]);
  if (markdown) {
    process.stdout.write(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n`);
    for (const l of lines) process.stdout.write(`| ${l.join(' | ')} |\n`);
  } else {
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    for (const l of [header, ...lines]) process.stdout.write(`${l.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}\n`);
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else parent(process.argv.includes('--markdown'));
