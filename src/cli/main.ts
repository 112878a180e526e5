// The command line: one generic subcommand per catalogue record, one generic action, and
// the one place where errors become exit codes.
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { parseArguments } from '../catalogue/args.js';
import { NEWEST_RELEASE, RELEASES, catalogueFor, entryFor, specFor, type ReleaseSpec } from '../catalogue/releases.js';
import type { CommandEntry } from '../catalogue/resolve.js';
import { EctlError, UsageError } from '../errors.js';
import { OUTPUT_FORMATS, resolveSettings, type GlobalFlags } from '../config/settings.js';
import { expandAtArguments, type Io } from './io.js';
import { knownChoice, type ReleaseChoice } from './release.js';
import { runCommand } from './run.js';
import { BATCH_HELP } from './batch-help.js';
import { isSecretArgument, isSecretName } from '../catalogue/secrets.js';
import { errorLabel } from './output.js';
import { escapeControls, escapeControlsKeepLayout } from '../format/escape.js';

/** Batch requests in flight at once unless -j says otherwise: enough to hide latency, few enough to spare the server. */
const DEFAULT_JOBS = 4;

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, unauthorized: 4, interrupted: 130 } as const;

export function globalOptions(): Option[] {
  return [
    new Option('--node <name>', 'send to this node of the profile\'s nodes (env ECTL_NODES lists them as name=url,...)'),
    new Option('--all-nodes', 'run the command on every node of the profile at once; each line of text output starts with the node\'s name'),
    new Option('--yes', 'confirm a command that stops or restarts nodes (stop, restart... with --all-nodes)'),
    new Option('--url <url>', 'ejabberd API base URL (env ECTL_URL; default http://localhost:5280/api)'),
    new Option('--user <jid>', 'admin JID for HTTP Basic auth (env ECTL_USER); password from ECTL_PASSWORD or --password-file'),
    new Option('--password-file <file>', 'read the admin password from this file'),
    new Option('--token <token>', 'OAuth bearer token (env ECTL_TOKEN)'),
    new Option('--token-file <file>', 'read the OAuth bearer token from this file'),
    new Option('--timeout <seconds>', 'give up on a request after this long (default 60)'),
    new Option('--max-reply-size <size>', 'refuse a reply larger than this, e.g. 256M (env ECTL_MAX_REPLY_SIZE; default 64M)'),
    // Completion offers the releases ectl knows; any release number is accepted (25.03.1...).
    Object.assign(new Option('--release <release>', 'the ejabberd release the server runs, e.g. 24.12 (env ECTL_RELEASE; default: detected)'), { suggestions: RELEASES }),
    new Option('--api-version <n>', "use the command's definition of API version <n> or older (default: the newest of the release)"),
    new Option('--ca-file <file>', 'also trust this CA certificate (PEM) for https'),
    new Option('--insecure', 'do not verify the server TLS certificate'),
    new Option('-P, --profile <name>', 'use this profile of the config file (env ECTL_PROFILE)'),
    new Option('--config <file>', 'read settings from this YAML file (env ECTL_CONFIG)'),
    new Option('-o, --output <format>', 'output format (env ECTL_OUTPUT; default: a table for records on a terminal, else text)').choices(OUTPUT_FORMATS as unknown as string[]),
    new Option('--columns <fields>', "show only these fields of the result's records, in this order (comma-separated), in every format"),
    new Option('--no-color', 'no colour, even on a terminal (also NO_COLOR; FORCE_COLOR forces colour)'),
    new Option('-v, --verbose', 'show each request and reply on stderr (secrets as ***)'),
    new Option('--dry-run', 'show the request and an equivalent curl command; send nothing'),
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

/**
 * Where the first word that is not an option or an option's value is: the command's name, if
 * any. Found before commander runs, so that only that command's subcommand need be built.
 */
function commandIndex(argv: readonly string[]): number {
  const takesValue = valueFlags();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (a.startsWith('-')) {
      if (takesValue.has(a)) i++;
      continue;
    }
    return i;
  }
  return -1;
}

let valueFlagSet: Set<string> | undefined;
/** The spellings (-o, --output...) of the global options that take a value; made once (each call of globalOptions builds every option anew). */
function valueFlags(): Set<string> {
  valueFlagSet ??= new Set(globalOptions().filter((o) => o.required || o.optional).flatMap((o) => [o.short, o.long].filter((f): f is string => !!f)));
  return valueFlagSet;
}

/**
 * A wrong use of the options around a command word, in words: a value-taking option last with
 * nothing after it (`ectl stats abc -o`), or one that took the command's name as its value
 * (`ectl --columns stats x`, found when the word after it is then read as the command).
 */
function optionProblem(typed: readonly string[], at: number, options: readonly string[]): string | undefined {
  const takesValue = valueFlags();
  for (let i = 0; i < options.length; i++) {
    if (!takesValue.has(options[i])) continue;
    if (i + 1 >= options.length) return `option '${options[i]}' lacks its value: give it one (${options[i]} VALUE) or leave it out`;
    i++;
  }
  const before = typed[at - 2];
  if (at >= 2 && takesValue.has(before) && entryFor(typed[at - 1]) && !entryFor(typed[at]) && !BUILTIN_WORDS.has(typed[at])) {
    return `option '${before}' took the command name '${typed[at - 1]}' as its value: give ${before} a value of its own before the command (${before} VALUE ${typed[at - 1]} ...)`;
  }
  return undefined;
}

/** The options part of a line positionalsFirst rearranged: between the command word and the `--` it put there. */
function trailingOptions(argv: readonly string[], at: number): readonly string[] {
  const end = argv.indexOf('--', at + 1);
  return end < 0 ? [] : argv.slice(at + 1, end);
}

const isHelpFlag = (a: string | undefined) => a === '-h' || a === '--help';

/**
 * ejabberdctl's argument rule: once the command word is read, the words after it fill the
 * command's `count` positional arguments in order, whatever their first character
 * (`send_message chat a@h b@h '' -h` sends "-h"); ectl's own options may follow once they are
 * filled, and `--` ends options. Returns the line with the positionals moved after a `--`, for
 * commander and the option scans to take as they are. Help stays reachable: `-h`/`--help` right
 * after the command word, or last on a line too short to fill the arguments
 * (`ectl register bob --help`), asks for the command's help; a `--` right after the command
 * word is dropped (the old way to pass a value that starts with '-').
 */
export function positionalsFirst(argv: readonly string[], at: number, count: number): string[] {
  const rest = argv.slice(at + 1);
  if (isHelpFlag(rest[0])) return [...argv];
  if (rest.length < count && isHelpFlag(rest[rest.length - 1])) return [...argv.slice(0, at + 1), ...rest.slice(-1), '--', ...rest.slice(0, -1)];
  const words = rest[0] === '--' ? rest.slice(1) : rest;
  const positionals = words.slice(0, count);
  const after = words.slice(count);
  const end = after.indexOf('--');
  const options = end < 0 ? after : after.slice(0, end);
  const extra = end < 0 ? [] : after.slice(end + 1);
  return [...argv.slice(0, at + 1), ...options, '--', ...positionals, ...extra];
}

/** How many words a command takes: all its arguments, and how many it cannot do without (a last secret may be asked for). */
function argumentCounts(spec: ReleaseSpec): { count: number; required: number } {
  const last = spec.args[spec.args.length - 1];
  return { count: spec.args.length, required: last && isSecretName(last.name) ? spec.args.length - 1 : spec.args.length };
}

/** ` (usage: ectl register <user> <host> [password] [options]; see 'ectl register --help')`: what a wrong command line gets. */
export function usageHint(spec: ReleaseSpec): string {
  const { required } = argumentCounts(spec);
  const words = spec.args.map((a, i) => (i < required ? `<${a.name}>` : `[${a.name}]`));
  return ` (usage: ectl ${[spec.name, ...words].join(' ')} [options]; see 'ectl ${spec.name} --help')`;
}

/** ectl's own subcommands beside the catalogue's (buildProgram adds them). */
const EXTRA_WORDS = new Set(['batch', 'login', 'logout', 'cluster', 'rolling-restart', 'doctor']);
/** Words that are ectl's own subcommands, not catalogue records. */
const BUILTIN_WORDS = new Set(['help', 'completion', '__complete', ...EXTRA_WORDS]);

/** `-h`/`--help` among the options (before any `--`). */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '-h' || a === '--help');
}

/** help, completion and the hidden __complete: their code is loaded only when used. */
async function runBuiltin(word: string | undefined, rest: string[], call: CommandCall | undefined, io: Io, toStderr: boolean, argv: readonly string[]): Promise<number> {
  if (word === 'completion' || word === '__complete') {
    const { runCompletionCommand } = await import('./complete.js');
    return runCompletionCommand(word, rest, io, globalOptions(), () => extraCommands(io));
  }
  if (word === 'help' && rest.includes('--man')) {
    if (withoutGlobalOptions(rest).length > 1) throw new UsageError('help --man takes no topic');
    // The man page itself, generated as npm run gen writes man/ectl.1: an executable without
    // its package directory has no file to show.
    const { renderManPage } = await import('../gen/man.js');
    io.stdout.write(renderManPage({ commands: catalogueFor(), options: globalOptions(), extras: extraCommands(io) }, packageVersion()));
    return EXIT.ok;
  }
  const { renderHelp } = await import('./help.js');
  const topics = word === 'help' ? withoutGlobalOptions(rest).filter((a) => a !== '-h' && a !== '--help') : call ? [call.spec.name] : [];
  // Help follows the release in use (given or cached; nothing is asked of the server).
  const choice = call?.choice ?? (await knownRelease(argv, io));
  // A command the release lacks: say which release added it rather than "unknown".
  for (const t of topics) {
    const entry = entryFor(t);
    if (entry) specFor(entry, choice.release, choice.apiVersion);
  }
  const ctx = { commands: catalogueFor(choice.release, choice.apiVersion), options: globalOptions(), extras: extraCommands(io), release: choice };
  (toStderr ? io.stderr : io.stdout).write(renderHelp(topics, ctx));
  return toStderr ? EXIT.usage : EXIT.ok;
}

/** Arguments without the global options and their values (`ectl help --release 23.01 x`). */
function withoutGlobalOptions(args: readonly string[]): string[] {
  const options = globalOptions();
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const opt = options.find((o) => o.short === a || o.long === a || (o.long && a.startsWith(`${o.long}=`)));
    if (!opt) out.push(a);
    else if ((opt.required || opt.optional) && !a.includes('=')) i++;
  }
  return out;
}

/** A command line's command: its catalogue entry, the definition in use and the release spoken. */
export interface CommandCall {
  readonly entry: CommandEntry;
  readonly spec: ReleaseSpec;
  readonly choice: ReleaseChoice & { readonly apiVersion?: number };
}

/** The global options of a command line, parsed before the command's own arguments are known. */
function globalFlags(argv: readonly string[]): GlobalFlags {
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

/** The release a command line speaks without asking the server: given, cached, or the newest. */
async function knownRelease(argv: readonly string[], io: Io): Promise<ReleaseChoice & { apiVersion?: number }> {
  const settings = await resolveSettings(globalFlags(argv), io.env, io.cwd, { readToken: false, readSecrets: false });
  return { ...knownChoice(settings, io.env), apiVersion: settings.apiVersion };
}

/**
 * The definition a command line uses: the one of the given or cached release, else of the
 * newest (the action detects the release before sending, and checks the arguments again if
 * it differs). A command the known release lacks is a usage error before anything is sent.
 */
async function commandCall(entry: CommandEntry, argv: readonly string[], io: Io): Promise<CommandCall> {
  const choice = await knownRelease(argv, io);
  return { entry, spec: specFor(entry, choice.release, choice.apiVersion), choice };
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
  const last = spec.args[spec.args.length - 1];
  const promptable = last && isSecretName(last.name) ? last : undefined;
  for (const arg of spec.args) {
    const name = arg === promptable ? `[${arg.name}]` : `<${arg.name}>`;
    cmd.argument(name, `${arg.description} (${typeof arg.type === 'string' ? arg.type : 'list'})`);
  }
  cmd.action(async (...params: unknown[]) => {
    const raws = params.slice(0, spec.args.length) as string[];
    if (promptable && raws[raws.length - 1] === undefined) {
      // Whether there is a terminal to ask on is looked at only now (it costs start-up time).
      const ask = io.promptSecret;
      if (!ask) throw new UsageError(`missing required argument '${promptable.name}' (no terminal to ask it on)${usageHint(spec)}`);
      raws[raws.length - 1] = await ask(`${promptable.description} (${promptable.name}): `);
    }
    const expanded = await expandAtArguments(raws, io, (i) => isSecretArgument(spec, i, raws));
    let body: ReturnType<typeof parseArguments>;
    try {
      body = parseArguments(spec, expanded);
    } catch (err) {
      if (err instanceof UsageError) err.message += usageHint(spec);
      throw err;
    }
    const flags = program.opts() as GlobalFlags;
    actionExitCode = await runCommand(call, expanded, body, flags, io);
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
      const ttl = opts.ttl === undefined ? DEFAULT_TOKEN_TTL : Number(opts.ttl);
      if (!Number.isInteger(ttl) || ttl < 1) throw new UsageError(`--ttl must be a whole number of seconds, got '${opts.ttl}'`);
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
      const seconds = (v: string | undefined, name: string, dflt: number, min: number) => {
        const n = v === undefined ? dflt : Number(v);
        if (!Number.isInteger(n) || n < min || n > 86_400) throw new UsageError(`--${name} must be a whole number of seconds from ${min} to 86400, got '${v}'`);
        return n;
      };
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
    .allowExcessArguments(false)
    .action(async (file: string | undefined, opts: { jobs?: string; stopOnError?: boolean }) => {
      const jobs = opts.jobs === undefined ? DEFAULT_JOBS : Number(opts.jobs);
      if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) throw new UsageError(`--jobs must be a whole number from 1 to 256, got '${opts.jobs}'`);
      const { runBatch } = await import('./batch.js');
      actionExitCode = await runBatch(file, { jobs, stopOnError: !!opts.stopOnError }, singleServer(program.opts() as GlobalFlags, 'batch'), io, exitCodeFor, io.signal);
    });
}

// The exit code of an action that has its own (batch, doctor): commander actions cannot return one.
let actionExitCode = 0;

function commanderMessage(err: CommanderError): string {
  // An unknown option close to none of ectl's may be a secret that starts with '-' (a password
  // typed as an argument): it is not echoed. A near miss (--verbos) is a typo and is shown.
  if (err.code === 'commander.unknownOption' && !/Did you mean/.test(err.message)) {
    return "unknown option (not shown, in case it is a secret); ectl's options go before the command or after all of its arguments";
  }
  return err.message.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)').replace(/\n/g, ' ');
}

/** What a command line commander refused gets: too many words are counted as the argument rule counts them. */
function commandLineMessage(err: CommanderError, spec: ReleaseSpec, typed: readonly string[], at: number): string {
  if (err.code !== 'commander.excessArguments') return commanderMessage(err);
  const want = spec.args.length;
  const names = spec.args.map((a) => a.name).join(' ');
  const afterDashes = typed.slice(at + 2).includes('--') ? "; the words after a '--' are arguments, not options" : '';
  return `too many arguments: '${spec.name}' takes ${want ? `${want} (${names})` : 'none'}${afterDashes}`;
}

/** Runs one ectl command line; returns the exit code. */
export async function main(typed: string[], io: Io): Promise<number> {
  const at = commandIndex(typed);
  const word = at < 0 ? undefined : typed[at];
  const entry = word ? entryFor(word) : undefined;
  let argv = typed;
  let call: CommandCall | undefined;
  try {
    if (entry) {
      // The words are counted as the newest release defines the command, then again as the release in use does.
      const newest = argumentCounts(specFor(entry, NEWEST_RELEASE));
      argv = positionalsFirst(typed, at, newest.count);
      call = await commandCall(entry, argv, io);
      const used = argumentCounts(call.spec);
      if (used.count !== newest.count) argv = positionalsFirst(typed, at, used.count);
      const problem = optionProblem(typed, at, trailingOptions(argv, at));
      if (problem) throw new UsageError(`${problem}${usageHint(call.spec)}`);
    } else {
      // No command: an option last without its value (`ectl -o`) is named rather than answered with the overall help.
      const problem = optionProblem(typed, at, word ? [] : typed);
      if (problem) throw new UsageError(problem);
    }
    const help = asksForHelp(argv);
    // `ectl nosuchcmd --help` is an unknown command (exit 2, with a suggestion), not a request for the overall help.
    if (help && word && !call && !BUILTIN_WORDS.has(word)) argv = argv.filter((a) => !isHelpFlag(a));
    else if (word === 'help' || word === 'completion' || word === '__complete' || (help && (call || !word))) {
      return await runBuiltin(word, argv.slice(at + 1), call, io, false, argv);
    }
    if (!word && !argv.some((a) => a === '-V' || a === '--version')) return await runBuiltin(undefined, [], undefined, io, true, argv);
    // batch, doctor...: their line needs none of the catalogue's 200 subcommands.
    const program = buildProgram(io, call ?? (word && EXTRA_WORDS.has(word) ? 'extras' : undefined));
    actionExitCode = 0;
    await program.parseAsync(argv, { from: 'user' });
    return actionExitCode;
  } catch (err) {
    if (io.signal?.aborted) return EXIT.interrupted; // Ctrl-C: nothing more to say
    // Only a real error needs its label (and with it a look at whether stderr is a terminal).
    if (exitCodeFor(err) === EXIT.ok) return EXIT.ok;
    // A wrong command line for a command shows that command's usage line.
    const shown = call && err instanceof CommanderError ? new UsageError(`${commandLineMessage(err, call.spec, typed, at)}${usageHint(call.spec)}`) : err;
    const options = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
    return reportError(shown, io, options.includes('--debug'), await errorLabel(io, argv));
  }
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof EctlError) return EXIT[err.kind];
  return EXIT.failed;
}

/** Prints the one-line message; `label` is `Error:`, painted when standard error is a colour terminal. */
export function reportError(err: unknown, io: Io, debug: boolean, label = 'Error:'): number {
  const code = exitCodeFor(err);
  // Messages may quote the server or what was typed: escaped, each stays one line.
  const say = (message: string) => io.stderr.write(`${label} ${escapeControls(message)}\n`);
  if (err instanceof CommanderError) {
    if (code !== EXIT.ok) say(`${commanderMessage(err)} (see 'ectl --help')`);
  } else if (err instanceof EctlError) {
    say(err.message);
    if (debug) io.stderr.write(`${escapeControlsKeepLayout(String(err.stack))}\n`);
  } else {
    say(`internal error: ${(err as Error)?.message ?? String(err)}${debug ? '' : ' (run with --debug for details)'}`);
    if (debug) io.stderr.write(`${escapeControlsKeepLayout(String((err as Error)?.stack))}\n`);
  }
  return code;
}

