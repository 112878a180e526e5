// The typed errors ectl raises. Only src/cli turns them into exit codes and messages on stderr.

export type ErrorKind = 'usage' | 'failed' | 'unreachable' | 'unauthorized' | 'interrupted';

export abstract class EctlError extends Error {
  abstract readonly kind: ErrorKind;
}

/** Bad input or configuration: nothing was sent. */
export class UsageError extends EctlError {
  readonly kind = 'usage';
}

/** The server ran (or refused to run) the command and reported a failure. */
export class CommandFailedError extends EctlError {
  readonly kind = 'failed';
  /**
   * `unrun`: the server's API refused the request before running the command (no such command,
   * missing or unknown arguments), in its own words; any other failure may come from a command
   * that ran (ejabberd answers 404 for a command's own "not found").
   */
  constructor(message: string, readonly status?: number, readonly code?: number, readonly unrun = false) {
    super(message);
  }
}

/**
 * A yes/no command (catalogue/predicates.ts) answered "no": exit status 1 like a failure, but an
 * answer, not an error: nothing is said about it unless -v asks.
 */
export class NoAnswer extends CommandFailedError {
  constructor(readonly command: string, meaning: string) {
    super(`${command} answered no: ${meaning}`);
  }
}

/** The server could not be reached, timed out, failed TLS, or did not answer like an ejabberd API. */
export class UnreachableError extends EctlError {
  readonly kind = 'unreachable';
  /**
   * Not one byte of the request was written (the connection was refused, the name not resolved,
   * TLS failed or time ran out before the first write): the only failure after which ectl sends
   * a request again, to another node. Decided by the transport where it writes; any failure after
   * the first write leaves it false, as the server may have run the command.
   */
  readonly notSent: boolean;
  /** The server closed the connection after the request was written, before a full reply. */
  readonly cut: boolean;
  constructor(message: string, options: { notSent?: boolean; cut?: boolean } = {}) {
    super(message);
    this.notSent = options.notSent ?? false;
    this.cut = options.cut ?? false;
  }
}

/** The server refused the credentials (HTTP 401 or 403). */
export class UnauthorizedError extends EctlError {
  readonly kind = 'unauthorized';
  constructor(message: string, readonly status: number, readonly code?: number) {
    super(message);
  }
}

/** Signal numbers of the signals that end a call early (the same on Linux and macOS). */
const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 } as const;
export type EndingSignal = keyof typeof SIGNAL_NUMBERS;

/**
 * The call was ended by a signal (SIGINT, SIGTERM, SIGHUP) or by Ctrl-C / Ctrl-\ at a prompt:
 * a request in flight may or may not have run. Exits 128 + the signal's number, as a shell reports it.
 */
export class InterruptedError extends EctlError {
  readonly kind = 'interrupted';
  readonly exitCode: number;
  constructor(readonly signal: EndingSignal) {
    super(`interrupted (${signal})`);
    this.exitCode = 128 + SIGNAL_NUMBERS[signal];
  }
}

/** The exit code of a call that `signal` ended: 128 + the signal's number (130 for Ctrl-C). */
export function interruptedExitCode(signal: AbortSignal): number {
  return signal.reason instanceof InterruptedError ? signal.reason.exitCode : 128 + SIGNAL_NUMBERS.SIGINT;
}
