// The command line: one generic subcommand per catalogue record, one generic action, and
// the one place where errors become exit codes.
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { commands } from '../catalogue/commands.js';
import type { CommandSpec } from '../catalogue/types.js';
import { parseArguments } from '../catalogue/args.js';
import { findCommand } from '../client/client.js';
import { EctlError } from '../errors.js';
import { OUTPUT_FORMATS, type GlobalFlags } from '../config/settings.js';
import { expandAtArguments, type Io } from './io.js';
import { runCommand } from './run.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, unauthorized: 4, interrupted: 130 } as const;

/** Global options that take a value; used to find the command word without building every subcommand. */
const VALUE_OPTIONS = new Set(['--url', '--user', '--password-file', '--token', '--token-file', '--timeout', '--api-version', '--ca-file', '-P', '--profile', '--config', '-o', '--output']);

export function globalOptions(): Option[] {
  return [
    new Option('--url <url>', 'ejabberd API base URL (env ECTL_URL; default http://localhost:5280/api)'),
    new Option('--user <jid>', 'admin JID for HTTP Basic auth (env ECTL_USER); password from ECTL_PASSWORD or --password-file'),
    new Option('--password-file <file>', 'read the admin password from this file'),
    new Option('--token <token>', 'OAuth bearer token (env ECTL_TOKEN)'),
    new Option('--token-file <file>', 'read the OAuth bearer token from this file'),
    new Option('--timeout <seconds>', 'give up on a request after this long (default 60)'),
    new Option('--api-version <n>', 'call the versioned endpoint <url>/<command>/v<n>'),
    new Option('--ca-file <file>', 'also trust this CA certificate (PEM) for https'),
    new Option('--insecure', 'do not verify the server TLS certificate'),
    new Option('-P, --profile <name>', 'use this profile of the config file (env ECTL_PROFILE)'),
    new Option('--config <file>', 'read settings from this YAML file (env ECTL_CONFIG)'),
    new Option('-o, --output <format>', 'output format (env ECTL_OUTPUT)').choices(OUTPUT_FORMATS as unknown as string[]),
    new Option('--debug', 'show stack traces of internal errors'),
  ];
}

declare const __ECTL_VERSION__: string | undefined;

function packageVersion(): string {
  if (typeof __ECTL_VERSION__ === 'string') return __ECTL_VERSION__; // set by the bundler
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/** The first word that is not an option or an option's value: the command's name, if any. */
function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return argv[i + 1];
    if (a.startsWith('-')) {
      if (VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    return a;
  }
  return undefined;
}

function addCommand(program: Command, spec: CommandSpec, io: Io): void {
  const cmd = program.command(spec.name).description(spec.summary).allowExcessArguments(false);
  if (spec.name.includes('_')) cmd.alias(spec.name.replace(/_/g, '-'));
  for (const arg of spec.args) cmd.argument(`<${arg.name}>`, `${arg.description} (${typeof arg.type === 'string' ? arg.type : 'list'})`);
  cmd.action(async (...params: unknown[]) => {
    const raws = params.slice(0, spec.args.length) as string[];
    const expanded = await expandAtArguments(raws, io);
    const body = parseArguments(spec, expanded);
    const flags = program.opts() as GlobalFlags;
    await runCommand(spec, body, flags, io);
  });
}

export function buildProgram(io: Io, only?: CommandSpec): Command {
  const program = new Command('ectl')
    .usage('[options] <command> [arguments...]')
    .description('Administer an ejabberd server over its HTTP API, with ejabberdctl-compatible output.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => {}, // our one-line message is printed by main()
    })
    .showSuggestionAfterError(true);
  for (const opt of globalOptions()) program.addOption(opt);
  for (const spec of only ? [only] : commands) addCommand(program, spec, io);
  return program;
}

function commanderMessage(err: CommanderError): string {
  return err.message.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)').replace(/\n/g, ' ');
}

/** Runs one ectl command line; returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const word = commandWord(argv);
  const spec = word ? findCommand(word) : undefined;
  const program = buildProgram(io, spec);
  try {
    if (!word && !argv.some((a) => a === '-h' || a === '--help' || a === '-V' || a === '--version')) {
      io.stderr.write(program.helpInformation());
      return EXIT.usage;
    }
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    return reportError(err, io, argv.includes('--debug'));
  }
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof EctlError) return EXIT[err.kind];
  return EXIT.failed;
}

export function reportError(err: unknown, io: Io, debug: boolean): number {
  const code = exitCodeFor(err);
  if (err instanceof CommanderError) {
    if (code !== EXIT.ok) io.stderr.write(`Error: ${commanderMessage(err)} (see 'ectl --help')\n`);
  } else if (err instanceof EctlError) {
    io.stderr.write(`Error: ${err.message}\n`);
    if (debug) io.stderr.write(`${err.stack}\n`);
  } else {
    io.stderr.write(`Error: internal error: ${(err as Error)?.message ?? String(err)}${debug ? '' : ' (run with --debug for details)'}\n`);
    if (debug) io.stderr.write(`${(err as Error)?.stack}\n`);
  }
  return code;
}

