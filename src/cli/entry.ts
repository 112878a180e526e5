// The bundled CLI's entry point (dist/ectl.cjs): run one command line and set the exit code.
import { setMaxListeners } from 'node:events';
import { InterruptedError } from '../errors.js';
import { main } from './main.js';
import { flushOutputs, processIo } from './io.js';

/**
 * How long ectl may take to wind up after a signal (report the lines in flight, remove its
 * temporary files) before it exits anyway: a wait that does not listen for it (a FIFO with no
 * writer) must not keep a SIGTERM from ending the process.
 */
const WIND_UP_MS = 3000;

/**
 * Ends the process once a signal's wind-up is done. SIGHUP is raised again (its default action
 * ends the process; a shell reports 129): after a hang-up Node's own exit fails to restore the
 * closed terminal's settings and aborts (SIGSEGV/SIGABRT, measured on Node 20).
 */
function endAfter(reason: InterruptedError): never {
  if (reason.signal === 'SIGHUP') process.kill(process.pid, 'SIGHUP'); // the once-listener is gone: the default action runs
  process.exit(reason.exitCode);
}

export async function run(argv: string[]): Promise<void> {
  const interrupt = new AbortController();
  // Every request in flight listens to it (batch mode: up to -j at once).
  setMaxListeners(1000, interrupt.signal);
  // SIGTERM and SIGHUP end a call as Ctrl-C does; a second one of the same kind ends it at once (Node's default).
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(name, () => {
      if (interrupt.signal.aborted) return;
      const reason = new InterruptedError(name);
      interrupt.abort(reason);
      setTimeout(() => endAfter(reason), WIND_UP_MS).unref();
    });
  }
  const io = processIo(); // not spread: its promptSecret is a getter looked at only when needed
  io.signal = interrupt.signal;
  process.exitCode = await main(argv, io);
  // Nothing must keep the process alive once the exit code is known (e.g. a stalled socket),
  // but everything written must reach the pipe first.
  await flushOutputs();
  if (interrupt.signal.reason instanceof InterruptedError) endAfter(interrupt.signal.reason);
  process.exit();
}
