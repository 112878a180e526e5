// `npm run install-files -- [--prefix DIR] [--exe [FILE]]`: installs ectl for packagers, where
// Debian keeps each kind of file, under $DESTDIR when set (a staging directory):
//   bin/ectl                                    the command
//   share/man/man1/ectl.1                       the man page
//   share/bash-completion/completions/ectl      bash completion
//   share/zsh/vendor-completions/_ectl          zsh completion
//   share/fish/vendor_completions.d/ectl.fish   fish completion
// With --exe, bin/ectl is the single executable (npm run exe; dist/ectl-linux-x64 unless FILE
// is given), which needs no Node. Without it, the files of the npm package are copied to
// lib/ectl/ (the bundled CLI needs no node_modules) and bin/ectl links to its bin/ectl, which
// runs with the node on the PATH. --prefix defaults to /usr/local.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const EXE = join(root, 'dist', `ectl-${process.platform}-${process.arch}`);

const USAGE = 'usage: npm run install-files -- [--prefix DIR] [--exe [FILE]]   (DESTDIR=DIR stages the files there)';
function usage(message) {
  process.stderr.write(`Error: ${message}\n${USAGE}\n`);
  process.exit(2);
}

let prefix = '/usr/local';
let exe;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--prefix' || a.startsWith('--prefix=')) {
    prefix = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
    if (!prefix || !isAbsolute(prefix)) usage('--prefix takes an absolute directory');
  } else if (a === '--exe') {
    exe = args[i + 1] && !args[i + 1].startsWith('--') ? resolve(args[++i]) : EXE;
  } else if (a === '-h' || a === '--help') {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  } else usage(`unknown argument ${JSON.stringify(a)}`);
}
const destdir = process.env.DESTDIR ?? '';
if (destdir && !isAbsolute(destdir)) usage('DESTDIR must be an absolute directory');
const target = (path) => join(destdir, prefix, path);

const installed = [];
function install(from, to, mode, quiet = false) {
  const path = target(to);
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true });
  copyFileSync(join(root, from), path);
  chmodSync(path, mode);
  if (!quiet) installed.push(path);
}

if (exe) {
  if (!existsSync(exe)) usage(`${relative(process.cwd(), exe) || exe} does not exist: build it with npm run exe`);
  install(relative(root, exe), 'bin/ectl', 0o755);
} else {
  if (!existsSync(join(root, 'dist', 'ectl.cjs'))) usage('dist/ is not built: run npm run build (or npm ci) first');
  // The package's own file list, as npm pack makes it (no build is run for it).
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  if (pack.status !== 0) usage(`npm pack --dry-run failed: ${pack.stderr}`);
  const files = JSON.parse(pack.stdout)[0].files;
  rmSync(target('lib/ectl'), { recursive: true, force: true });
  const copied = files.filter((f) => !/^(README|LICEN[SC]E|man\/|completions\/)/i.test(f.path)); // installed below, or not needed
  for (const f of copied) install(f.path, join('lib/ectl', f.path), f.mode & 0o111 ? 0o755 : 0o644, true);
  installed.push(`${target('lib/ectl')}/ (${copied.length} files of the npm package)`);
  const link = target('bin/ectl');
  mkdirSync(dirname(link), { recursive: true });
  rmSync(link, { force: true });
  symlinkSync('../lib/ectl/bin/ectl', link); // relative: the same once DESTDIR is gone
  installed.push(`${link} -> ../lib/ectl/bin/ectl`);
}
install('man/ectl.1', 'share/man/man1/ectl.1', 0o644);
install('completions/ectl.bash', 'share/bash-completion/completions/ectl', 0o644);
install('completions/_ectl', 'share/zsh/vendor-completions/_ectl', 0o644);
install('completions/ectl.fish', 'share/fish/vendor_completions.d/ectl.fish', 0o644);
process.stdout.write(installed.map((p) => `installed ${p}\n`).join(''));
