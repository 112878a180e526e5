// Bundles the CLI into one CommonJS file, dist/ectl.cjs, so that start-up reads and compiles
// one file; code only some commands need stays lazily evaluated inside it.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Start-up time: modules that only some paths need are loaded when first used, not at start.
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
await build({
  entryPoints: ['src/cli/entry.ts'],
  outfile: 'dist/ectl.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  // Modules of src/cli find files relative to themselves: resolve as if from dist/cli/.
  define: { __ECTL_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__ectlModuleUrl' },
  banner: { js: 'var __ectlModuleUrl=require("url").pathToFileURL(require("path").join(__dirname,"cli","main.js")).href;' },
  plugins: [lazyModules],
  logLevel: 'warning',
});

// V8's code cache for the bundle (bin/ectl writes dist/ectl.cjs.cache when there is none): made
// now, by one call against a local stand-in server, so that it holds the code of a whole command
// (arguments, settings, undici, the reply, the output) and an installed copy need not write it.
rmSync('dist/ectl.cjs.cache', { force: true });
const standIn = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('"The node ectl@localhost is started. Status: startedejabberd 0 is running in that node"');
  });
});
await new Promise((resolve) => standIn.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${standIn.address().port}/api`;
await new Promise((resolve, reject) => {
  execFile(fileURLToPath(new URL('../bin/ectl', import.meta.url)), ['--url', url, 'status'], { env: { PATH: process.env.PATH, HOME: '/nonexistent' } }, (err) => (err ? reject(err) : resolve()));
});
standIn.close();
