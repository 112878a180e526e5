// Bundles the CLI for start-up time: dist/ectl.cjs holds what one command needs (arguments,
// settings, the catalogue, one request over node:http, text output), and every part only some
// command lines need (help, completion, batch and undici, doctor, login, tables, YAML, JSON,
// colour...) is a chunk in dist/chunks/, loaded when first used. bin/ectl compiles each file
// through V8's code cache.
//   node scripts/bundle.mjs                  dist/ectl.cjs and dist/chunks/, and a code cache for this Node
//   node scripts/bundle.mjs --single FILE    the same modules in one self-contained file (chunks inline)
// How: esbuild splits an ESM build at every dynamic import(); each output file is then turned
// into CommonJS (import() becomes require()) and given to a small module table in the entry
// file, so that a chunk's modules exist once whichever file loaded them.
import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const singleAt = process.argv.indexOf('--single');
const singleFile = singleAt > 0 ? resolve(process.argv[singleAt + 1]) : undefined;

// Modules that only some paths need are loaded when first used, not at start.
// commander needs child_process only for external subcommands (ectl has none); undici needs
// its HTTP/2 client (and node:http2) only for h2 connections (ectl speaks HTTP/1.1).
const lazyModules = {
  name: 'lazy-modules',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) => (args.namespace === 'lazy' ? undefined : { path: 'node:child_process', namespace: 'lazy' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      contents: `let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require(${JSON.stringify(args.path)}))[k] });`,
      loader: 'js',
    }));
    b.onResolve({ filter: /^\.\/client-h2\.js$/ }, (args) => {
      if (!args.importer.endsWith('/undici/lib/dispatcher/client.js')) return undefined;
      const real = fileURLToPath(new URL('client-h2.js', pathToFileURL(args.importer)));
      return { path: real, namespace: 'lazy-h2' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-h2' }, (args) => ({
      contents: `module.exports = function connectH2(...a) { return require(${JSON.stringify(args.path)})(...a); };`,
      loader: 'js',
      resolveDir: '/',
    }));
  },
};

// The catalogue (over 200 KiB of JSON) stays out of the code: each command's entry is a file of
// its own in dist/catalogue-data/, read when that command is used, and _all.json (a name no
// command has) holds them all for help, completion and suggestions. With --single it is inline.
const catalogue = await import(pathToFileURL(join(root, 'dist', 'catalogue', 'commands.js')).href);
const catalogueFromFiles = {
  name: 'catalogue-from-files',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]catalogue[\\/]commands\.ts$/ }, () => ({
      loader: 'js',
      contents: `import { readFileSync } from 'node:fs';
export const releases = ${JSON.stringify(catalogue.releases)};
const dir = new URL('../catalogue-data/', import.meta.url);
// The names of the commands: a word is looked up here, and only a known name becomes a file name.
const NAMES = new Set(${JSON.stringify(catalogue.allEntries().map((e) => e.name))});
const byName = new Map();
const read = (file) => JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
export function entryNamed(name) {
  if (!NAMES.has(name)) return undefined;
  if (!byName.has(name)) byName.set(name, read(name + '.json'));
  return byName.get(name);
}
let all;
export function allEntries() {
  return (all ??= read('_all.json').map((e) => byName.get(e.name) ?? (byName.set(e.name, e), e)));
}
`,
    }));
  },
};

const split = await build({
  absWorkingDir: root,
  entryPoints: { entry: 'src/cli/entry.ts' },
  outdir: '/chunks', // in memory only
  write: false,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  chunkNames: '[name]-[hash]',
  entryNames: '[name]',
  metafile: true,
  // Modules of src/cli find files relative to themselves: the module table gives each file the
  // URL of dist/cli/main.js for import.meta.url.
  define: { __ECTL_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__ectlModuleUrl' },
  plugins: singleFile ? [lazyModules] : [lazyModules, catalogueFromFiles],
  logLevel: 'warning',
});

// Each output file as the body of a CommonJS module function; `import()` becomes require().
const bodies = new Map();
for (const file of split.outputFiles) {
  const { code } = await transform(file.text, { format: 'cjs', platform: 'node', target: 'node20', minify: true, supported: { 'dynamic-import': false }, legalComments: 'none' });
  bodies.set(basename(file.path), code);
}
// import() of a CommonJS package (yaml) is a chunk that exports only `default` (the split build
// is ESM): as Node's import() of it, its exports are the package's own, named.
for (const [path, out] of Object.entries(split.metafile.outputs)) {
  // (node_modules may be a link to another checkout's: '../main/node_modules/...')
  if (/(^|\/)node_modules\//.test(out.entryPoint ?? '') && out.exports.length === 1 && out.exports[0] === 'default') {
    bodies.set(basename(path), `${bodies.get(basename(path))}\nmodule.exports=module.exports.default;`);
  }
}

// The files one command loads at start: the entry and what it imports statically, transitively.
const outputs = Object.fromEntries(Object.entries(split.metafile.outputs).map(([k, v]) => [basename(k), v]));
const core = new Set();
const visit = (name) => {
  if (core.has(name)) return;
  core.add(name);
  for (const i of outputs[name].imports) if (i.kind === 'import-statement' && !i.external) visit(basename(i.path));
};
visit('entry.js');

const PARAMS = 'exports,require,module,__filename,__dirname,__ectlModuleUrl';
/**
 * A file of dist/ as V8 compiles it: the module function itself, so that bin/ectl hands V8 the
 * text as read. Wrapping it at run time would copy the whole text once more on the heap, and
 * that copy alone brought a short command to its first garbage collection.
 */
const asFunction = (code) => `(function(${PARAMS}){${code}\n})`;
/** The module table and loader around the inline modules (all of them with --single). */
function entryFile(inline) {
  const defs = [...inline].map((name) => `${JSON.stringify(name)}:function(${PARAMS}){${bodies.get(name)}\n}`).join(',\n');
  return `'use strict';
// Module table of ectl's bundle (scripts/bundle.mjs): modules by file name; a module not inline is dist/chunks/<name>.cjs.
var __ectlDefs={${defs}};
var __ectlMods={},__ectlPath=require('node:path');
var __ectlUrl=require('node:url').pathToFileURL(__ectlPath.join(__dirname,'cli','main.js')).href;
// bin/ectl passes a compiler that uses V8's code cache; without it, Node's own.
var __ectlCompile=module.ectlCompile||function(file){return require('node:vm').runInThisContext(require('node:fs').readFileSync(file,'utf8'),{filename:file});};
function __ectlRequire(id){
  if(!id.startsWith('./'))return require(id);
  var name=id.slice(2),m=__ectlMods[name];
  if(m)return m.exports;
  m=__ectlMods[name]={exports:{}};
  var file=__ectlPath.join(__dirname,'chunks',name.replace(/\\.js$/,'.cjs'));
  var fn=__ectlDefs[name]||__ectlCompile(file);
  fn.call(m.exports,m.exports,__ectlRequire,m,file,__ectlPath.dirname(file),__ectlUrl);
  return m.exports;
}
module.exports=__ectlRequire('./entry.js');
`;
}

if (singleFile) {
  mkdirSync(dirname(singleFile), { recursive: true });
  writeFileSync(singleFile, entryFile(bodies.keys()));
  process.stdout.write(`wrote ${singleFile} (${bodies.size} modules inline)\n`);
  process.exit(0);
}

// dist/ectl.cjs starts with a line naming its content's hash: bin/ectl keys its code cache by it.
const dist = join(root, 'dist');
rmSync(join(dist, 'chunks'), { recursive: true, force: true });
rmSync(join(dist, 'catalogue-data'), { recursive: true, force: true });
mkdirSync(join(dist, 'catalogue-data'));
const entries = catalogue.allEntries();
for (const e of entries) writeFileSync(join(dist, 'catalogue-data', `${e.name}.json`), JSON.stringify(e));
writeFileSync(join(dist, 'catalogue-data', '_all.json'), JSON.stringify(entries));
rmSync(join(dist, 'code-cache'), { recursive: true, force: true });
rmSync(join(dist, 'ectl.cjs.cache'), { force: true });
mkdirSync(join(dist, 'chunks'), { recursive: true });
for (const [name, code] of bodies) if (!core.has(name)) writeFileSync(join(dist, 'chunks', name.replace(/\.js$/, '.cjs')), asFunction(code));
const body = entryFile(core);
const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
writeFileSync(join(dist, 'ectl.cjs'), `// ectl-bundle ${hash}\n${asFunction(body)}`);

// V8's code cache for this Node, made now by one call against a local stand-in server, so that
// it holds the code of a whole command and a copy run by this Node need not write its own.
// bin/ectl writes it into XDG_CACHE_HOME; here that is a scratch directory, moved into dist/.
const scratch = mkdtempSync(join(tmpdir(), 'ectl-bundle-'));
try {
  const standIn = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('"The node ectl@localhost is started. Status: startedejabberd 0 is running in that node"');
    });
  });
  await new Promise((ok) => standIn.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${standIn.address().port}/api`;
  await new Promise((ok, fail) => {
    execFile(join(root, 'bin', 'ectl'), ['--url', url, '--release', '23.01', 'status'], {
      env: { PATH: process.env.PATH, HOME: '/nonexistent', XDG_CACHE_HOME: scratch },
    }, (err) => (err ? fail(err) : ok()));
  });
  standIn.close();
  const made = join(scratch, 'ectl', 'code-cache');
  for (const version of readdirSync(made)) {
    mkdirSync(join(dist, 'code-cache'), { recursive: true });
    renameSync(join(made, version), join(dist, 'code-cache', version));
    // Readable by whoever runs an installed copy (bin/ectl writes a user's own 0600).
    chmodSync(join(dist, 'code-cache', version), 0o755);
    for (const f of readdirSync(join(dist, 'code-cache', version))) chmodSync(join(dist, 'code-cache', version, f), 0o644);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
