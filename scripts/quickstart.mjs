// `npm run quickstart`: installs the npm packages and Debian's ejabberd when missing, builds
// ectl, starts a local ejabberd on loopback (API on port 5280) with an admin account, and
// runs ectl against it.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) process.exit(r.status || 1);
};

// A node of its own, apart from the one the tests start and stop.
process.env.ECTL_TEST_NODE ??= 'ectlquick@localhost';
process.env.ECTL_TEST_DIR ??= '/tmp/ectl-quickstart';
process.env.ECTL_TEST_HTTP_PORT ??= '5280';
process.env.ECTL_TEST_HTTPS_PORT ??= '5443';
process.env.ECTL_TEST_C2S_PORT ??= '5222';
process.env.ECTL_TEST_ADMIN_PASSWORD ??= randomBytes(12).toString('base64url');
const harness = await import('../test/server/ejabberd-server.mjs');
if (process.argv[2] === 'stop') {
  harness.stop();
  process.exit(0);
}
if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) run('npm', ['ci', '--no-audit', '--no-fund']);
run('npm', ['run', '--silent', 'build']);
const server = await harness.start();

const pwFile = join(server.dir, 'admin.pw');
writeFileSync(pwFile, `${server.adminPassword}\n`);
chmodSync(pwFile, 0o600);
const env = { ...process.env, ECTL_URL: server.url, ECTL_USER: server.admin, ECTL_PASSWORD_FILE: pwFile };
for (const args of [['status'], ['registered_users', 'localhost']]) {
  process.stdout.write(`\n$ ectl ${args.join(' ')}\n`);
  run(process.execPath, [join(root, 'bin', 'ectl'), ...args], { env });
}
process.stdout.write(`
ejabberd (node ${server.node}) is running with its API on ${server.url}.
Point ectl at it from this shell with:

  export ECTL_URL=${server.url} ECTL_USER=${server.admin} ECTL_PASSWORD_FILE=${pwFile}
  ./bin/ectl register bob localhost @-      # type the password, then Ctrl-D

Stop it with: npm run quickstart -- stop
`);
