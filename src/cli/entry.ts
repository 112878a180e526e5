// The bundled CLI's entry point (dist/ectl.cjs): run one command line and set the exit code.
import { main } from './main.js';
import { processIo } from './io.js';

export async function run(argv: string[]): Promise<void> {
  process.exitCode = await main(argv, processIo());
}
