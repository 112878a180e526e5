// Small JSON files under $XDG_CACHE_HOME/ectl/ (completion answers, detected releases): read
// leniently, written atomically, private to the user.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** $XDG_CACHE_HOME/ectl/<name> (~/.cache/ectl/<name>); undefined without a home directory. */
export function cacheFilePath(env: NodeJS.ProcessEnv, name: string): string | undefined {
  let base = env.XDG_CACHE_HOME || (env.HOME && join(env.HOME, '.cache'));
  try {
    base ||= join(process.getBuiltinModule('node:os').homedir(), '.cache'); // node:os only without HOME
  } catch {
    return undefined;
  }
  return join(base, 'ectl', name);
}

/** The parsed file, or undefined when it is missing or unreadable (a cache starts afresh then). */
export function readCacheFile(file: string | undefined): unknown {
  if (!file) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Writes through a temporary file and a rename, so that a concurrent reader sees all or nothing. */
export function writeCacheFile(file: string | undefined, value: unknown): void {
  if (!file) return;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // A cache that cannot be written only costs a request next time.
  }
}
