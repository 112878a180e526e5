// The commander program: help, ectl's own subcommands (batch, doctor...) and every command line
// the plain reading in main.ts leaves to commander to judge. Loaded only for those lines.
import { Command, Option } from 'commander';
import { NEWEST_RELEASE, catalogueFor, entryFor } from '../catalogue/releases.js';
import { UsageError } from '../errors.js';
import type { GlobalFlags } from '../config/settings.js';
import type { Io } from './io.js';
import { BATCH_HELP } from './batch-help.js';
import { GLOBAL_OPTIONS } from './global-options.js';
import { parseDecimal } from '../config/numbers.js';
import { promptableArgument } from '../catalogue/secrets.js';
import { exitCodeFor, packageVersion, runCatalogueCall, type CommandCall } from './main.js';

/** Batch requests in flight at once unless -j says otherwise: enough to hide latency, few enough to spare the server. */
const DEFAULT_JOBS = 4;

/** The global options as commander's, made from the one table (help, the man page and completion read them too). */
export function globalOptions(): Option[] {
  return GLOBAL_OPTIONS.map((o) => {
    const option = new Option(o.flags, o.description);
    if (o.choices) option.choices(o.choices as string[]);
    return o.suggestions ? Object.assign(option, { suggestions: o.suggestions }) : option;
  });
}

/** Subcommands that are not catalogue records (batch), for help, the man page and completion. */
export function extraCommands(io: Io) {
  return buildProgram(io, 'extras').commands.map((c) => ({
    name: c.name(), usage: c.usage(), summary: c.description(), options: c.options, help: c.name() === 'batch' ? `${c.helpInformation()}\n${BATCH_HELP}` : c.helpInformation(),
  }));
}

function addCommand(program: Command, call: CommandCall, io: Io): void {
  const { spec } = call;
  const cmd = program.command(spec.name).description(spec.summary).allowExcessArguments(false);
  if (spec.name.includes('_')) cmd.alias(spec.name.replace(/_/g, '-'));
  // A secret given last (register's password...) may be left out on a terminal: ectl asks for it.
  const promptable = promptableArgument(spec);
  for (const arg of spec.args) {
    const name = arg === promptable ? `[${arg.name}]` : `<${arg.name}>`;
    cmd.argument(name, `${arg.description} (${typeof arg.type === 'string' ? arg.type : 'list'})`);
  }
  cmd.action(async (...params: unknown[]) => {
    actionExitCode = await runCatalogueCall(call, params.slice(0, spec.args.length) as (string | undefined)[], program.opts() as GlobalFlags, io);
  });
}

/**
 * The commander program for one command line: with `only`, that catalogue command alone; with
 * 'extras', ectl's own subcommands (batch, doctor...) without the catalogue's; else all of them.
 */
export function buildProgram(io: Io, only?: CommandCall | 'extras'): Command {
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
  if (only && only !== 'extras') addCommand(program, only, io);
  else {
    // Every command as the newest release defines it (for suggestions and the list of others).
    if (!only) for (const spec of catalogueFor()) addCommand(program, { entry: entryFor(spec.name)!, spec, choice: { release: NEWEST_RELEASE, source: 'unknown' } }, io);
    addBatchCommand(program, io);
    addConnectionCommands(program, io);
  }
  return program;
}

function addConnectionCommands(program: Command, io: Io): void {
  const flags = () => {
    const f = program.opts() as GlobalFlags;
    // These talk to the server in several steps of their own; showing one request would mislead.
    if (f.dryRun) throw new UsageError('--dry-run applies to ejabberd commands and batch, not to login, logout or doctor');
    return f;
  };
  program.command('login')
    .description("get an OAuth token for the admin account and save it in the profile's token file")
    .option('--ttl <seconds>', 'how long the token stays valid (default 30 days)')
    .allowExcessArguments(false)
    .action(async (opts: { ttl?: string }) => {
      const { login, DEFAULT_TOKEN_TTL } = await import('./login.js');
      const ttl = opts.ttl === undefined ? DEFAULT_TOKEN_TTL : parseDecimal(opts.ttl, '--ttl', { integer: true, unit: 'seconds', min: 1, max: Number.MAX_SAFE_INTEGER });
      await login(singleServer(flags(), 'login'), io, ttl);
    });
  program.command('logout')
    .description('revoke the token saved by ectl login and delete it')
    .allowExcessArguments(false)
    .action(async () => (await import('./login.js')).logout(singleServer(flags(), 'logout'), io));
  program.command('cluster')
    .description("one table of every node of the profile's nodes: reachable, release, uptime, online users, whether its list_cluster agrees")
    .allowExcessArguments(false)
    .action(async () => { actionExitCode = await (await import('./cluster.js')).clusterCommand(program.opts() as GlobalFlags, io); });
  program.command('rolling-restart')
    .description("restart the profile's nodes one at a time, each answering again and back in the cluster before the next")
    .option('--wait <seconds>', 'how long a node has to go down and come back (default 300)')
    .option('--delay <seconds>', 'with restart_kindly: how long its users are warned before (default 30)')
    .option('--message <text>', 'with restart_kindly: the warning its users get')
    .allowExcessArguments(false)
    .action(async (opts: { wait?: string; delay?: string; message?: string }) => {
      const seconds = (v: string | undefined, name: string, dflt: number, min: number) =>
        v === undefined ? dflt : parseDecimal(v, `--${name}`, { integer: true, unit: 'seconds', min, max: 86_400 });
      const waitS = seconds(opts.wait, 'wait', 300, 1);
      const delayS = seconds(opts.delay, 'delay', 30, 0);
      actionExitCode = await (await import('./cluster.js')).rollingRestart(program.opts() as GlobalFlags, io, { waitS, delayS, message: opts.message });
    });
  program.command('doctor')
    .description('check the connection to the server step by step: URL, DNS, TCP, TLS, API, credentials, permissions, version')
    .allowExcessArguments(false)
    .action(async () => { actionExitCode = await (await import('./doctor.js')).doctor(flags(), io); });
}

/** The flags of a command that talks to one server (--node picks it): --all-nodes is refused. */
function singleServer(flags: GlobalFlags, what: string): GlobalFlags {
  if (flags.allNodes) throw new UsageError(`--all-nodes applies to ejabberd commands, not to ${what}: use --node to pick one node`);
  return flags;
}

function addBatchCommand(program: Command, io: Io): void {
  program.command('batch')
    .description('run many commands, one per line of FILE or standard input; results in input order')
    .addHelpText('after', `\n${BATCH_HELP.replace(/\n$/, '')}`) // commander ends it with a newline
    .argument('[file]', "file of commands ('-' or none: standard input)")
    .option('-j, --jobs <n>', `requests in flight at once (default ${DEFAULT_JOBS})`)
    .option('--stop-on-error', 'send no new line once one has failed (lines already sent still finish)')
    .option('--allow-files', "let lines read local files with '@path' (a batch file is data: without this, '@path' is an error for its line)")
    .allowExcessArguments(false)
    .action(async (file: string | undefined, opts: { jobs?: string; stopOnError?: boolean; allowFiles?: boolean }) => {
      const jobs = opts.jobs === undefined ? DEFAULT_JOBS : parseDecimal(opts.jobs, '--jobs', { integer: true, min: 1, max: 256 });
      const { runBatch } = await import('./batch.js');
      actionExitCode = await runBatch(file, { jobs, stopOnError: !!opts.stopOnError, allowFiles: !!opts.allowFiles }, singleServer(program.opts() as GlobalFlags, 'batch'), io, exitCodeFor, io.signal);
    });
}

// The exit code of an action that has its own (batch, doctor): commander actions cannot return one.
let actionExitCode = 0;

/** Runs a command line through commander (see buildProgram for `only`); returns the exit code. */
export async function runProgram(argv: readonly string[], io: Io, only?: CommandCall | 'extras'): Promise<number> {
  const program = buildProgram(io, only);
  actionExitCode = 0;
  await program.parseAsync([...argv], { from: 'user' });
  return actionExitCode;
}

/** The global options of a command line, parsed before the command's own arguments are known. */
export function commanderFlags(argv: readonly string[]): GlobalFlags {
  const program = new Command().exitOverride().helpOption(false).allowUnknownOption().allowExcessArguments()
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} })
    .argument('[words...]');
  for (const opt of globalOptions()) program.addOption(opt);
  try {
    program.parse([...argv], { from: 'user' });
  } catch {
    return {}; // the real parse reports it
  }
  return program.opts() as GlobalFlags;
}
