// Bundles the CLI into one CommonJS file, dist/ectl.cjs, so that start-up reads and compiles
// one file; code only some commands need stays lazily evaluated inside it.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
await build({
  entryPoints: ['src/cli/entry.ts'],
  outfile: 'dist/ectl.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  external: ['typescript'], // cosmiconfig's loader for .ts config files, which ectl does not read
  legalComments: 'none',
  // Modules of src/cli find files relative to themselves: resolve as if from dist/cli/.
  define: { __ECTL_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__ectlModuleUrl' },
  banner: { js: 'var __ectlModuleUrl=require("url").pathToFileURL(require("path").join(__dirname,"cli","main.js")).href;' },
  logLevel: 'warning',
});
