// Where ectl keeps its own files and how it writes them; src/bounded-read.ts reads them. The
// rules, for every file ectl writes (caches, token files):
// - XDG_CONFIG_HOME, XDG_CACHE_HOME and HOME count only when they are absolute paths (as the XDG
//   spec says): a relative one would make the working directory, anyone's, the user's own.
// - a file is written only in a directory that belongs to this user and that no one else can
//   write, nor any directory ectl made below the base it started from (a symbolic link there is
//   refused): someone who can change the directory could swap the file for a link to another.
// - directories are made one level at a time with mode 0700; one that cannot be made (under
//   /proc, a device) fails at once (Node's recursive mkdir spins there).
// - the content goes into an exclusive temporary file (O_EXCL, O_NOFOLLOW, mode 0600) in the
//   same directory and is renamed into place: a link at the final path is replaced, never
//   written through, and a reader sees all or nothing.
// bin/ectl applies the same directory rule to the code cache (in plain JavaScript, before the
// bundle runs).
import { closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { readFailure } from './bounded-read.js';

/** An environment variable's path when absolute; a relative or empty one counts as unset. */
function absoluteVariable(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value && isAbsolute(value) ? value : undefined;
}

/** The home directory: HOME when absolute, else the user's entry in the password database; undefined without either. */
export function homeDir(env: NodeJS.ProcessEnv): string | undefined {
  const home = absoluteVariable(env, 'HOME');
  if (home) return home;
  try {
    // node:os only without a usable HOME (start-up time); userInfo, not homedir(), which returns HOME as it is.
    const entry = process.getBuiltinModule('node:os').userInfo().homedir;
    return entry && isAbsolute(entry) ? entry : undefined;
  } catch {
    return undefined;
  }
}

function xdgBase(env: NodeJS.ProcessEnv, name: string, inHome: string): string | undefined {
  const xdg = absoluteVariable(env, name);
  if (xdg) return xdg;
  const home = homeDir(env);
  return home && join(home, inHome);
}

/** $XDG_CONFIG_HOME, else ~/.config (undefined without a home directory). */
export const configBase = (env: NodeJS.ProcessEnv) => xdgBase(env, 'XDG_CONFIG_HOME', '.config');

/** $XDG_CACHE_HOME, else ~/.cache (undefined without a home directory). */
export const cacheBase = (env: NodeJS.ProcessEnv) => xdgBase(env, 'XDG_CACHE_HOME', '.cache');

const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;

/** Why a directory may not hold ectl's files, or undefined when it may: this user's, written by no one else. */
function unsafeDirectory(st: Stats): string | undefined {
  if (st.isSymbolicLink()) return 'it is a symbolic link';
  if (!st.isDirectory()) return 'it is not a directory';
  if (uid === undefined) return undefined;
  if (st.uid !== uid) return `it belongs to another user (uid ${st.uid})`;
  if ((st.mode & 0o022) !== 0) return 'other users can write to it';
  return undefined;
}

/** A directory that is not fit to hold a file of ectl's: the message says which and why. */
export class UnsafeDirectoryError extends Error {}

function fail(dir: string, why: string): never {
  throw new UnsafeDirectoryError(`${dir}: ${why}`);
}

const checked = new Map<string, string>();

/**
 * The real path of `dir`, checked (and with `create`, made) for holding ectl's files: `top` (an
 * ancestor of `dir`, or `dir` itself) may be reached through links and must be the user's own,
 * written by no one else; so must every level below it, which must not be links. A missing top
 * is made inside its parent when that parent passes the same check. Without `create`, a missing
 * directory is null (there is nothing to read in it). Throws UnsafeDirectoryError otherwise.
 */
export function privateDirectory(dir: string, top: string, create: boolean): string | null {
  const key = `${create}\0${top}\0${dir}`;
  const known = checked.get(key);
  if (known !== undefined) return known;
  const result = checkDirectory(dir, top, create);
  // A missing directory may be made later by this process: asked again then.
  if (result !== null) checked.set(key, result);
  return result;
}

function checkDirectory(dir: string, top: string, create: boolean): string | null {
  const below = relative(top, dir);
  if (below.startsWith('..') || isAbsolute(below)) fail(dir, `not inside ${top}`);
  let real: string;
  try {
    real = realpathSync(top);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') fail(top, readFailure(e));
    if (!create) return null;
    // A missing base (~/.cache on a new account) is made only inside a directory fit for it.
    const parent = dirname(top);
    if (parent === top) fail(top, readFailure(e));
    real = join(checkDirectory(parent, parent, false) ?? fail(parent, 'no such directory'), basename(top));
    makeLevel(real);
  }
  let st: Stats;
  try {
    st = statSync(real);
  } catch (e) {
    fail(top, readFailure(e));
  }
  const why = unsafeDirectory(st);
  if (why) fail(top, why);
  for (const part of below === '' ? [] : below.split(sep)) {
    const level = join(real, part);
    let levelStat: Stats;
    try {
      levelStat = lstatSync(level);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') fail(level, readFailure(e));
      if (!create) return null;
      makeLevel(level);
      levelStat = lstatSync(level);
    }
    const levelWhy = unsafeDirectory(levelStat);
    if (levelWhy) fail(level, levelWhy);
    real = level;
  }
  return real;
}

function makeLevel(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    // Made at the same moment by another ectl: checked by the caller like any existing level.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') fail(dir, `cannot make it: ${readFailure(e)}`);
  }
}

/**
 * A file being written: an exclusive temporary file (mode 0600, never through a link) in the
 * file's checked directory, made at once (so that a place that cannot take it fails before any
 * work), renamed over the file by `commit`.
 */
export class PrivateFileWriter {
  private fd: number | undefined;
  private readonly temp: string;
  /** The path written (the real directory's). */
  readonly target: string;

  /** `top`: where the directory check starts (see privateDirectory); the file's own directory for a file the user names. */
  constructor(file: string, top = dirname(file)) {
    const dir = privateDirectory(dirname(file), top, true)!;
    this.target = join(dir, basename(file));
    let isDirectory = false;
    try {
      isDirectory = lstatSync(this.target).isDirectory();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (isDirectory) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    this.temp = join(dir, `.${basename(file)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
    this.fd = openSync(this.temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  }

  /** Writes the content and renames it into place. */
  commit(content: string | Uint8Array, sync = false): void {
    const fd = this.fd!;
    const buf = typeof content === 'string' ? Buffer.from(content) : content;
    let offset = 0;
    while (offset < buf.length) offset += writeSync(fd, buf, offset);
    if (sync) fsyncSync(fd);
    closeSync(fd);
    this.fd = undefined;
    renameSync(this.temp, this.target);
  }

  /** Removes the temporary file (after a failure; a no-op once committed). */
  discard(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch { /* already closed */ }
      this.fd = undefined;
      rmSync(this.temp, { force: true });
    }
  }
}

/** Writes a file whole, as PrivateFileWriter does. */
export function writePrivateFile(file: string, content: string | Uint8Array, top?: string): void {
  const writer = new PrivateFileWriter(file, top);
  try {
    writer.commit(content);
  } finally {
    writer.discard();
  }
}

/**
 * Why a config file others could change must not be trusted blindly, or undefined: the file or
 * its directory can be written by group or others, or the file belongs to another user than
 * this one and root (as ssh checks its config). A directory with the sticky bit (/tmp) lets no
 * one else replace a file of the user's.
 */
export function othersCanChange(path: string, st: Pick<Stats, 'mode' | 'uid'>): string | undefined {
  if (uid === undefined) return undefined;
  if (st.uid !== uid && st.uid !== 0) return `it belongs to another user (uid ${st.uid})`;
  if ((st.mode & 0o022) !== 0) return 'other users can write to it';
  try {
    const dir = statSync(dirname(path));
    if ((dir.mode & 0o022) !== 0 && (dir.mode & 0o1000) === 0) return `other users can write to its directory ${dirname(path)}`;
    if (dir.uid !== uid && dir.uid !== 0) return `its directory ${dirname(path)} belongs to another user (uid ${dir.uid})`;
  } catch {
    // a pipe (<(...)) has no directory worth asking about
  }
  return undefined;
}
