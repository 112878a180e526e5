// Reading files and streams with a size limit, so that `/dev/zero`, a FIFO or a 1 GB file
// cannot grow memory without bound. Used by every layer that reads a file the user names.
import { closeSync, constants, createReadStream, fstatSync, open as fsOpen, openSync, readSync, statfsSync, statSync, type Stats } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { UsageError } from './errors.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;

const CHUNK = 64 * KiB;

/** A file or stream that was not read: too large, or not a kind of file allowed there. No `code`. */
export class ReadLimitError extends Error {}

/** `16 MiB`, `64 KiB`: a limit as people write it. */
export function sizeText(bytes: number): string {
  return bytes >= MiB && bytes % MiB === 0 ? `${bytes / MiB} MiB` : bytes >= KiB && bytes % KiB === 0 ? `${bytes / KiB} KiB` : `${bytes} bytes`;
}

export function tooLarge(limit: number): ReadLimitError {
  return new ReadLimitError(`too large (over ${sizeText(limit)})`);
}

/** What a file system error code means, in words an admin reads without looking it up. */
const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a part of the path is a file, not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
  EIO: 'input/output error',
  ENXIO: 'no such device (a FIFO with no writer?)',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
  ENOTFOUND: 'no such host name',
  EAI_AGAIN: 'the name server did not answer (try again)',
};

/** The short reason a read failed, for a one-line error: `no such file or directory`, `too large (over 16 MiB)`... */
export function readFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === undefined) return (e as Error)?.message ?? String(e);
  return FILE_ERRORS[code] ?? code;
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

// The kernel's own file systems: their "regular" files say size 0 and may be endless
// (/proc/self/pagemap) or block a reader for ever (/proc/kmsg).
const KERNEL_FILE_SYSTEMS = new Set([0x9fa0 /* proc */, 0x62656572 /* sysfs */, 0x64626720 /* debugfs */, 0x74726163 /* tracefs */]);

/** Refuses a file of /proc, /sys and their kind where a file of the user's is expected. */
function refuseKernelFile(path: string): void {
  let type: number | undefined;
  try {
    type = Number(statfsSync(path).type);
  } catch {
    return; // gone meanwhile: the read says what it finds
  }
  if (KERNEL_FILE_SYSTEMS.has(type)) throw new ReadLimitError('a file of the kernel (/proc, /sys), not a regular file');
}

function isDirectoryError(): NodeJS.ErrnoException {
  return Object.assign(new Error('is a directory'), { code: 'EISDIR' });
}

function joinChunks(chunks: Buffer[], total: number, limit: number): string {
  if (total > limit) throw tooLarge(limit);
  return Buffer.concat(chunks, total).toString('utf8');
}

/**
 * A regular file's text (UTF-8), at most `limit` bytes. Directories (EISDIR), FIFOs, devices and
 * sockets are refused without reading (and without waiting for a FIFO's writer), and so are the
 * kernel's files (/proc, /sys).
 */
export function readRegularFileSync(path: string, limit: number): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw isDirectoryError();
    if (!st.isFile()) throw new ReadLimitError(`${kindOf(st)}, not a regular file`);
    if (st.size > limit) throw tooLarge(limit);
    refuseKernelFile(path);
    // The file may grow while it is read: never more than limit + 1 bytes.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, limit + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > limit) break;
    }
    return joinChunks(chunks, total, limit);
  } finally {
    closeSync(fd);
  }
}

/**
 * Everything a file of any readable kind (regular, FIFO, `/dev/stdin`, a device) or a stream
 * holds, as UTF-8 text, stopping with "too large" after `limit` bytes. There is no time limit:
 * these are what the user pipes in (a FIFO may wait for its writer); `signal` (Ctrl-C) ends the
 * wait, rejecting with its reason.
 */
export function readLimited(source: string | AsyncIterable<Buffer | string>, limit: number, signal?: AbortSignal): Promise<string> {
  if (!signal) return readAll(source, limit);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    // A blocked open(2) of a FIFO cannot be cancelled: it is left behind, and the process exits anyway.
    const onAbort = () => {
      if (typeof source !== 'string') (source as { destroy?: () => void }).destroy?.();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    readAll(source, limit).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function readAll(source: string | AsyncIterable<Buffer | string>, limit: number): Promise<string> {
  let stream = source;
  if (typeof source === 'string') {
    const opened = await openForReading(source);
    if (opened.stats.isFile() && opened.stats.size > limit) {
      opened.stream.destroy();
      throw tooLarge(limit);
    }
    stream = opened.stream;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(buf);
    total += buf.length;
    if (total > limit) break;
  }
  (stream as { destroy?: () => void }).destroy?.();
  return joinChunks(chunks, total, limit);
}

/**
 * A stream over the file at `path` (and what it is), read the way Node reads its standard input
 * of that kind: a FIFO or socket through the event loop (a thread blocked on a FIFO would keep
 * the process from exiting), a terminal as a terminal, anything else from the thread pool.
 * A directory is refused (EISDIR).
 */
export async function openForReading(path: string): Promise<{ stream: Readable; stats: Stats }> {
  // O_NONBLOCK: opening a FIFO does not wait for its writer (reading it does).
  const fd = await new Promise<number>((resolve, reject) => fsOpen(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY, (e, fd) => (e ? reject(e) : resolve(fd))));
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw isDirectoryError();
    if (stats.isFIFO() || stats.isSocket()) return { stream: new Socket({ fd, readable: true, writable: false }), stats };
    // node:tty only when reading from a terminal (start-up time).
    const tty = stats.isCharacterDevice() ? process.getBuiltinModule('node:tty') : undefined;
    if (tty?.isatty(fd)) return { stream: new tty.ReadStream(fd), stats };
    return { stream: createReadStream('', { fd, highWaterMark: CHUNK }), stats };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** How long a FIFO named as a config, password or token file may take to deliver everything. */
const SETTINGS_PIPE_TIMEOUT_MS = 10_000;

/**
 * A config, password or token file: a regular file or a pipe (`--password-file <(pass show x)`),
 * at most `limit` bytes, a pipe within 10 s; directories, devices, sockets and the kernel's files
 * (/proc, /sys: a pipe reached through /proc/self/fd is a pipe) are refused. Every
 * failure is a UsageError naming the file as `what` ('config file'...). Also returns the
 * permission bits and owner, to warn about files others can read or change.
 */
export async function readSettingsFile(path: string, what: string, limit: number): Promise<{ text: string; mode: number; uid: number }> {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw new UsageError(`cannot read the ${what} ${path}: ${readFailure(e)}`);
  }
  if (st.isDirectory()) throw new UsageError(`the ${what} ${path} is a directory, not a file`);
  if (!st.isFile() && !st.isFIFO()) throw new UsageError(`the ${what} ${path} is ${kindOf(st)}, not a file`);
  try {
    if (st.isFile()) refuseKernelFile(path);
    const text = await readLimited(path, limit, AbortSignal.timeout(SETTINGS_PIPE_TIMEOUT_MS));
    return { text, mode: st.mode & 0o777, uid: st.uid };
  } catch (e) {
    if (e instanceof ReadLimitError) throw new UsageError(`the ${what} ${path} is ${e.message}`);
    if ((e as Error)?.name === 'TimeoutError') throw new UsageError(`cannot read the ${what} ${path}: nothing more came within ${SETTINGS_PIPE_TIMEOUT_MS / 1000} s`);
    throw new UsageError(`cannot read the ${what} ${path}: ${readFailure(e)}`);
  }
}
