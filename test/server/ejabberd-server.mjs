// Starts and stops ectl's own ejabberd test node on loopback: its own config,
// node name, spool and ports, never the system's ejabberd.
// Usage as a script: node test/server/ejabberd-server.mjs start|stop|env
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const EJABBERDCTL = '/usr/sbin/ejabberdctl';

export const server = {
  node: process.env.ECTL_TEST_NODE ?? 'ectltest@localhost',
  dir: process.env.ECTL_TEST_DIR ?? join(tmpdir(), 'ectl-test-ejabberd'),
  httpPort: Number(process.env.ECTL_TEST_HTTP_PORT ?? 15280),
  httpsPort: Number(process.env.ECTL_TEST_HTTPS_PORT ?? 15443),
  c2sPort: Number(process.env.ECTL_TEST_C2S_PORT ?? 15222),
  host: 'localhost',
  admin: 'admin@localhost',
  adminPassword: process.env.ECTL_TEST_ADMIN_PASSWORD ?? 'ectl-admin-pw-93f1',
};
server.url = `http://127.0.0.1:${server.httpPort}/api`;
server.httpsUrl = `https://127.0.0.1:${server.httpsPort}/api`;
server.caFile = join(server.dir, 'ca.pem');

const isRoot = process.getuid?.() === 0;

function sh(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  return { code: res.status ?? -1, stdout: res.stdout ?? '', stderr: res.stderr ?? '' };
}

function asRoot(cmd, args) {
  if (isRoot) return sh(cmd, args, { stdio: 'inherit' });
  return sh('sudo', ['-n', cmd, ...args], { stdio: 'inherit' });
}

/** Installs Debian's ejabberd (and the OAuth library it only suggests) when missing. */
export function ensureInstalled() {
  const haveOauth = existsSync('/usr/lib/erlang/lib') &&
    sh('sh', ['-c', 'ls -d /usr/lib/erlang/lib/p1_oauth2-* >/dev/null 2>&1']).code === 0;
  if (existsSync(EJABBERDCTL) && haveOauth) return;
  process.stderr.write('test server: installing ejabberd with apt-get\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => {
    const r = isRoot
      ? spawnSync('apt-get', args, { stdio: 'inherit', env })
      : spawnSync('sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status}); run as root or with passwordless sudo`);
  };
  run(['update']);
  run(['install', '-y', '--no-install-recommends', 'ejabberd', 'erlang-p1-oauth2']);
}

/** The ejabberdctl command line that talks to our node. */
export function ejabberdctlArgs(args) {
  const d = server.dir;
  // ejabberdctl runs only for root or the ejabberd user: anyone else goes through sudo.
  if (!isRoot) {
    const [cmd, argv] = ejabberdctlArgsAsRoot(args, d);
    return ['sudo', ['-n', cmd, ...argv]];
  }
  return ejabberdctlArgsAsRoot(args, d);
}

function ejabberdctlArgsAsRoot(args, d) {
  return [EJABBERDCTL, ['--config-dir', d, '--config', join(d, 'ejabberd.yml'), '--ctl-config', join(d, 'ejabberdctl.cfg'),
    '--logs', join(d, 'logs'), '--spool', join(d, 'spool'), '--node', server.node, ...args]];
}

/** Runs ejabberdctl against the test node: { code, stdout, stderr }. */
export function ejabberdctl(...args) {
  const [cmd, argv] = ejabberdctlArgs(args);
  return sh(cmd, argv, { cwd: server.dir });
}

function writeConfig() {
  const d = server.dir;
  // A previous run's files belong to the ejabberd user.
  if (isRoot) rmSync(d, { recursive: true, force: true });
  else asRoot('rm', ['-rf', d]);
  mkdirSync(join(d, 'logs'), { recursive: true });
  mkdirSync(join(d, 'spool'), { recursive: true });
  // A self-signed certificate for localhost: the HTTPS listener uses it, TLS tests trust it with --ca-file.
  const key = join(d, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', server.caFile,
    '-days', '3650', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  writeFileSync(join(d, 'cert.pem'), readFileSync(server.caFile, 'utf8') + readFileSync(key, 'utf8'));
  const tmpl = readFileSync(join(here, 'ejabberd.yml.tmpl'), 'utf8');
  const yml = tmpl.replaceAll('@DIR@', d).replaceAll('@HTTP_PORT@', String(server.httpPort))
    .replaceAll('@HTTPS_PORT@', String(server.httpsPort)).replaceAll('@C2S_PORT@', String(server.c2sPort));
  writeFileSync(join(d, 'ejabberd.yml'), yml);
  writeFileSync(join(d, 'inetrc'), '{lookup,["file","native"]}.\n{host,{127,0,0,1}, ["localhost"]}.\n{file, resolv, "/etc/resolv.conf"}.\n');
  writeFileSync(join(d, 'ejabberdctl.cfg'), [
    `ERLANG_NODE=${server.node}`,
    `EJABBERD_PID_PATH=${join(d, 'ejabberd.pid')}`,
    `CONTRIB_MODULES_PATH=${join(d, 'modules')}`,
    `CONTRIB_MODULES_CONF_DIR=${join(d, 'modules.d')}`,
    'ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"',
    'EJABBERD_BYPASS_WARNINGS=true',
    '',
  ].join('\n'));
  // ejabberdctl switches to the ejabberd user, which must own the node's files.
  const uid = Number(sh('id', ['-u', 'ejabberd']).stdout.trim());
  const gid = Number(sh('id', ['-g', 'ejabberd']).stdout.trim());
  asRoot('chown', ['-R', `${uid}:${gid}`, d]);
}

export function isRunning() {
  return ejabberdctl('status').code === 0;
}

async function waitFor(pred, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`test server: timed out waiting for ${what}; see ${join(server.dir, 'logs')}`);
}

export async function start() {
  ensureInstalled();
  if (existsSync(join(server.dir, 'ejabberd.yml')) && isRunning()) stop();
  writeConfig();
  const r = ejabberdctl('start');
  if (r.code !== 0) throw new Error(`ejabberdctl start failed: ${r.stdout}${r.stderr}`);
  await waitFor(() => isRunning(), 60_000, 'ejabberd to start');
  await waitFor(async () => {
    try { return (await fetch(`${server.url}/status`, { method: 'POST', body: '{}' })).status === 200; } catch { return false; }
  }, 30_000, 'the HTTP API');
  const reg = ejabberdctl('register', 'admin', server.host, server.adminPassword);
  if (reg.code !== 0) throw new Error(`could not create the admin account: ${reg.stdout}${reg.stderr}`);
  return server;
}

export function stop() {
  ejabberdctl('stop');
  for (let i = 0; i < 60 && isRunning(); i++) sh('sleep', ['0.5']);
}

/** Environment variables that point a test process at this server. */
export function serverEnv() {
  return {
    ECTL_TEST_URL: server.url,
    ECTL_TEST_HTTPS_URL: server.httpsUrl,
    ECTL_TEST_CA_FILE: server.caFile,
    ECTL_TEST_ADMIN: server.admin,
    ECTL_TEST_ADMIN_PASSWORD: server.adminPassword,
    ECTL_TEST_C2S_PORT: String(server.c2sPort),
    ECTL_TEST_DIR: server.dir,
    ECTL_TEST_NODE: server.node,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const cmd = process.argv[2];
  if (cmd === 'start') {
    await start();
    process.stdout.write(`ejabberd test node ${server.node} is up: ${server.url} (admin ${server.admin})\n`);
  } else if (cmd === 'stop') {
    stop();
  } else if (cmd === 'env') {
    for (const [k, v] of Object.entries(serverEnv())) process.stdout.write(`export ${k}=${v}\n`);
  } else {
    process.stderr.write('usage: ejabberd-server.mjs start|stop|env\n');
    process.exit(2);
  }
}
