// `npm run exe`: one executable, dist/ectl-linux-x64, that runs with no Node installed. It is a
// copy of the running Node with ectl injected as a single executable application (SEA): a
// self-contained bundle of its own (every module inside: an SEA's require loads only Node's
// built-in modules), V8's code cache for it, and postject to put the blob into the copy.
// Node 20 and 24 make the blob with --experimental-sea-config; a Node that has --build-sea
// writes the executable itself.
// Usage: node scripts/exe.mjs [--out FILE]
import { execFile, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const outAt = process.argv.indexOf('--out');
const out = resolve(root, outAt > 0 ? process.argv[outAt + 1] : `dist/ectl-${process.platform}-${process.arch}`);

const fail = (message) => {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(1);
};
let sea;
try {
  sea = await import('node:sea');
} catch {}
if (!sea?.isSea) fail(`Node ${process.version} has no single executable application support (Node 20.12 or later has)`);
if (!readFileSync(process.execPath).includes(FUSE)) fail(`${process.execPath} was built without single executable application support`);

const work = mkdtempSync(join(tmpdir(), 'ectl-exe-'));
const tmpOut = `${out}.${process.pid}`;
try {
  const bundle = join(work, 'ectl.cjs');
  // The build's own bundler writes every module of dist/ectl.cjs and its chunks into one file.
  run(process.execPath, [join(root, 'scripts', 'bundle.mjs'), '--single', bundle]);
  // V8's code cache of the bundle, made by one call against a stand-in server (as for
  // dist/ectl.cjs.cache) so that it holds a whole command's functions, not only the top level
  // that the SEA's own useCodeCache compiles. The executable's Node is this Node: it accepts it.
  const warm = join(work, 'warm.cjs');
  writeFileSync(warm, loader(`const fs = require('node:fs');
const source = fs.readFileSync(process.argv[2], 'utf8');
const cachedData = undefined;
const args = process.argv.slice(4);
process.once('exit', () => fs.writeFileSync(process.argv[3], script.createCachedData()));`));
  await warmUp(warm, bundle, `${bundle}.cache`);
  const main = join(work, 'ectl-sea.cjs');
  writeFileSync(main, loader(`const sea = require('node:sea');
const source = sea.getAsset('ectl.cjs', 'utf8');
const cachedData = Buffer.from(sea.getAsset('ectl.cjs.cache'));
const args = process.argv.slice(2);`));
  const config = {
    main, output: join(work, 'ectl.blob'), disableExperimentalSEAWarning: true,
    assets: { 'ectl.cjs': bundle, 'ectl.cjs.cache': `${bundle}.cache` },
  };
  const help = spawnSync(process.execPath, ['--help'], { encoding: 'utf8' }).stdout ?? '';
  if (help.includes('--build-sea')) {
    writeFileSync(join(work, 'sea.json'), JSON.stringify({ ...config, executable: process.execPath, output: tmpOut }));
    run(process.execPath, ['--build-sea', join(work, 'sea.json')]);
  } else {
    writeFileSync(join(work, 'sea.json'), JSON.stringify(config));
    run(process.execPath, ['--experimental-sea-config', join(work, 'sea.json')]);
    copyFileSync(process.execPath, tmpOut);
    chmodSync(tmpOut, 0o755);
    // Node's symbols and debugging sections are of no use to ectl's users (about 12 MB).
    if (spawnSync('strip', ['--version']).status === 0) run('strip', [tmpOut]);
    // Its command line rather than its API: the ELF library inside warns about those notes too.
    const postject = join(dirname(createRequire(import.meta.url).resolve('postject')), 'cli.js');
    run(process.execPath, [postject, tmpOut, 'NODE_SEA_BLOB', config.output, '--sentinel-fuse', FUSE]);
  }
  renameSync(tmpOut, out);
  process.stdout.write(`wrote ${out} (${(readFileSync(out).length / 1e6).toFixed(1)} MB, Node ${process.version})\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(tmpOut, { force: true });
}

/**
 * The script that runs the bundle through V8's code cache (bin/ectl does the same with
 * dist/ectl.cjs); `load` defines source, cachedData and args.
 */
function loader(load) {
  return `'use strict';
const { Script } = require('node:vm');
${load}
// undici (batch) parses HTTP in WebAssembly, which V8's baseline compiler handles far sooner than
// its optimising one for a batch's replies; only then, as bin/ectl does (the flag costs the others).
if (args.includes('batch')) require('node:v8').setFlagsFromString('--liftoff-only');
const script = new Script('(function (exports, require, module, __filename, __dirname) {' + source + '\\n})', { filename: 'ectl.cjs', cachedData });
if (process.env.ECTL_EXE_DEBUG) process.stderr.write('code cache ' + (cachedData ? (script.cachedDataRejected ? 'rejected' : 'accepted') : 'none') + '\\n');
const mod = { exports: {} };
script.runInThisContext()(mod.exports, require, mod, process.execPath, require('node:path').dirname(process.execPath));
mod.exports.run(args);
`;
}

/** Runs `ectl status` from the bundle against a local stand-in server, writing the code cache. */
async function warmUp(script, bundle, cacheFile) {
  const standIn = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('"The node ectl@localhost is started. Status: startedejabberd 0 is running in that node"');
    });
  });
  await new Promise((resolve) => standIn.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${standIn.address().port}/api`;
    const r = await new Promise((resolve) => execFile(process.execPath, [script, bundle, cacheFile, '--url', url, 'status'],
      { env: { PATH: process.env.PATH, HOME: '/nonexistent' } }, (error, stdout, stderr) => resolve({ error, stderr })));
    if (r.error) fail(`the code cache run failed: ${r.error.message}\n${r.stderr}`);
  } finally {
    standIn.close();
  }
}

/** Runs a step quietly (strip warns about Node's many ELF notes); its output is shown when it fails. */
function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${r.status})\n${r.stdout ?? ''}${r.stderr ?? ''}`);
}
