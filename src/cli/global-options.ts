// The global options as one table: commander's options (program.ts), help, the man page and
// completion are made from it, and a command line that uses them plainly is read from it
// directly, without commander (which is loaded only for help and for lines it must judge).
import { RELEASES } from '../catalogue/releases.js';
import { OUTPUT_FORMATS, type GlobalFlags } from '../config/settings.js';

export interface GlobalOptionSpec {
  /** As commander spells them: `-o, --output <format>`, `--insecure`, `--no-color`. */
  readonly flags: string;
  readonly description: string;
  /** The only values accepted (refused by commander otherwise). */
  readonly choices?: readonly string[];
  /** Values completion offers, others being accepted too. */
  readonly suggestions?: readonly string[];
}

export const GLOBAL_OPTIONS: readonly GlobalOptionSpec[] = [
  { flags: '--node <name>', description: 'send to this node of the profile\'s nodes (env ECTL_NODES lists them as name=url,...)' },
  { flags: '--all-nodes', description: 'run the command on every node of the profile at once; each line of text output starts with the node\'s name' },
  { flags: '--yes', description: 'confirm a command that stops or restarts nodes (stop, restart... with --all-nodes)' },
  { flags: '--url <url>', description: 'ejabberd API base URL (env ECTL_URL; default http://localhost:5280/api)' },
  { flags: '--user <jid>', description: 'admin JID for HTTP Basic auth (env ECTL_USER); password from ECTL_PASSWORD or --password-file' },
  { flags: '--password-file <file>', description: 'read the admin password from this file' },
  { flags: '--token <token>', description: 'OAuth bearer token (env ECTL_TOKEN)' },
  { flags: '--token-file <file>', description: 'read the OAuth bearer token from this file' },
  { flags: '--timeout <seconds>', description: 'give up on a request after this long (default 60)' },
  { flags: '--max-reply-size <size>', description: 'refuse a reply larger than this, e.g. 256M (env ECTL_MAX_REPLY_SIZE; default 64M)' },
  // Completion offers the releases ectl knows; any release number is accepted (25.03.1...).
  { flags: '--release <release>', description: 'the ejabberd release the server runs, e.g. 24.12 (env ECTL_RELEASE; default: detected)', suggestions: RELEASES },
  { flags: '--api-version <n>', description: "use the command's definition of API version <n> or older (default: the newest of the release)" },
  { flags: '--ca-file <file>', description: 'also trust this CA certificate (PEM) for https' },
  { flags: '--insecure', description: 'do not verify the server TLS certificate' },
  { flags: '-P, --profile <name>', description: 'use this profile of the config file (env ECTL_PROFILE)' },
  { flags: '--config <file>', description: 'read settings from this YAML file (env ECTL_CONFIG)' },
  { flags: '-o, --output <format>', description: 'output format (env ECTL_OUTPUT; default: a table for records on a terminal, else text)', choices: OUTPUT_FORMATS },
  { flags: '--columns <fields>', description: "show only these fields of the result's records, in this order (comma-separated), in every format" },
  { flags: '--no-color', description: 'no colour, even on a terminal (also NO_COLOR; FORCE_COLOR forces colour)' },
  { flags: '-v, --verbose', description: 'show each request and reply on stderr (secrets as ***)' },
  { flags: '--dry-run', description: 'show the request and an equivalent curl command; send nothing' },
  { flags: '--debug', description: 'show stack traces of internal errors' },
];

/** One spelling of an option: the GlobalFlags key it sets, and how. */
interface Spelling {
  readonly key: string;
  readonly takesValue: boolean;
  /** --no-color: sets its key (color) to false. */
  readonly negates: boolean;
  readonly choices?: readonly string[];
}

let spellings: Map<string, Spelling> | undefined;
/** Every spelling (-o and --output...) of the global options; made once. */
function spellingTable(): Map<string, Spelling> {
  if (spellings) return spellings;
  spellings = new Map();
  for (const o of GLOBAL_OPTIONS) {
    // `-o, --output <format>`: words split by hand, as this runs on every command line.
    const words = o.flags.split(' ');
    const short = words[0].endsWith(',') ? words.shift()!.slice(0, -1) : undefined;
    const long = words[0];
    const negates = long.startsWith('--no-');
    // As commander names an option's value: --max-reply-size -> maxReplySize, --no-color -> color.
    const key = (negates ? long.slice(5) : long.slice(2)).split('-').map((w, i) => (i ? w[0].toUpperCase() + w.slice(1) : w)).join('');
    const s: Spelling = { key, takesValue: words.length > 1, negates, choices: o.choices };
    spellings.set(long, s);
    if (short) spellings.set(short, s);
  }
  return spellings;
}

/** The spellings (-o, --output...) of the global options that take a value. */
export function takesValue(word: string | undefined): boolean {
  return word !== undefined && spellingTable().get(word)?.takesValue === true;
}

/** The option a word names, `--output=json` too: its spelling, and the value joined to it by '=' (undefined when none). */
function readOption(word: string): { spelling?: Spelling; inline?: string } {
  const eq = word.startsWith('--') ? word.indexOf('=') : -1;
  return eq < 0 ? { spelling: spellingTable().get(word) } : { spelling: spellingTable().get(word.slice(0, eq)), inline: word.slice(eq + 1) };
}

/** The global option a word names (`--output=json` too), if any: whether it takes a value, and whether the word holds it. */
export function optionNamed(word: string): { takesValue: boolean; inline: boolean } | undefined {
  const { spelling, inline } = readOption(word);
  return spelling && { takesValue: spelling.takesValue, inline: inline !== undefined };
}

/**
 * The global options among `words` (a command line without its command word and arguments), when
 * they are plain: each one known, each value present, not starting with '-' and among its choices.
 * undefined for anything else (an unknown option, `-vP`, help, version...): commander then reads
 * the line and says what is wrong. Read as commander reads them: the last of a repeated option
 * counts, and --no-color leaves color true unless given.
 */
export function plainGlobalFlags(words: readonly string[]): GlobalFlags | undefined {
  const flags: Record<string, string | boolean> = { color: true };
  for (let i = 0; i < words.length; i++) {
    const { spelling: s, inline } = readOption(words[i]);
    if (!s) return undefined;
    if (!s.takesValue) {
      if (inline !== undefined) return undefined;
      flags[s.key] = !s.negates;
      continue;
    }
    const value = inline ?? words[++i];
    if (value === undefined || (inline === undefined && value.startsWith('-')) || (s.choices && !s.choices.includes(value))) return undefined;
    flags[s.key] = value;
  }
  return flags as GlobalFlags;
}
