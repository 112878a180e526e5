// `npm run quickstart`: installs the npm packages and Debian's ejabberd when missing, builds
// ectl when its sources changed, and starts a local ejabberd on loopback (API on port 5280)
// with an admin account, then runs ectl against it. Running it again keeps the node, its
// accounts and rooms; `-- reset` wipes them and starts afresh; `-- stop` stops the node.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, chmodSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) process.exit(r.status || 1);
};

const action = process.argv[2] ?? 'start';
if (!['start', 'stop', 'reset'].includes(action) || process.argv.length > 3) {
  process.stderr.write('usage: npm run quickstart [-- stop | -- reset]\n  (none)  start the local ejabberd, keeping the accounts and rooms of an earlier run\n  stop    stop it (its data stays)\n  reset   wipe its data and start it afresh\n');
  process.exit(2);
}

// A node of its own, apart from the ones the tests start and stop; its spool under /var/tmp
// survives a reboot (the ejabberd user must be able to reach it, so not under /root).
process.env.ECTL_TEST_NODE ??= 'ectlquick@localhost';
process.env.ECTL_TEST_DIR ??= '/var/tmp/ectl-quickstart';
process.env.ECTL_TEST_HTTP_PORT ??= '5280';
process.env.ECTL_TEST_HTTPS_PORT ??= '5443';
process.env.ECTL_TEST_C2S_PORT ??= '5222';
const dir = process.env.ECTL_TEST_DIR;
const pwFile = join(dir, 'admin.pw');
// The admin's password of an earlier run goes on with its accounts; a reset makes a new one.
const earlierPassword = action === 'start' && existsSync(pwFile) ? readFileSync(pwFile, 'utf8').trim() : undefined;
process.env.ECTL_TEST_ADMIN_PASSWORD ??= earlierPassword || randomBytes(12).toString('base64url');
const harness = await import('../test/server/ejabberd-server.mjs');
// The virtual hosts of the harness's config, as its template lists them.
const HOSTS = [.../^hosts:\n((?: +- .+\n)+)/m.exec(readFileSync(join(root, 'test', 'server', 'ejabberd.yml.tmpl'), 'utf8'))[1].matchAll(/- (\S+)/g)].map((m) => m[1]);
const s = harness.server;

if (action === 'stop') {
  if (existsSync(join(s.hostDir, 'ejabberd.yml')) && harness.isRunning(s)) {
    harness.stop(s);
    process.stdout.write(`Stopped the quickstart ejabberd (node ${s.node}, API on ${s.url}).\n`
      + `Its accounts and rooms stay in ${dir}: \`npm run quickstart\` starts it again with them, \`npm run quickstart -- reset\` wipes them.\n`);
  } else process.stdout.write(`No quickstart ejabberd was running (node ${s.node}); nothing stopped.\n`);
  process.exit(0);
}

// Without scripts: the package's prepare would build, and the build comes next anyway.
if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund']);
if (needsBuild()) run('npm', ['run', '--silent', 'build']);
const server = await harness.start(s, { keep: action === 'start' });

writeFileSync(pwFile, `${server.adminPassword}\n`);
chmodSync(pwFile, 0o600);
const env = { ...process.env, ECTL_URL: server.url, ECTL_USER: server.admin, ECTL_PASSWORD_FILE: pwFile };
// A short status: the node, and how many accounts each host has (not the accounts themselves).
for (const args of [['status'], ...HOSTS.map((h) => ['stats_host', 'registeredusers', h])]) {
  process.stdout.write(`\n$ ectl ${args.join(' ')}\n`);
  run(process.execPath, [join(root, 'bin', 'ectl'), ...args], { env });
}
const state = {
  running: `It was already running: nothing was restarted, its accounts and rooms are as they were.`,
  spool: `It runs on the data of the earlier run (${dir}): accounts and rooms are kept.`,
  undefined: action === 'reset' ? `Its data was wiped: a fresh spool in ${dir} with only the admin account.` : `A fresh spool in ${dir} with only the admin account.`,
}[server.kept];
const onPath = whichEctl();
const [ctlCommand, ctlArgs] = harness.ejabberdctlArgs(['status'], s);
const ejabberdctlLine = [ctlCommand, ...ctlArgs].map(shellWord).join(' ');
process.stdout.write(`
ejabberd (node ${server.node}) is running on loopback: its API on ${server.url}, XMPP clients
on 127.0.0.1:${s.c2sPort} (C2S) and HTTPS on ${s.httpsUrl}. It serves the hosts ${HOSTS.join(' and ')}
(put one of them where examples say example.com).
${state}
Point ectl at it from this shell with:

  export ECTL_URL=${server.url} ECTL_USER=${server.admin} ECTL_PASSWORD_FILE=${pwFile}
  ectl register bob localhost         # asks for bob's password, not shown
  echo "$PW" | ectl register ann localhost @-   # from a pipe or a script

${onPath ? `ectl is on your PATH (${onPath}).` : `ectl is not on your PATH yet: run \`npm link\` (or \`npm install -g .\`) in ${root}
to have it there; until then type ${join(root, 'bin', 'ectl')} instead of ectl.`}

Its own ejabberdctl reaches it with (any command in place of status):

  ${ejabberdctlLine}

Stop it with \`npm run quickstart -- stop\` (the data stays); \`npm run quickstart -- reset\` wipes it.
`);

/** A word as a POSIX shell reads it back: bare when it is plain, else in single quotes. */
function shellWord(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** Whether dist/ is older than a source of the bundle (or missing): re-running then skips the build. */
function needsBuild() {
  const bundle = join(root, 'dist', 'ectl.cjs');
  if (!existsSync(bundle)) return true;
  const built = statSync(bundle).mtimeMs;
  const newer = (p) => {
    const st = statSync(p);
    if (st.isDirectory()) return readdirSync(p).some((name) => newer(join(p, name)));
    return st.mtimeMs > built;
  };
  return ['src', 'package.json', 'package-lock.json', 'scripts/bundle.mjs', 'tsconfig.json'].some((p) => newer(join(root, p)));
}

/** The `ectl` the shell would run, if any. */
function whichEctl() {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(d || '.', 'ectl');
    try {
      if (statSync(p).isFile() && (statSync(p).mode & 0o111)) return p;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
