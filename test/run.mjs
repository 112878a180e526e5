// `npm test`: installs what is missing (npm packages, Debian's ejabberd), builds, starts ectl's
// own ejabberd test node on loopback, runs every test with node's test runner, stops the node.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    process.stderr.write(`test setup: ${cmd} ${args.join(' ')} failed (exit ${r.status})\n`);
    process.exit(r.status || 1);
  }
};

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) run('npm', ['ci', '--no-audit', '--no-fund']);
run('npm', ['run', '--silent', 'build']);

const harness = await import('./server/ejabberd-server.mjs');
harness.ensureInstalled();
await harness.start();
let code = 1;
try {
  const only = process.argv.slice(2);
  const files = only.length ? only : readdirSync(join(root, 'test')).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join('test', f));
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
    cwd: root, stdio: 'inherit', env: { ...process.env, ...harness.serverEnv() },
  });
  code = r.status ?? 1;
} finally {
  harness.stop();
}
process.exit(code);
