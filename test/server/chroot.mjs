// Debian chroots that hold the ejabberd releases this machine does not have: a minbase
// debootstrap of a Debian suite with ejabberd installed by apt, built when missing and kept in
// a cache outside the checkout (CI starts from a fresh clone on the same machine), so a second
// run only starts servers. Every command in a chroot runs in a mount namespace of its own with
// /proc mounted inside the chroot: the mount goes away with the last process in it (a daemon
// keeps it while it runs) and none is ever left in the host's mount table.
// The Debian mirror is the one apt on this machine uses (or ECTL_TEST_DEBIAN_MIRROR).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';

const env = process.env;
const isRoot = process.getuid?.() === 0;
const READY = '.ectl-chroot.json'; // written last: a chroot without it is not finished

/** Where the chroots and other downloads live: ECTL_TEST_CACHE, else /var/cache/ectl-test. */
export const cacheDir = () => env.ECTL_TEST_CACHE ?? '/var/cache/ectl-test';

/** A release's chroot directory (ECTL_TEST_CHROOT_<release with _>, e.g. ECTL_TEST_CHROOT_24_12, overrides). */
export function chrootRoot(release) {
  return env[`ECTL_TEST_CHROOT_${release.replace(/\W/g, '_')}`] ?? join(cacheDir(), 'chroots', release);
}

/** The command line that runs argv as root inside a chroot, with /proc mounted there. */
export function inChroot(root, argv) {
  return ['unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c',
    'mount -t proc proc "$0/proc" && exec env PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot "$0" "$@"', root, ...argv]];
}

function run(cmd, args, what, opts = {}) {
  const [c, a] = isRoot ? [cmd, args] : ['sudo', ['-n', cmd, ...args]];
  const r = spawnSync(c, a, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`test chroot: ${what} failed (exit ${r.status ?? r.signal})${isRoot ? '' : '; run as root or with passwordless sudo'}`);
  return r;
}

/** Installs a Debian package into a built chroot when its command is missing there (chroots built before it was listed). */
export function ensureChrootCommand(release, command, pkg = command) {
  const root = chrootRoot(release);
  const [c, a] = inChroot(root, ['sh', '-c', `command -v ${command}`]);
  const found = spawnSync(isRoot ? c : 'sudo', isRoot ? a : ['-n', c, ...a], { stdio: 'ignore' });
  if (found.status === 0) return;
  for (const argv of [['apt-get', 'update', '-q'], ['apt-get', 'install', '-y', '-q', '--no-install-recommends', pkg], ['apt-get', 'clean']]) {
    const [ic, ia] = inChroot(root, ['env', 'DEBIAN_FRONTEND=noninteractive', ...argv]);
    run(ic, ia, `${argv.slice(0, 2).join(' ')} ${pkg} in the ${release} chroot`, { stdio: ['ignore', 'ignore', 'inherit'] });
  }
}

/** The Debian mirror apt uses here: the first source that carries this machine's own suite. */
export function debianMirror() {
  if (env.ECTL_TEST_DEBIAN_MIRROR) return env.ECTL_TEST_DEBIAN_MIRROR;
  const codename = /^VERSION_CODENAME=(\S+)$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
  const files = ['/etc/apt/sources.list'];
  const d = '/etc/apt/sources.list.d';
  if (existsSync(d)) files.push(...readdirSync(d).filter((f) => /\.(list|sources)$/.test(f)).sort().map((f) => join(d, f)));
  for (const f of files) {
    if (!existsSync(f)) continue;
    const text = readFileSync(f, 'utf8');
    if (f.endsWith('.sources')) {
      // deb822 stanzas: Types, URIs, Suites fields.
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (k) => new RegExp(`^${k}:\\s*(.+)$`, 'mi').exec(stanza)?.[1].trim().split(/\s+/) ?? [];
        if (field('Types').includes('deb') && field('Suites').includes(codename) && !/^Enabled:\s*no/mi.test(stanza)) return field('URIs')[0];
      }
    } else {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (m && m[2] === codename) return m[1];
      }
    }
  }
  throw new Error(`test chroot: no apt source for ${codename} in /etc/apt/sources.list{,.d}; set ECTL_TEST_DEBIAN_MIRROR`);
}

/** The chroot's record of what it holds ({ release, suite, package, seconds, bytes }), or undefined. */
export function chrootInfo(release) {
  try { return JSON.parse(readFileSync(join(chrootRoot(release), READY), 'utf8')); } catch { return undefined; }
}

function ensureDebootstrap() {
  if (existsSync('/usr/sbin/debootstrap')) return;
  process.stderr.write('test chroot: installing debootstrap with apt-get\n');
  run('env', ['DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends', 'debootstrap'], 'apt-get install debootstrap');
}

/**
 * Builds a release's chroot when it is missing (desc.from: { suite, apt?, script? }). The build
 * happens in a directory of its own, renamed into place when complete, so that an interrupted
 * build is never used and two runs building at once do not mix.
 */
export function ensureChroot(desc) {
  const root = chrootRoot(desc.release);
  if (existsSync(join(root, READY))) return chrootInfo(desc.release);
  const t0 = Date.now();
  const { suite, apt, script } = desc.from;
  ensureDebootstrap();
  mkdirSync(dirname(root), { recursive: true });
  // Builds that an earlier run left behind when it was killed.
  for (const f of readdirSync(dirname(root))) {
    const m = new RegExp(`^${basename(root).replace(/\W/g, '\\$&')}\\.build-(\\d+)$`).exec(f);
    if (m && !pidAlive(Number(m[1]))) run('rm', ['-rf', join(dirname(root), f)], `removing ${f}`);
  }
  const build = `${root}.build-${process.pid}`;
  const mirror = debianMirror();
  process.stderr.write(`test chroot: building ejabberd ${desc.release} (${apt ?? suite}) in ${root}, about a minute and 400 MB\n`);
  const scriptArg = script ? [`/usr/share/debootstrap/scripts/${script}`] : [];
  // In a namespace of its own too: mounts of an interrupted debootstrap cannot outlive it.
  run('unshare', ['--mount', '--propagation', 'private', '--', 'debootstrap', '--variant=minbase', suite, build, mirror, ...scriptArg],
    `debootstrap ${suite}`, { stdio: ['ignore', 'ignore', 'inherit'] });
  const write = (path, text, mode) => {
    // Files of the chroot belong to root; as another user write them through sudo tee.
    if (isRoot) writeFileSync(join(build, path), text);
    else run('tee', [join(build, path)], `writing ${path}`, { input: text, stdio: ['pipe', 'ignore', 'inherit'] });
    if (mode) run('chmod', [mode.toString(8), join(build, path)], `chmod ${path}`);
  };
  write('etc/apt/sources.list', [suite, apt].filter(Boolean).map((s) => `deb ${mirror} ${s} main\n`).join(''));
  // The mirror may be a snapshot whose Release files have passed their Valid-Until date.
  write('etc/apt/apt.conf.d/99ectl-test', 'Acquire::Check-Valid-Until "false";\n');
  write('usr/sbin/policy-rc.d', '#!/bin/sh\n# No service starts in this chroot: the test harness runs its own nodes.\nexit 101\n', 0o755);
  write('etc/hosts', '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n');
  const inside = (argv, what) => {
    const [c, a] = inChroot(build, ['env', 'DEBIAN_FRONTEND=noninteractive', ...argv]);
    return run(c, a, what, { stdio: ['ignore', 'ignore', 'inherit'] });
  };
  inside(['apt-get', 'update', '-q'], 'apt-get update in the chroot');
  // curl: ejabberdctl's CTL_OVER_HTTP fast path (25.03 and later) calls it; without it the script falls back to Erlang.
  inside(['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...(apt ? ['-t', apt] : []), 'ejabberd', 'erlang-p1-oauth2', 'curl'],
    'apt-get install ejabberd in the chroot');
  inside(['apt-get', 'clean'], 'apt-get clean in the chroot');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format field, not a template
  const [vc, va] = inChroot(build, ['dpkg-query', '-W', '-f', '${Version}', 'ejabberd']);
  const pkg = spawnSync(isRoot ? vc : 'sudo', isRoot ? va : ['-n', vc, ...va], { encoding: 'utf8' }).stdout.trim();
  const bytes = Number(spawnSync(isRoot ? 'du' : 'sudo', [...(isRoot ? [] : ['-n', 'du']), '-sb', build], { encoding: 'utf8' }).stdout.split('\t')[0]);
  const info = { release: desc.release, suite: apt ?? suite, package: pkg, seconds: Math.round((Date.now() - t0) / 1000), bytes };
  write(READY, `${JSON.stringify(info)}\n`);
  try {
    run('mv', ['-T', build, root], `moving ${build} into place`);
  } catch (e) {
    // Another run finished the same chroot first: use that one.
    if (!existsSync(join(root, READY))) throw e;
    run('rm', ['-rf', build], `removing ${build}`);
  }
  process.stderr.write(`test chroot: ejabberd ${desc.release} built in ${info.seconds} s (package ${pkg}, ${Math.round(bytes / 1e6)} MB)\n`);
  return chrootInfo(desc.release);
}

function pidAlive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}
