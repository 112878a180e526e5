// Another major version of Node for the test suite: the `node@<major>` package from the npm
// registry (whose install puts that version's binary in node_modules/node/bin), installed once
// into the test cache outside the checkout and reused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './chroot.mjs';

const versionOf = (bin) => spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';

/** Resolves { bin, version } of Node <major>, installing it when missing; throws when it cannot. */
export function ensureNode(major) {
  const dir = join(cacheDir(), `node-${major}`);
  const binOf = (prefix) => join(prefix, 'node_modules', 'node', 'bin', 'node');
  let version = existsSync(binOf(dir)) ? versionOf(binOf(dir)) : '';
  if (!version.startsWith(`v${major}.`)) {
    process.stderr.write(`test setup: installing Node ${major} (npm package node@${major}) into ${dir}\n`);
    const build = `${dir}.build-${process.pid}`;
    mkdirSync(build, { recursive: true });
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', build, `node@${major}`], { stdio: ['ignore', 'ignore', 'inherit'] });
    version = existsSync(binOf(build)) ? versionOf(binOf(build)) : '';
    if (r.status !== 0 || !version.startsWith(`v${major}.`)) {
      rmSync(build, { recursive: true, force: true });
      throw new Error(`could not install Node ${major} with npm (exit ${r.status}, got '${version}')`);
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(build, dir);
  }
  return { bin: binOf(dir), version };
}
