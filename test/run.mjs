// `npm test`: installs what is missing (npm packages, Debian's ejabberd, groff, man, zsh, fish,
// bash-completion), builds, starts ectl's own ejabberd test node on loopback, runs every test
// with node's test runner, stops the node.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
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

// What the man page and completion tests run, from Debian packages when missing.
const TOOLS = [['groff', 'groff-base'], ['man', 'man-db'], ['zsh', 'zsh'], ['fish', 'fish'],
  ['/usr/share/bash-completion/bash_completion', 'bash-completion']];
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

const harness = await import('./server/ejabberd-server.mjs');
harness.ensureInstalled();
await harness.start();
let code = 1;
try {
  const only = process.argv.slice(2);
  // What the secret-handling tests print is collected afresh for the last test to search.
  rmSync(join(root, 'test', '.tmp', 'streams'), { recursive: true, force: true });
  const files = only.length ? only : readdirSync(join(root, 'test')).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join('test', f));
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
    cwd: root, stdio: 'inherit', env: { ...process.env, ...harness.serverEnv() },
  });
  code = r.status ?? 1;
} finally {
  harness.stop();
}
process.exit(code);
