// Reading a file the user named (config, password, token, argument files) without trusting it:
// a size limit, no directories or devices, and a time limit for pipes (`--password-file <(...)`).
// Shared by src/config and src/cli, so it sits beside errors.ts rather than in either layer.
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { UsageError } from './errors.js';

export interface ReadFileOptions {
  /** How the file is named in messages: 'config file', 'password file'... */
  what: string;
  /** Bytes the file may hold; more is a usage error ("too large"). */
  maxBytes: number;
  /** How long a pipe may take to deliver everything (a regular file is not timed). */
  timeoutMs?: number;
}

export interface FileText {
  text: string;
  /** Permission bits (st_mode & 0o777), e.g. to warn about secrets others can read. */
  mode: number;
}

const PIPE_TIMEOUT_MS = 10_000;

/** "1 MiB", "64 KiB": limits as people write them. */
export function sizeText(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1 << 10 && bytes % (1 << 10) === 0) return `${bytes / (1 << 10)} KiB`;
  return `${bytes} bytes`;
}

function kindOf(s: Stats): string | undefined {
  if (s.isFile() || s.isFIFO()) return undefined;
  if (s.isDirectory()) return 'a directory';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads a regular file or a pipe as UTF-8, refusing directories, devices and sockets before
 * opening them, anything over `maxBytes` (a regular file by its size, without reading it),
 * and a pipe that has not finished within the time limit. Errors are UsageErrors naming the file.
 */
export async function readLimitedFile(path: string, opts: ReadFileOptions): Promise<FileText> {
  const { what, maxBytes } = opts;
  const cannot = (why: string) => new UsageError(`cannot read the ${what} ${path}: ${why}`);
  const refuse = (s: Stats) => {
    const kind = kindOf(s);
    if (kind) return new UsageError(`the ${what} ${path} is ${kind}, not a file`);
    if (s.isFile() && s.size > maxBytes) return tooLarge();
    return undefined;
  };
  const tooLarge = () => new UsageError(`the ${what} ${path} is too large (more than ${sizeText(maxBytes)})`);
  let before: Stats;
  try {
    before = await stat(path);
  } catch (e) {
    throw cannot((e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  const early = refuse(before);
  if (early) throw early;
  const timeoutMs = opts.timeoutMs ?? PIPE_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  // Opening a FIFO waits for a writer and reading it for data: both are timed for pipes.
  const timeout = before.isFIFO()
    ? new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(cannot(`nothing more came within ${timeoutMs / 1000} s`)), timeoutMs);
      timer.unref();
    })
    : undefined;
  const timed = <T>(p: Promise<T>): Promise<T> => (timeout ? Promise.race([p, timeout]) : p);
  let handle: FileHandle | undefined;
  try {
    handle = await timed(open(path, 'r'));
    const s = await handle.stat();
    const late = refuse(s); // it may have been replaced since the first look
    if (late) throw late;
    // Read until the end, or until one byte more than allowed shows the file is too large.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(1 << 16, maxBytes + 1 - length));
      const { bytesRead } = await timed(handle.read(chunk, 0, chunk.length, null));
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > maxBytes) throw tooLarge();
    }
    return { text: Buffer.concat(chunks).toString('utf8'), mode: s.mode & 0o777 };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw cannot((e as NodeJS.ErrnoException).code ?? (e as Error).message);
  } finally {
    clearTimeout(timer);
    // A handle stuck in a pipe's open or read is left to the process exit.
    void handle?.close().catch(() => {});
  }
}
