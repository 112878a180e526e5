// Writes the generated files (man page, completion scripts) from the catalogue, or with
// --check compares them with what is committed and exits 1 when any differs.
// Usage: node dist/gen/generate.js [--check] [--dir DIR]   (DIR: where man/ and completions/
// are, by default the package root)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogueFor } from '../catalogue/releases.js';
import { extraCommands, globalOptions } from '../cli/program.js';
import { processIo } from '../cli/io.js';
import type { HelpContext } from '../cli/help.js';
import { COMPLETION_FILES, completionScript, type Shell } from './completions.js';
import { MAN_FILE, renderManPage } from './man.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every generated file, relative to the package root, with its content. */
export function generatedFiles(): [string, string][] {
  const ctx: HelpContext = { commands: catalogueFor(), options: globalOptions(), extras: extraCommands(processIo()) };
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string;
  return [
    [MAN_FILE, renderManPage(ctx, version)],
    ...(Object.entries(COMPLETION_FILES) as [Shell, string][]).map(([shell, file]): [string, string] => [file, completionScript(shell, ctx)]),
  ];
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const dirAt = args.indexOf('--dir');
  const dir = dirAt >= 0 ? args[dirAt + 1] : root;
  const stale: string[] = [];
  for (const [file, content] of generatedFiles()) {
    const path = join(dir, file);
    if (read(path) === content) continue;
    if (check) stale.push(file);
    else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      process.stdout.write(`wrote ${file}\n`);
    }
  }
  if (stale.length) {
    process.stderr.write(`Error: out of date (run npm run gen): ${stale.join(', ')}\n`);
    process.exitCode = 1;
  }
}
