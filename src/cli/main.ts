// The command line: the one generic action of every catalogue command, and the one place where
// errors become exit codes. A plain command line (known options, its arguments, no help) runs
// straight away; help, ectl's own subcommands and every line with something to judge go through
// commander (program.ts, loaded only then).
import { readFileSync } from 'node:fs';
import { parseArguments } from '../catalogue/args.js';
import { NEWEST_RELEASE, RELEASES, argumentsKey, catalogueFor, commandName, entryFor, helpSpecFor, specFor, type ReleaseSpec } from '../catalogue/releases.js';
import type { CommandEntry } from '../catalogue/resolve.js';
import { EctlError, InterruptedError, NoAnswer, UsageError, interruptedExitCode } from '../errors.js';
import { resolveSettings, type GlobalFlags, type Settings } from '../config/settings.js';
import { expandAtArguments, guardOutput, type Io } from './io.js';
import { knownChoice, type ReleaseChoice } from './release.js';
import { askRelease, runCommand, settingsFor } from './run.js';
import { isSecretArgument, promptableArgument, secretArguments, secretStrings } from '../catalogue/secrets.js';
import { errorLabel } from './output.js';
import { escapeControls, escapeControlsKeepLayout, shownWord } from '../format/escape.js';
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
  // Help follows the release in use (given or cached; nothing is asked of the server); a
  // command that release lacks is shown as the release that has it defines it (help.ts).
  const choice = call?.choice ?? (await knownRelease(argv, io));
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
  /** The release in use lacks the command: only its help may be shown (spec is then another release's). */
  readonly refusal?: UsageError;
  /** The settings, when reading the line asked the server its release: the call uses them (a password is read once). */
  readonly settings?: Settings;
  /** The release was asked of the server while reading the line: the answer is not asked for again. */
  readonly asked?: boolean;
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

type Choice = ReleaseChoice & { readonly apiVersion?: number };

/** The release a command line speaks without asking the server: given, cached, or the newest. */
async function knownRelease(argv: readonly string[], io: Io, at = -1): Promise<Choice> {
  return (await knownReleaseOf(await globalFlags(argv, at), io)).choice;
}

async function knownReleaseOf(flags: GlobalFlags, io: Io): Promise<{ choice: Choice; url: string }> {
  const settings = await resolveSettings(flags, io.env, io.cwd, { readToken: false, readSecrets: false });
  return { choice: { ...knownChoice(settings, io.env), apiVersion: settings.apiVersion }, url: settings.url };
}

/** The definition a release has, or undefined when it lacks the command. */
function specIn(entry: CommandEntry, choice: Choice): ReleaseSpec | undefined {
  try {
    return specFor(entry, choice.release, choice.apiVersion);
  } catch {
    return undefined;
  }
}

/**
 * A command's definitions with different arguments, one per shape, newest first: more than one
 * means reading its line needs the server's release.
 */
function argumentShapes(entry: CommandEntry, apiVersion: number | undefined): ReleaseSpec[] {
  const shapes = new Map<string, ReleaseSpec>();
  for (const release of [...RELEASES].reverse()) {
    const spec = specIn(entry, { release, source: 'given', apiVersion });
    const shape = spec && argumentsKey(spec);
    if (shape && !shapes.has(shape)) shapes.set(shape, spec);
  }
  return [...shapes.values()];
}

/**
 * Whether a rearranged line (positionalsFirst) fits a definition: as many words as it takes, and
 * nothing but options and their values between the command word and its arguments.
 */
function fitsDefinition(argv: readonly string[], at: number, spec: ReleaseSpec): boolean {
  const end = argv.indexOf('--', at + 1);
  if (end < 0) return true; // help
  const { count, required } = argumentCounts(spec);
  const words = argv.length - end - 1;
  if (words < required || words > count) return false;
  for (let i = at + 1; i < end; i++) {
    if (!argv[i].startsWith('-')) return false;
    if (takesValue(argv[i])) i++;
  }
  return true;
}

/**
 * A command line read with its server's release: given; else cached, when the line fits it;
 * else asked of the server first (one `status`), so that a first call on a new machine, or one
 * after the server changed release, reads its arguments as that server defines them. Help and
 * --dry-run ask nothing (the cached release, else the newest). A command the release lacks is a
 * usage error before anything is sent. The settings resolved to ask are handed on with the call.
 */
async function readCommandLine(entry: CommandEntry, typed: readonly string[], at: number, io: Io): Promise<{ argv: string[]; call: CommandCall }> {
  const arranged = (spec: ReleaseSpec | undefined) => positionalsFirst(typed, at, argumentCounts(spec ?? specFor(entry, NEWEST_RELEASE)).count);
  let argv = arranged(undefined);
  // Options after the arguments (`... member --url URL`) are found where some release's arguments end.
  if (!fitsDefinition(argv, at, specFor(entry, NEWEST_RELEASE))) {
    const fitting = argumentShapes(entry, undefined).find((spec) => fitsDefinition(arranged(spec), at, spec));
    if (fitting) argv = arranged(fitting);
  }
  let flags = await globalFlags(argv, at);
  let { choice, url } = await knownReleaseOf(flags, io);
  let settings: Settings | undefined;
  let asked = false;
  // At most twice: the words read with the release found may move an option (--url...) that names another server.
  for (let round = 0; round < 2; round++) {
    const spec = specIn(entry, choice);
    // Not known yet: the words stay where some release's arguments end.
    if (choice.source !== 'unknown') argv = arranged(spec);
    const cached = choice.source === 'cached' || choice.source === 'undetected';
    const unknown = choice.source === 'unknown' || (cached && !(spec && fitsDefinition(argv, at, spec)));
    // A command whose arguments are the same in every release reads alike whatever the server
    // runs (the call still asks before sending, as it needs the release's path); one the release
    // in hand lacks is asked about.
    if (!unknown || asksForHelp(argv) || flags.dryRun || (spec && argumentShapes(entry, choice.apiVersion).length < 2)) break;
    flags = await globalFlags(argv, at);
    ({ choice, url } = await knownReleaseOf(flags, io));
    settings = await settingsFor(flags, io);
    const answer = await askRelease(settings, io, !!flags.verbose, choice.source === 'unknown' ? undefined : choice);
    choice = { ...answer, apiVersion: settings.apiVersion };
    asked = true;
    argv = arranged(specIn(entry, choice));
    const now = await globalFlags(argv, at);
    if (JSON.stringify(now) === JSON.stringify(flags)) break;
    // The options read differently: the settings (and perhaps the server) are theirs.
    settings = undefined;
    flags = now;
    const known = await knownReleaseOf(flags, io);
    if (known.url !== url) ({ choice, url } = known);
  }
  try {
    const spec = specFor(entry, choice.release, choice.apiVersion);
    return { argv: arranged(spec), call: { entry, spec, choice, settings, asked } };
  } catch (err) {
    // The release in use lacks the command: only its help may be shown, as another release defines it.
    if (!(err instanceof UsageError)) throw err;
    const spec = helpSpecFor(entry, choice.release, choice.apiVersion).spec;
    return { argv: arranged(spec), call: { entry, spec, choice, settings, asked, refusal: err } };
  }
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
  // An unknown command word is shown as every typed word is (escaped, cut short), its line breaks included.
  const unknown = err.code === 'commander.unknownCommand' ? /^error: unknown command '([^]*)'(\n\(Did you mean .*\?\))?$/.exec(err.message) : null;
  const message = unknown ? `unknown command '${shownWord(unknown[1])}'${unknown[2] ?? ''}` : err.message.replace(/^error: /, '');
  return message.replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)').replace(/\n/g, ' ');
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
  const secrets = guardOutput(io).add(...secretArguments(spec, expanded));
  let body: ReturnType<typeof parseArguments>;
  try {
    body = parseArguments(spec, expanded);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    // Arguments that do not read in a cached release: the server is asked whether it still runs it.
    const again = await askedAgain(call, flags, io);
    if (!again) {
      err.message += usageHint(spec);
      throw err;
    }
    try {
      body = parseArguments(again.spec, expanded);
    } catch (err2) {
      if (err2 instanceof UsageError) err2.message += usageHint(again.spec);
      throw err2;
    }
    secrets.add(...secretArguments(again.spec, expanded), ...secretStrings(body));
    return runCommand(again, expanded, body, flags, io);
  }
  secrets.add(...secretStrings(body));
  return runCommand(call, expanded, body, flags, io);
}

/** The URLs of --url and of ECTL_URL and ECTL_NODES, whose user info (refused) must not be echoed. */
function urlsGiven(typed: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const urls = [env.ECTL_URL ?? '', ...(env.ECTL_NODES ?? '').split(',').map((n) => n.slice(n.indexOf('=') + 1))];
  typed.forEach((word, i) => {
    if (word === '--url') urls.push(typed[i + 1] ?? '');
    else if (word.startsWith('--url=')) urls.push(word.slice(6));
  });
  return urls.filter((u) => u.includes('@'));
}

/** The call in the release the server runs now, when it was cached and the server runs another with the same number of arguments. */
async function askedAgain(call: CommandCall, flags: GlobalFlags, io: Io): Promise<CommandCall | undefined> {
  const { choice } = call;
  if (!(choice.source === 'cached' || choice.source === 'undetected') || call.asked || flags.dryRun) return undefined;
  const settings = call.settings ?? (await settingsFor(flags, io));
  const asked: Choice = { ...(await askRelease(settings, io, !!flags.verbose, choice)), apiVersion: choice.apiVersion };
  const spec = asked.release === choice.release ? undefined : specIn(call.entry, asked);
  return spec && spec.args.length === call.spec.args.length ? { ...call, spec, choice: asked, settings, asked: true } : undefined;
}

/**
 * `ectl [options] -- status`: a `--` that ends the options before the command word is dropped,
 * and the words after it are read as after any command word.
 */
function withoutDashesBeforeCommand(argv: string[]): string[] {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return i + 1 < argv.length && !argv[i + 1].startsWith('-') ? [...argv.slice(0, i), ...argv.slice(i + 1)] : argv;
    if (!a.startsWith('-')) return argv;
    if (takesValue(a)) i++;
  }
  return argv;
}

/** No command's name is longer (39 characters in 26.07): a longer word is refused before any look-up. */
const LONGEST_COMMAND_WORD = 64;

/** An unknown command word far longer than any name: shown cut short, with the command whose name it starts with, if any. */
function tooLongCommand(word: string): UsageError {
  const squashed = commandName(word.slice(0, LONGEST_COMMAND_WORD + 1));
  let near: string | undefined;
  for (const spec of catalogueFor()) if (squashed.startsWith(spec.name) && spec.name.length > (near?.length ?? 0)) near = spec.name;
  const hint = near ? `did you mean ${near}?` : "see 'ectl help' for the commands";
  return new UsageError(`unknown command '${shownWord(word)}' (longer than any command's name; ${hint})`);
}

/** Runs one ectl command line; returns the exit code. */
export async function main(given: string[], io: Io): Promise<number> {
  guardOutput(io).add(io.env.ECTL_PASSWORD, io.env.ECTL_TOKEN);
  const typed = withoutDashesBeforeCommand(given);
  for (const url of urlsGiven(typed, io.env)) io.secrets!.addUrl(url);
  const code = await commandLine(typed, io);
  // A signal cut the call short wherever it was: the exit code says so, whatever the command returned (doctor, cluster...).
  return io.signal?.aborted ? interruptedExitCode(io.signal) : code;
}

async function commandLine(typed: string[], io: Io): Promise<number> {
  const at = commandIndex(typed);
  const word = at < 0 ? undefined : typed[at];
  const entry = word && word.length <= LONGEST_COMMAND_WORD ? entryFor(word) : undefined;
  let argv = typed;
  let call: CommandCall | undefined;
  try {
    if (word && word.length > LONGEST_COMMAND_WORD) throw tooLongCommand(word);
    if (entry) {
      ({ argv, call } = await readCommandLine(entry, typed, at, io));
      if (call.refusal && !asksForHelp(argv)) throw call.refusal;
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
  if (err instanceof NoAnswer) return code; // a yes/no command's "no": the exit status says it (-v too)
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

