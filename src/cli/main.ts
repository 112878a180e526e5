// The command line: the one generic action of every catalogue command, and the one place where
// errors become exit codes. A plain command line (known options, its arguments, no help) runs
// straight away; help, ectl's own subcommands and every line with something to judge go through
// commander (program.ts, loaded only then).
import { readFileSync } from 'node:fs';
import { parseArguments } from '../catalogue/args.js';
import { NEWEST_RELEASE, catalogueFor, entryFor, specFor, type ReleaseSpec } from '../catalogue/releases.js';
import type { CommandEntry } from '../catalogue/resolve.js';
import { EctlError, InterruptedError, UsageError, interruptedExitCode } from '../errors.js';
import { resolveSettings, type GlobalFlags } from '../config/settings.js';
import { expandAtArguments, type Io } from './io.js';
import { knownChoice, type ReleaseChoice } from './release.js';
import { runCommand } from './run.js';
import { isSecretArgument, promptableArgument } from '../catalogue/secrets.js';
import { errorLabel } from './output.js';
import { escapeControls, escapeControlsKeepLayout } from '../format/escape.js';
import { optionNamed, plainGlobalFlags, takesValue } from './global-options.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, unauthorized: 4, interrupted: 130 } as const;

declare const __ECTL_VERSION__: string | undefined;

export function packageVersion(): string {
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
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (a.startsWith('-')) {
      if (takesValue(a)) i++;
      continue;
    }
    return i;
  }
  return -1;
}

/**
 * A wrong use of the options around a command word, in words: a value-taking option last with
 * nothing after it (`ectl stats abc -o`), or one that took the command's name as its value
 * (`ectl --columns stats x`, found when the word after it is then read as the command).
 */
function optionProblem(typed: readonly string[], at: number, options: readonly string[]): string | undefined {
  for (let i = 0; i < options.length; i++) {
    if (!takesValue(options[i])) continue;
    if (i + 1 >= options.length) return `option '${options[i]}' lacks its value: give it one (${options[i]} VALUE) or leave it out`;
    i++;
  }
  const before = typed[at - 2];
  if (at >= 2 && takesValue(before) && entryFor(typed[at - 1]) && !entryFor(typed[at]) && !BUILTIN_WORDS.has(typed[at])) {
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
  return { count: spec.args.length, required: promptableArgument(spec) ? spec.args.length - 1 : spec.args.length };
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
  const { extraCommands, globalOptions } = await import('./program.js');
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
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const opt = optionNamed(args[i]);
    if (!opt) out.push(args[i]);
    else if (opt.takesValue && !opt.inline) i++;
  }
  return out;
}

/** A command line's command: its catalogue entry, the definition in use and the release spoken. */
export interface CommandCall {
  readonly entry: CommandEntry;
  readonly spec: ReleaseSpec;
  readonly choice: ReleaseChoice & { readonly apiVersion?: number };
}

/**
 * The global options of a line as positionalsFirst rearranged it, when they are plain (see
 * plainGlobalFlags): the words around the command word, before the `--` put after them.
 */
function plainFlags(argv: readonly string[], at: number): GlobalFlags | undefined {
  const end = argv.indexOf('--');
  return at >= 0 && end > at ? plainGlobalFlags([...argv.slice(0, at), ...argv.slice(at + 1, end)]) : undefined;
}

/** The command's arguments on a rearranged line, one per argument (a secret left out: undefined), when their number fits. */
function plainArguments(argv: readonly string[], spec: ReleaseSpec): (string | undefined)[] | undefined {
  const words = argv.slice(argv.indexOf('--') + 1);
  const { count, required } = argumentCounts(spec);
  if (words.length < required || words.length > count) return undefined;
  return spec.args.map((_, i) => words[i]);
}

/** The global options of a line; commander reads those that are not plain. */
async function globalFlags(argv: readonly string[], at: number): Promise<GlobalFlags> {
  return plainFlags(argv, at) ?? (await import('./program.js')).commanderFlags(argv);
}

/** The release a command line speaks without asking the server: given, cached, or the newest. */
async function knownRelease(argv: readonly string[], io: Io, at = -1): Promise<ReleaseChoice & { apiVersion?: number }> {
  const settings = await resolveSettings(await globalFlags(argv, at), io.env, io.cwd, { readToken: false, readSecrets: false });
  return { ...knownChoice(settings, io.env), apiVersion: settings.apiVersion };
}

/**
 * The definition a command line uses: the one of the given or cached release, else of the
 * newest (the action detects the release before sending, and checks the arguments again if
 * it differs). A command the known release lacks is a usage error before anything is sent.
 */
async function commandCall(entry: CommandEntry, argv: readonly string[], at: number, io: Io): Promise<CommandCall> {
  const choice = await knownRelease(argv, io, at);
  return { entry, spec: specFor(entry, choice.release, choice.apiVersion), choice };
}

/** A parse error of commander's (exitOverride throws them): known by its code, as commander is loaded only when used. */
interface CommanderFailure extends Error { readonly code: string }
function isCommanderError(err: unknown): err is CommanderFailure {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string' && (err as CommanderFailure).code.startsWith('commander.');
}

function commanderMessage(err: CommanderFailure): string {
  // An unknown option close to none of ectl's may be a secret that starts with '-' (a password
  // typed as an argument): it is not echoed. A near miss (--verbos) is a typo and is shown.
  if (err.code === 'commander.unknownOption' && !/Did you mean/.test(err.message)) {
    return "unknown option (not shown, in case it is a secret); ectl's options go before the command or after all of its arguments";
  }
  return err.message.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)').replace(/\n/g, ' ');
}

/** What a command line commander refused gets: too many words are counted as the argument rule counts them. */
function commandLineMessage(err: CommanderFailure, spec: ReleaseSpec, typed: readonly string[], at: number): string {
  if (err.code !== 'commander.excessArguments') return commanderMessage(err);
  const want = spec.args.length;
  const names = spec.args.map((a) => a.name).join(' ');
  const afterDashes = typed.slice(at + 2).includes('--') ? "; the words after a '--' are arguments, not options" : '';
  return `too many arguments: '${spec.name}' takes ${want ? `${want} (${names})` : 'none'}${afterDashes}`;
}

/**
 * A catalogue command's action, with its arguments as typed (a secret left out last is asked
 * for on a terminal): the request body, then the call. Returns the exit code.
 */
export async function runCatalogueCall(call: CommandCall, typed: readonly (string | undefined)[], flags: GlobalFlags, io: Io): Promise<number> {
  const { spec } = call;
  const raws = [...typed];
  const last = promptableArgument(spec);
  if (last && raws[raws.length - 1] === undefined) {
    // Whether there is a terminal to ask on is looked at only now (it costs start-up time).
    const ask = io.promptSecret;
    if (!ask) throw new UsageError(`missing required argument '${last.name}' (no terminal to ask it on)${usageHint(spec)}`);
    raws[raws.length - 1] = await ask(`${last.description} (${last.name}): `);
  }
  const expanded = await expandAtArguments(raws as string[], io, (i) => isSecretArgument(spec, i, raws as string[]), { nameOf: (i) => spec.args[i]?.name });
  let body: ReturnType<typeof parseArguments>;
  try {
    body = parseArguments(spec, expanded);
  } catch (err) {
    if (err instanceof UsageError) err.message += usageHint(spec);
    throw err;
  }
  return runCommand(call, expanded, body, flags, io);
}

/** Runs one ectl command line; returns the exit code. */
export async function main(typed: string[], io: Io): Promise<number> {
  const code = await commandLine(typed, io);
  // A signal cut the call short wherever it was: the exit code says so, whatever the command returned (doctor, cluster...).
  return io.signal?.aborted ? interruptedExitCode(io.signal) : code;
}

async function commandLine(typed: string[], io: Io): Promise<number> {
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
      call = await commandCall(entry, argv, at, io);
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
    if (call) {
      const flags = plainFlags(argv, at);
      const raws = flags && plainArguments(argv, call.spec);
      if (raws) return await runCatalogueCall(call, raws, flags, io);
    }
    // batch, doctor...: their line needs none of the catalogue's 200 subcommands.
    return await (await import('./program.js')).runProgram(argv, io, call ?? (word && EXTRA_WORDS.has(word) ? 'extras' : undefined));
  } catch (err) {
    // A signal (Ctrl-C, SIGTERM, SIGHUP) or Ctrl-C at a prompt: nothing more to say.
    if (io.signal?.aborted) return interruptedExitCode(io.signal);
    if (err instanceof InterruptedError) return err.exitCode;
    // Only a real error needs its label (and with it a look at whether stderr is a terminal).
    if (exitCodeFor(err) === EXIT.ok) return EXIT.ok;
    // A wrong command line for a command shows that command's usage line.
    const shown = call && isCommanderError(err) ? new UsageError(`${commandLineMessage(err, call.spec, typed, at)}${usageHint(call.spec)}`) : err;
    const options = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
    return reportError(shown, io, options.includes('--debug'), await errorLabel(io, argv));
  }
}

export function exitCodeFor(err: unknown): number {
  if (isCommanderError(err)) {
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof InterruptedError) return err.exitCode;
  if (err instanceof EctlError) return EXIT[err.kind];
  return EXIT.failed;
}

/** Prints the one-line message; `label` is `Error:`, painted when standard error is a colour terminal. */
export function reportError(err: unknown, io: Io, debug: boolean, label = 'Error:'): number {
  const code = exitCodeFor(err);
  // Messages may quote the server or what was typed: escaped, each stays one line.
  const say = (message: string) => io.stderr.write(`${label} ${escapeControls(message)}\n`);
  if (isCommanderError(err)) {
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

