// Reads a secret from the terminal without echoing it.
import { InterruptedError, UsageError } from '../errors.js';

/**
 * Asks `question` on stderr and reads one line from the terminal with echo off. The terminal is
 * in raw mode meanwhile, so its keys come here instead of becoming signals: Ctrl-C ends ectl as
 * SIGINT would (exit 130), Ctrl-\ as SIGQUIT; Ctrl-D (or the terminal going away) cancels: the
 * value is not used and nothing is sent (exit 2). Ctrl-U clears what was typed. A signal that
 * ends the call (`signal`: SIGTERM, SIGHUP) puts the terminal back as well.
 */
export function promptSecretOnTty(question: string, signal?: AbortSignal): Promise<string> {
  const stdin = process.stdin;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    // Echo goes off before the question shows, so that an answer typed (or pasted) at once is not echoed.
    stdin.setRawMode(true);
    process.stderr.write(question);
    let value = '';
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err?: Error) => {
      try {
        stdin.setRawMode(false);
      } catch { /* the terminal is gone */ }
      stdin.pause();
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.removeListener('error', onEnd);
      signal?.removeEventListener('abort', onAbort);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const cancelled = () => new UsageError('cancelled at the prompt (Ctrl-D): nothing was sent');
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0004') return done(cancelled());
        if (ch === '\u0003') return done(new InterruptedError('SIGINT'));
        if (ch === '\u001c') return done(new InterruptedError('SIGQUIT'));
        if (ch === '\u0015') value = '';
        else if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const onEnd = () => done(cancelled());
    const onAbort = () => done(signal!.reason);
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', onEnd);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
