// Help: `ectl help [tags | <tag> | <command> | <pattern>]`, `ectl <command> --help`, and the
// per-command documentation model that src/gen/man.ts renders as roff. Pure functions of the
// catalogue and the option list; nothing here touches the terminal or the network.
import { nodeLocal } from '../catalogue/node-local.js';
import type { CommandSpec, Field, ResultType } from '../catalogue/types.js';
import { isList, isTuple, typeToString } from '../catalogue/types.js';
import { UsageError } from '../errors.js';
import { NEWEST_RELEASE, helpSpecFor, historyNotes, type HelpAbsence } from '../catalogue/releases.js';
import { findEntry } from '../catalogue/resolve.js';
import { closestWord } from '../catalogue/closest.js';
import { queryTerms, textTerms } from '../catalogue/synonyms.js';
import { promptableArgument } from '../catalogue/secrets.js';
import { predicateNo } from '../catalogue/predicates.js';
import type { ResolvedCommand } from '../catalogue/types.js';
import { shownWord } from '../format/escape.js';

/** Help is laid out for this many columns whatever the terminal, so it can be compared and grepped. */
export const WIDTH = 80;

/** What help shows of an option (commander's Option has these fields). */
export interface OptionDoc {
  readonly flags: string;
  readonly description: string;
  readonly argChoices?: readonly string[];
  /** Values completion offers for an option that also takes others (the releases ectl knows for --release). */
  readonly suggestions?: readonly string[];
}

/** A subcommand that is not a catalogue record. */
export interface ExtraCommand {
  readonly name: string;
  /** What follows the name in a synopsis, e.g. `[options] [file]`. */
  readonly usage: string;
  readonly summary: string;
  readonly options?: readonly OptionDoc[];
  /** Its full help text. */
  readonly help: string;
}

export interface HelpContext {
  readonly commands: readonly CommandSpec[];
  /** The global options, as main.ts gives them to commander. */
  readonly options: readonly OptionDoc[];
  /** Subcommands outside the catalogue that main.ts adds (batch). */
  readonly extras?: readonly ExtraCommand[];
  /** The release the commands are shown for (default: the newest). */
  readonly release?: HelpRelease;
}

/** Options commander adds by itself. */
const BUILTIN_OPTIONS: readonly OptionDoc[] = [
  { flags: '-V, --version', description: 'print the version of ectl' },
  { flags: '-h, --help', description: "print this help; after a command, that command's help" },
];

export const USAGE = 'ectl [options] <command> [arguments...]';
export const DESCRIPTION = 'Administer an ejabberd server over its HTTP API, with ejabberdctl-compatible output.';

/** ejabberdctl's argument rule, as help and the man page state it. */
export const ARGUMENT_RULE = "The words after the command fill its arguments in order, whatever they start with ('-x' is a value, as for ejabberdctl); ectl's options go before the command or after all of its arguments, and '--' ends them.";

/** Exit status: code, a short name, what it means (the README's Exit status table is this list, test/docs-drift.test.mjs). */
export const EXIT_STATUS: readonly (readonly [number, string, string])[] = [
  [0, 'success', 'success'],
  [1, 'command failed', 'the server ran the command and reported failure (rescode 1, an error reply, a command the server does not offer), or is busy (HTTP 429 or 503, whatever the body; the message says what its Retry-After header asks)'],
  [2, 'usage error', "usage error: unknown command or help topic (the closest name is suggested), wrong number or type of arguments, bad option or config; nothing was sent (but status, when the arguments are read in the server's release)"],
  [3, 'server unreachable', 'the server could not be reached or did not answer as an ejabberd API (refused, DNS, TLS, timeout, a reply that is not JSON); when the request had been written before the failure, the message says that it may have run, and it is not sent again'],
  [4, 'not authorized', 'not authorized (HTTP 401/403, whatever the body: ejabberd\'s message, a proxy\'s HTML page, nothing)'],
  [129, 'hung up', "ended by SIGHUP (the terminal closed) as by SIGTERM; ectl raises the signal again to end (Node's own exit aborts on a hung-up terminal), which a shell reports as 129"],
  [130, 'interrupted', 'interrupted by Ctrl-C, at a prompt too (a request in flight may or may not have run; what was in flight is reported, temporary files are removed)'],
  [143, 'terminated', 'ended by SIGTERM, as by Ctrl-C'],
];

/** The ways to ask for help and completion, shown by `ectl help` and the man page. */
export const HELP_FORMS: readonly (readonly [string, string])[] = [
  ['ectl help tags', 'every tag with its commands'],
  ['ectl help <tag>', 'the commands of one tag, with their summaries'],
  ['ectl help <command>', 'arguments, result and an example of one command (same as ectl <command> --help)'],
  ["ectl help '<pattern>'", 'the commands whose names match a pattern with ? and *'],
  ['ectl help -k <words>', 'the commands whose name, summary or argument descriptions hold all the words or words that mean the same (online: connected, session; log level: loglevel...), like man -k'],
  ['ectl help batch', 'batch mode: line syntax, JSON Lines, -j and the order lines run in'],
  ['ectl help --man', 'print the manual page (roff), e.g. into man -l - where it is not installed'],
  ['ectl completion bash|zsh|fish', 'print a shell completion script'],
];

export const COMPLETION_HELP = `Usage: ectl completion bash|zsh|fish

Prints a completion script for the shell. It completes command names (with
their summaries in zsh and fish), global options and their values, and the
arguments that name a virtual host, user, room or MUC service, which it asks the
server for with the settings any ectl command uses (answers are kept for a
minute; nothing is offered when the server does not answer within 2 seconds).

  bash:  source <(ectl completion bash)          in ~/.bashrc, or save it as
         ~/.local/share/bash-completion/completions/ectl
  zsh:   ectl completion zsh > "\${fpath[1]}/_ectl"   then start a new zsh
  fish:  ectl completion fish > ~/.config/fish/completions/ectl.fish
`;

/** help and completion, which main.ts runs itself. */
export const OWN_COMMANDS: readonly ExtraCommand[] = [
  {
    name: 'help', usage: '[tags | <tag> | <command> | <pattern> | --man]',
    summary: 'Show help: the overview, the tags, a tag, a command, or the commands matching a pattern',
    help: '',
  },
  { name: 'completion', usage: 'bash|zsh|fish', summary: 'Print a completion script for bash, zsh or fish', help: COMPLETION_HELP },
];

/** The subcommands that are not catalogue records: help, completion, then main.ts's own. */
export function otherCommands(ctx: HelpContext): ExtraCommand[] {
  return [...OWN_COMMANDS, ...(ctx.extras ?? [])];
}

// ---------------------------------------------------------------------------------------------
// Layout

/** Fills words into lines of at most `width` columns; the first line starts after `first` columns. */
export function wrap(text: string, width: number, indent: number, first = indent): string[] {
  const lines: string[] = [];
  let line = '';
  let room = width - first;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
      room = width - indent;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line || lines.length === 0) lines.push(line);
  return lines.map((l, i) => (i === 0 ? ' '.repeat(first) : ' '.repeat(indent)) + l).map((l) => l.trimEnd());
}

/** Two columns: terms padded to the widest (up to a limit), texts wrapped beside them. */
function twoColumns(rows: readonly (readonly [string, string])[], indent = 2, maxTerm = 30): string[] {
  const termWidth = Math.min(maxTerm, Math.max(0, ...rows.map(([t]) => t.length)));
  const textAt = indent + termWidth + 2;
  const out: string[] = [];
  for (const [term, text] of rows) {
    const head = ' '.repeat(indent) + term;
    if (!text) out.push(head);
    else if (term.length > termWidth) {
      out.push(head);
      out.push(...wrap(text, WIDTH, textAt));
    } else {
      const body = wrap(text, WIDTH, textAt);
      out.push(head + body[0].slice(head.length), ...body.slice(1));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// One command

export interface ArgDoc {
  readonly name: string;
  /** string, integer, list or tuple. */
  readonly type: string;
  readonly description: string;
  /** For lists and tuples: the accepted notations. */
  readonly format?: string;
}

export interface CommandDoc {
  readonly name: string;
  /** The dashed spelling the CLI also accepts, when it differs. */
  readonly alias?: string;
  readonly summary: string;
  readonly synopsis: string;
  readonly args: readonly ArgDoc[];
  readonly result: {
    readonly name: string;
    readonly type: string;
    readonly description: string;
    /** What ectl prints in text mode (-o text), and the exit status. */
    readonly prints: string;
    /** What `-o json` prints. */
    readonly json: string;
  };
  readonly tags: readonly string[];
  readonly module: string | null;
  /** In a cluster: that the command runs on the node that receives it, and why (absent for cluster-wide commands). */
  readonly node?: string;
  /** `added in ejabberd 24.06`, `arguments changed in 24.12, API v3`... */
  readonly history: readonly string[];
  /** Which release and API version the help describes, when it is not simply the newest. */
  readonly definition?: string;
  /** One line when the release in use lacks the command (help then shows another release's definition). */
  readonly availability?: string;
  readonly details: string;
  /** A command line that runs the command (from the catalogue's example arguments). */
  readonly example: string;
}

function fieldNames(fields: readonly Field[]): string {
  return fields.map((f) => f.name).join(', ');
}

function shorthand(type: ResultType): string {
  if (isList(type)) {
    const el = shorthand(type.list.type);
    return `${el},${el},...`;
  }
  if (isTuple(type)) return type.tuple.map((f) => f.name).join(':');
  return 'value';
}

function typeColumn(type: ResultType): string {
  if (typeof type === 'string') return type;
  return isList(type) ? 'list' : 'tuple';
}

/** What the text format (src/format/text.ts, ejabberdctl's) prints for a result of this type. */
function printsAs(type: ResultType, name: string, command: string): string {
  const no = type === 'rescode' ? predicateNo(command) : undefined;
  if (no) return `nothing; the exit status is the answer: 0 yes, 1 no (${no}), and a "no" prints nothing on standard error either (-v says it)`;
  if (type === 'rescode') return 'nothing; the exit status is the result (0 success, 1 failure)';
  if (type === 'restuple') return "the server's text; when the command fails, the text goes to standard error as 'Error: ...' and the exit status is 1";
  if (type === 'string') return `the ${name} as it is`;
  if (type === 'integer') return `the ${name} as a number`;
  if (isList(type)) {
    const el = type.list.type;
    if (isTuple(el)) {
      const nested = el.tuple.filter((f) => isList(f.type)).map((f) => f.name);
      const note = nested.length ? ` (the elements of ${nested.join(', ')} each on a line of their own)` : '';
      return `one line per element, the fields ${fieldNames(el.tuple)} separated by tabs${note}; nothing for an empty list`;
    }
    return `one ${type.list.name || 'element'} per line; nothing for an empty list`;
  }
  if (isTuple(type)) return `the fields ${fieldNames(type.tuple)} on one line, separated by tabs`;
  return '';
}

/** What src/format/json.ts prints for this type. */
function jsonAs(type: ResultType): string {
  if (type === 'rescode') return '{"ok":true}';
  if (type === 'restuple') return '{"ok":true,"text":"..."}';
  if (type === 'string') return 'a JSON string';
  if (type === 'integer') return 'a JSON number';
  if (isList(type)) {
    const el = type.list.type;
    if (isTuple(el)) return `an array of objects with the keys ${fieldNames(el.tuple)}`;
    return `an array of ${el === 'integer' ? 'numbers' : 'strings'}`;
  }
  if (isTuple(type)) return `an object with the keys ${fieldNames(type.tuple)}`;
  return '';
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The example's words as a command line gives them: without a last secret, which ectl asks for. */
export function exampleWords(spec: CommandSpec): readonly string[] {
  return promptableArgument(spec) ? spec.example.slice(0, -1) : spec.example;
}

/** The catalogue's example arguments as a command line ectl runs as written. */
export function exampleLine(spec: CommandSpec): string {
  // A leading @ would read a file: @@ is the literal @. A leading - would look like an option.
  // A password or token given last is left out (ectl asks for it): no example puts one on the command line.
  const words = exampleWords(spec).map((w) => (w.startsWith('@') ? `@${w}` : w));
  const dashes = words.some((w) => w.startsWith('-')) ? ['--'] : [];
  return ['ectl', spec.name, ...dashes, ...words].map(shellQuote).join(' ');
}

/** The release help describes (the one in use: given, cached, else the newest) and the API version asked for. */
export interface HelpRelease {
  readonly release: string;
  readonly apiVersion?: number;
}

/** The line help adds when the server's release lacks the command: which release it runs and what the command needs. */
export function availabilityLine(at: HelpRelease, absence: HelpAbsence): string {
  const runs = `This server runs ejabberd ${at.release}`;
  if (absence.kind === 'versions') {
    return `${runs}, which has this command at API ${absence.versions.map((v) => `v${v}`).join(', ')}, not v${at.apiVersion} or older.`;
  }
  if (absence.kind === 'needs') return `${runs}; this command needs ${absence.release} or newer.`;
  return `${runs}; this command was removed after ${absence.release}.`;
}

export function describeCommand(spec: CommandSpec, at?: HelpRelease, absence?: HelpAbsence): CommandDoc {
  const resolved = 'version' in spec ? (spec as ResolvedCommand) : undefined;
  // A definition from another release than the one in use is described as that release's.
  const shownAt = absence && resolved ? { release: resolved.release, apiVersion: absence.kind === 'versions' ? resolved.version : at?.apiVersion } : at;
  const availability = absence ? availabilityLine(at ?? { release: NEWEST_RELEASE }, absence) : undefined;
  at = shownAt;
  const release = at?.release ?? NEWEST_RELEASE;
  const history = resolved ? historyNotes(resolved, release, at?.apiVersion) : spec.since ? [`added in ejabberd ${spec.since}`] : [];
  const several = resolved && (findEntry(spec.name)?.definitions.some((d) => d.releases.includes(release) && d.version !== resolved.version) ?? false);
  const definition = resolved && (release !== NEWEST_RELEASE || at?.apiVersion !== undefined || several || absence)
    ? `API v${resolved.version} of ejabberd ${release}${several ? ' (--api-version picks another)' : ''}` : undefined;
  const dashed = spec.name.replace(/_/g, '-');
  return {
    name: spec.name,
    alias: dashed !== spec.name ? dashed : undefined,
    summary: spec.summary,
    synopsis: ['ectl', spec.name, ...spec.args.map((a) => `<${a.name}>`)].join(' '),
    args: spec.args.map((a) => ({
      name: a.name,
      type: typeColumn(a.type),
      description: a.description,
      format: typeof a.type === 'string' ? undefined : `JSON ${typeToString(a.type)} or the shorthand ${shorthand(a.type)}`,
    })),
    result: {
      name: spec.result.name,
      type: typeToString(spec.result.type),
      description: spec.result.description,
      prints: printsAs(spec.result.type, spec.result.name, spec.name),
      json: jsonAs(spec.result.type),
    },
    tags: spec.tags,
    module: spec.module,
    node: nodeNote(spec.name),
    history,
    definition,
    availability,
    details: spec.details,
    example: exampleLine(spec),
  };
}

/** The cluster note of a node-local command. */
function nodeNote(name: string): string | undefined {
  const fact = nodeLocal(name);
  if (!fact) return undefined;
  return `runs on the node that receives it: ${fact.why}${fact.destructive ? '; with --all-nodes it needs --yes' : ''}`;
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** `ectl <command> --help` and `ectl help <command>`. */
export function renderCommandHelp(spec: CommandSpec, at?: HelpRelease, absence?: HelpAbsence): string {
  const doc = describeCommand(spec, at, absence);
  const out: string[] = [`Usage: ${doc.synopsis}`, ''];
  if (doc.availability) out.push(doc.availability, '');
  out.push(...wrap(sentence(doc.summary), WIDTH, 0));
  if (doc.details) out.push('', ...wrap(doc.details, WIDTH, 0));
  if (doc.args.length) {
    out.push('', 'Arguments:');
    const nameWidth = Math.max(...doc.args.map((a) => a.name.length));
    const typeWidth = Math.max(...doc.args.map((a) => a.type.length));
    const textAt = 2 + nameWidth + 2 + typeWidth + 2;
    for (const a of doc.args) {
      const head = `  ${a.name.padEnd(nameWidth)}  ${a.type.padEnd(typeWidth)}  `;
      const body = wrap(a.description, WIDTH, textAt);
      out.push(head + body[0].slice(textAt), ...body.slice(1));
      if (a.format) out.push(...wrap(a.format, WIDTH, textAt));
    }
  } else out.push('', 'Arguments: none');
  out.push('', ...wrap(`Result: ${doc.result.name} ${doc.result.type}`, WIDTH, 2, 0));
  out.push(...wrap(sentence(doc.result.description), WIDTH, 2));
  out.push(...twoColumns([['-o text:', `${doc.result.prints}.`], ['-o json:', `${doc.result.json}.`]], 2, 8));
  out.push('');
  const facts: [string, string][] = [['Tags:', doc.tags.join(', ')]];
  if (doc.module) facts.push(['Module:', `${doc.module} (must be loaded on the server)`]);
  if (doc.node) facts.push(['Node:', doc.node]);
  if (doc.history.length) facts.push(['History:', doc.history.join('; ')]);
  if (doc.definition) facts.push(['Shown:', doc.definition]);
  if (doc.alias) facts.push(['Alias:', doc.alias]);
  out.push(...twoColumns(facts.map(([k, v]) => [k.padEnd(7), v]), 0));
  out.push('', 'Example:', `  ${doc.example}`);
  out.push('', ...wrap(ARGUMENT_RULE, WIDTH, 0), "Global options (--url, --user, -o, -P...): see 'ectl help'.");
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Tags, patterns, the overview

/** Every tag, sorted, with its commands in catalogue order. */
export function tagIndex(commands: readonly CommandSpec[]): Map<string, CommandSpec[]> {
  const byTag = new Map<string, CommandSpec[]>();
  for (const c of commands) for (const t of c.tags) byTag.set(t, [...(byTag.get(t) ?? []), c]);
  // Plain code-point order: tags are ASCII, and localeCompare would load ICU collation data at start-up.
  return new Map([...byTag].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `ectl help -k WORDS`: the commands whose name, summary, details or argument descriptions say every word (or a synonym, catalogue/synonyms.ts); name matches first. */
export function apropos(words: readonly string[], commands: readonly CommandSpec[]): string {
  const wanted = queryTerms(words);
  if (!wanted.length) throw new UsageError("'ectl help -k' needs words to look for, e.g. ectl help -k delete account");
  const scored = commands.map((c) => {
    const name = textTerms(c.name);
    const summary = textTerms(c.summary);
    const rest = textTerms([c.details ?? '', ...c.args.map((a) => `${a.name} ${a.description}`)].join(' '));
    const all = wanted.every((w) => name.has(w) || summary.has(w) || rest.has(w));
    const score = wanted.filter((w) => name.has(w)).length * 4 + wanted.filter((w) => summary.has(w)).length * 2;
    return { c, all, score };
  }).filter((x) => x.all).sort((a, b) => b.score - a.score || a.c.name.localeCompare(b.c.name));
  if (!scored.length) throw new UsageError(`no command is about '${words.join(' ')}'; 'ectl help tags' lists them all`);
  return [`Commands about '${words.join(' ')}':`, ...summaryList(scored.map((x) => x.c)), ''].join('\n');
}

function summaryList(commands: readonly CommandSpec[]): string[] {
  return twoColumns(commands.map((c) => [c.name, c.summary]), 2, 32);
}

/** ejabberdctl's help patterns: `?` one character, `*` any run; dashes match underscores. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/-/g, '_').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\?/g, '.').replace(/\*/g, '.*');
  return new RegExp(`^${body}$`);
}

export const isPattern = (word: string) => /[?*]/.test(word);

/** The global options followed by the ones commander adds. */
export function allOptions(options: readonly OptionDoc[]): OptionDoc[] {
  return [...options, ...BUILTIN_OPTIONS];
}

function optionRows(options: readonly OptionDoc[]): [string, string][] {
  return allOptions(options).map((o) => [
    o.flags,
    o.argChoices?.length ? `${o.description}: ${o.argChoices.join(', ')}` : o.description,
  ]);
}

/** `ectl help`: usage, the global options once, how to get more help, the tags. */
export function renderOverview(ctx: HelpContext): string {
  const tags = [...tagIndex(ctx.commands).keys()];
  const out = [
    `Usage: ${USAGE}`, '',
    ...wrap(DESCRIPTION, WIDTH, 0), '', ...wrap(ARGUMENT_RULE, WIDTH, 0), '',
    'Options:', ...twoColumns(optionRows(ctx.options), 2, 24), '',
    'Help:', ...twoColumns(HELP_FORMS, 2, 30), '',
    ...(ctx.extras?.length ? ['Other commands:', ...twoColumns(ctx.extras.map((e) => [`ectl ${e.name} ${e.usage}`, e.summary]), 2, 30), ''] : []),
    `Tags (${ctx.commands.length} commands):`, ...wrap(tags.join(' '), WIDTH, 2), '',
    ...wrap(`Exit status: ${EXIT_STATUS.map(([code, short]) => `${code} ${short}`).join(', ')}.`, WIDTH, 0),
  ];
  return `${out.join('\n')}\n`;
}

/** `ectl help tags`: every tag with the names of its commands. */
export function renderTags(ctx: HelpContext): string {
  const out: string[] = [];
  for (const [tag, cmds] of tagIndex(ctx.commands)) {
    if (out.length) out.push('');
    out.push(`${tag} (${cmds.length}):`, ...wrap(cmds.map((c) => c.name).join(' '), WIDTH, 2));
  }
  return `${out.join('\n')}\n`;
}

export function renderTag(tag: string, commands: readonly CommandSpec[]): string {
  return [`Commands tagged ${tag}:`, ...summaryList(commands), ''].join('\n');
}

/** The closest known word, if it is close enough (help is more forgiving: two edits even for a short word). */
const closest = (word: string, known: readonly string[]) => closestWord(word, known, Math.max(2, Math.floor(word.length / 3)));

function unknownTopic(raw: string, word: string, ctx: HelpContext, tags: Iterable<string>): UsageError {
  const near = closest(word, ['tags', ...tags, ...ctx.commands.map((c) => c.name), ...otherCommands(ctx).map((e) => e.name)]);
  if (near) return new UsageError(`no command or tag '${shownWord(raw)}' (did you mean ${near}?)`);
  const containing = word.length >= 3 ? ctx.commands.filter((c) => c.name.includes(word)).length : 0;
  if (containing) return new UsageError(`no command or tag '${shownWord(raw)}'; 'ectl help *${word}*' lists the ${containing} commands containing it`);
  return new UsageError(`no command or tag '${shownWord(raw)}'; 'ectl help tags' lists them all`);
}

function renderHelpHelp(): string {
  return ['Usage: ectl help [tags | <tag> | <command> | <pattern>]...', '', 'Help:', ...twoColumns([['ectl help', 'usage, global options and tags'], ...HELP_FORMS], 2, 30), ''].join('\n');
}

/** The text of `ectl help <words...>`; an unknown word is a usage error naming the closest one. */
export function renderHelp(words: readonly string[], ctx: HelpContext): string {
  if (words.length === 0) return renderOverview(ctx);
  if (words[0] === '-k' || words[0] === '--apropos') return apropos(words.slice(1), ctx.commands);
  const tags = tagIndex(ctx.commands);
  const byName = new Map(ctx.commands.map((c) => [c.name, c]));
  const parts: string[] = [];
  for (const raw of words) {
    const word = raw.replace(/-/g, '_');
    if (word === 'tags') {
      parts.push(renderTags(ctx));
      continue;
    }
    if (isPattern(word)) {
      const re = globToRegExp(word);
      const matching = ctx.commands.filter((c) => re.test(c.name));
      if (!matching.length) throw new UsageError(`no command matches '${raw}'; 'ectl help tags' lists them all`);
      parts.push([`Commands matching '${raw}':`, ...summaryList(matching), ''].join('\n'));
      continue;
    }
    const tag = tags.get(word);
    let command: CommandSpec | undefined = byName.get(word);
    // A command the release in use lacks: another release's definition, with a line saying so.
    let absence: HelpAbsence | undefined;
    const entry = command || tag ? undefined : findEntry(word);
    if (entry) ({ spec: command, absence } = helpSpecFor(entry, ctx.release?.release ?? NEWEST_RELEASE, ctx.release?.apiVersion));
    const other = otherCommands(ctx).find((e) => e.name === raw);
    if (other && !tag && !command) {
      parts.push(other.name === 'help' ? renderHelpHelp() : other.help);
      continue;
    }
    if (!tag && !command) throw unknownTopic(raw, word, ctx, tags.keys());
    if (tag) parts.push(renderTag(word, tag));
    if (command) parts.push(renderCommandHelp(command, ctx.release, absence));
    // A tag that is also one of ectl's own commands (cluster): both.
    else if (other && tag) parts.push(other.help);
  }
  return parts.join('\n');
}
