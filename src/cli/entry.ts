// The bundled CLI's entry point (dist/ectl.cjs): run one command line and set the exit code.
import { setMaxListeners } from 'node:events';
import { main } from './main.js';
import { flushOutputs, processIo } from './io.js';

export async function run(argv: string[]): Promise<void> {
  const interrupt = new AbortController();
  // Every request in flight listens to it (batch mode: up to -j at once).
  setMaxListeners(1000, interrupt.signal);
  process.once('SIGINT', () => interrupt.abort());
  const io = processIo(); // not spread: its promptSecret is a getter looked at only when needed
  io.signal = interrupt.signal;
  process.exitCode = await main(argv, io);
  // Nothing must keep the process alive once the exit code is known (e.g. a stalled socket),
  // but everything written must reach the pipe first.
  await flushOutputs();
  process.exit();
}
