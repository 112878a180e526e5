// Small JSON files under $XDG_CACHE_HOME/ectl/ (completion answers, detected releases): read
// leniently and within a bound, written atomically and privately by the rules of src/files.ts.
// A cache is only a saving: one that cannot be read or written (a directory of someone else's,
// a link, /proc) is skipped at once and never stops a command.
import { dirname, join } from 'node:path';
import { MiB, readRegularFileSync } from '../bounded-read.js';
import { cacheBase, privateDirectory, writePrivateFile } from '../files.js';

/** The most a cache file is read for; a larger one (or /dev/zero behind a link) starts afresh. */
export const CACHE_READ_LIMIT = 16 * MiB;

/** $XDG_CACHE_HOME/ectl/<name> (~/.cache/ectl/<name>); undefined without a home directory. */
export function cacheFilePath(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const base = cacheBase(env);
  return base && join(base, 'ectl', name);
}

/** The cache base a cache file's directory is checked from: two levels up (<base>/ectl/<name>). */
const baseOf = (file: string) => dirname(dirname(file));

/** The parsed file, or undefined when it is missing, unreadable, too large or in a directory others can change. */
export function readCacheFile(file: string | undefined, limit = CACHE_READ_LIMIT): unknown {
  if (!file) return undefined;
  try {
    const dir = privateDirectory(dirname(file), baseOf(file), false);
    return dir ? JSON.parse(readRegularFileSync(file, limit)) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes through an exclusive temporary file and a rename, so that a concurrent reader sees all or nothing. */
export function writeCacheFile(file: string | undefined, value: unknown): void {
  if (!file) return;
  try {
    writePrivateFile(file, JSON.stringify(value), baseOf(file));
  } catch {
    // A cache that cannot be written only costs a request next time.
  }
}
