// What the CLI needs from its process, passed in so tests and batch mode can supply their own.
import { fstatSync, statSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import { MiB, readFailure, readLimited } from '../bounded-read.js';
import { SecretMask } from '../secret-mask.js';

// node:tty and process.stdout/stderr are loaded only when needed: creating the stream objects
// (and the modules behind them) is a noticeable part of a short command's start-up.
// Only a character device can be a terminal: a pipe or a file is told by fstat alone.
const isatty = (fd: number): boolean => {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return process.getBuiltinModule('node:tty').isatty(fd);
};

const streamsUsed = new Set<NodeJS.WriteStream>();

/** The reader went away: a closed pipe (EPIPE), or a terminal that hung up (EIO, as with SIGHUP). */
const readerGone = (e: NodeJS.ErrnoException) => e.code === 'EPIPE' || e.code === 'EIO';

/**
 * Standard output or error written with write(2) on the descriptor; falls back to the process
 * stream if the descriptor would block. A reader that has gone away (EPIPE: `ectl ... | head`;
 * EIO: a closed terminal) ends the output quietly.
 */
function descriptorOutput(fd: 1 | 2): Io['stdout'] & { once(event: 'drain', listener: () => void): unknown } {
  let stream: NodeJS.WriteStream | undefined;
  let closed = false;
  let tty: boolean | undefined;
  const getStream = () => {
    if (!stream) {
      stream = fd === 1 ? process.stdout : process.stderr;
      // The reader may also go away while the stream still holds output: end quietly then too.
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (!readerGone(e)) throw e;
        closed = true;
      });
    }
    streamsUsed.add(stream);
    return stream;
  };
  return {
    write(s: string): boolean {
      if (closed) return true;
      if (stream) return stream.write(s);
      const buf = Buffer.from(s, 'utf8');
      let offset = 0;
      while (offset < buf.length) {
        try {
          offset += writeSync(fd, buf, offset);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (readerGone(e as NodeJS.ErrnoException)) {
            closed = true;
            return true;
          }
          if (code !== 'EAGAIN') throw e;
          return getStream().write(buf.subarray(offset));
        }
      }
      return true;
    },
    // Asked once: a batch asks for every line it prints.
    get isTTY() {
      return (tty ??= isatty(fd));
    },
    get columns() {
      return (tty ??= isatty(fd)) ? getStream().columns : undefined;
    },
    once(event: 'drain', listener: () => void) {
      return getStream().once(event, listener);
    },
  };
}

/** Waits until what went through the process streams (if any were needed) has been handed over. */
export function flushOutputs(): Promise<unknown> {
  return Promise.all([...streamsUsed].map((s) => new Promise((resolve) => s.write('', resolve))));
}

export interface Io {
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  /** Reads all of standard input, failing after `limit` bytes (called at most once per command). */
  readStdin(limit: number, signal?: AbortSignal): Promise<string>;
  /** Standard input as a stream (batch mode). */
  openStdin(): Readable;
  /** Aborted on Ctrl-C (SIGINT), SIGTERM or SIGHUP (its reason an InterruptedError): requests stop and ectl exits 128 + the signal's number. */
  signal?: AbortSignal;
  /** Asks for a secret without echo (until Enter; Ctrl-D cancels); absent when standard input is not a terminal. */
  promptSecret?: (question: string) => Promise<string>;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The secrets in play, masked in everything written to stdout and stderr (set by guardOutput). */
  secrets?: SecretMask;
}

/**
 * Makes stdout and stderr mask every secret in play (see SecretMask), whatever writes to them;
 * returns the mask, to which the secrets are added as they become known. Done once per Io.
 */
export function guardOutput(io: Io): SecretMask {
  if (io.secrets) return io.secrets;
  const mask = new SecretMask();
  // The stream's other members (isTTY, columns, once) are reached through the prototype.
  const masked = <T extends { write(s: string): unknown }>(out: T): T => Object.create(out, { write: { value: (s: string) => out.write(mask.mask(s)) } });
  io.stdout = masked(io.stdout);
  io.stderr = masked(io.stderr);
  io.secrets = mask;
  return mask;
}

export function processIo(): Io {
  return {
    stdout: descriptorOutput(1),
    stderr: descriptorOutput(2),
    readStdin: (limit, signal) => readLimited(process.stdin, limit, signal),
    openStdin: () => process.stdin,
    // Looked at only when a secret is missing: asking whether stdin is a terminal costs start-up time.
    // The prompt gives up when a signal ends the call (this.signal is set after this object is made).
    get promptSecret() {
      return isatty(0) ? async (question: string) => (await import('./prompt.js')).promptSecretOnTty(question, this.signal) : undefined;
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

function dropFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/** The most an argument read from a file or standard input may hold: a vCard photo fits, /dev/zero does not. */
export const ARGUMENT_LIMIT = 16 * MiB;

/** Whether `path` names the file standard input is (the same device and inode), whatever its name. */
function isStandardInput(path: string): boolean {
  try {
    const file = statSync(path);
    const stdin = fstatSync(0);
    return file.dev === stdin.dev && file.ino === stdin.ino;
  } catch {
    return false;
  }
}

/** ejabberd's own words that start with @ (shared roster group members), taken literally. */
const EJABBERD_AT_WORDS = new Set(['@all@', '@online@']);

/** What `@path` and `@-` may do where the arguments come from (a batch line is more limited than a command line). */
export interface AtArgumentRules {
  /** Why `@path` is refused here (a batch line without --allow-files): nothing is read. */
  filesRefused?: string;
  /** Why `@-` is refused here (a batch line: standard input is usually the batch itself). */
  stdinRefused?: string;
  /** Argument i's name, for the question when `@-` waits for a terminal. */
  nameOf?: (index: number) => string;
}

/**
 * Expands `@path` (file contents), `@-` (standard input) and `@@x` (the literal `@x`).
 * `isSecret(i)` says whether argument i holds a secret: a file that cannot be read is then not
 * named, as `@word` may be a password that starts with `@`. `@-` at a terminal is asked for
 * as a password is, without echo: one line, Enter ends it.
 */
export async function expandAtArguments(raws: readonly string[], io: Io, isSecret: (index: number) => boolean = () => false, rules: AtArgumentRules = {}): Promise<string[]> {
  let stdinUsed = false;
  const out: string[] = [];
  for (const [index, raw] of raws.entries()) {
    if (raw.startsWith('@@')) out.push(raw.slice(1));
    else if (EJABBERD_AT_WORDS.has(raw)) out.push(raw);
    else if (raw === '@-') {
      if (rules.stdinRefused) throw new UsageError(rules.stdinRefused);
      if (stdinUsed) throw new UsageError("only one argument can be read from standard input ('@-')");
      stdinUsed = true;
      // At a terminal what is typed would show (and Ctrl-D would be the only way to end it): ask instead.
      const ask = io.promptSecret;
      if (ask) {
        const name = rules.nameOf?.(index);
        out.push(await ask(`${name ? `'${name}'` : 'The argument'} from @- (typing is not shown; Enter ends it, Ctrl-D cancels): `));
        continue;
      }
      try {
        out.push(dropFinalNewline(await io.readStdin(ARGUMENT_LIMIT, io.signal)));
      } catch (e) {
        throw e instanceof UsageError ? e : new UsageError(`cannot read standard input ('@-'): ${readFailure(e)}`);
      }
    } else if (raw.startsWith('@') && raw.length > 1) {
      if (rules.filesRefused) throw new UsageError(rules.filesRefused);
      const path = raw.slice(1);
      // /dev/stdin, /dev/fd/0, /proc/self/fd/0... are '@-' by another name.
      if (rules.stdinRefused && isStandardInput(path)) throw new UsageError(`${path} is standard input: ${rules.stdinRefused}`);
      try {
        out.push(dropFinalNewline(await readLimited(path, ARGUMENT_LIMIT, io.signal)));
      } catch (e) {
        const why = readFailure(e);
        if (isSecret(index)) throw new UsageError(`cannot read the argument file named by a secret argument (${why}); a secret that starts with '@' is written '@@...'`);
        throw new UsageError(`cannot read argument file ${path}: ${why}`);
      }
    } else out.push(raw);
  }
  return out;
}
