// man/ectl.1, generated from the catalogue and the option list through the same command
// documentation model that `ectl help` prints (src/cli/help.ts).
import {
  ARGUMENT_RULE, DESCRIPTION, EXIT_STATUS, HELP_FORMS, allOptions, describeCommand, exampleLine, tagIndex,
  type HelpContext,
} from '../cli/help.js';
import type { CommandSpec } from '../catalogue/types.js';

export const MAN_FILE = 'man/ectl.1';

/** Environment variables ectl reads (src/config/settings.ts, src/cli/complete.ts). */
const ENVIRONMENT: readonly (readonly [string, string])[] = [
  ['ECTL_URL', 'API base URL, like --url.'],
  ['ECTL_NODES', 'The nodes of a cluster as name=url,name=url...; replaces nodes: of the profile (see --node and --all-nodes).'],
  ['ECTL_USER', 'Admin JID for HTTP Basic auth, like --user.'],
  ['ECTL_PASSWORD', "The admin's password itself (there is no --password option)."],
  ['ECTL_PASSWORD_FILE', "File holding the admin's password, like --password-file."],
  ['ECTL_TOKEN', 'OAuth bearer token, like --token; used when no user is set.'],
  ['ECTL_TOKEN_FILE', 'File holding the OAuth bearer token, like --token-file.'],
  ['ECTL_TIMEOUT', 'Seconds before a request is abandoned, like --timeout.'],
  ['ECTL_MAX_REPLY_SIZE', 'Largest reply accepted, like --max-reply-size.'],
  ['ECTL_API_VERSION', 'API version to call, like --api-version.'],
  ['ECTL_RELEASE', 'The ejabberd release the server runs, like --release.'],
  ['ECTL_CA_FILE', 'Extra CA certificate (PEM) for https, like --ca-file.'],
  ['ECTL_INSECURE', 'Set to 1 to skip TLS certificate verification, like --insecure.'],
  ['ECTL_OUTPUT', 'Output format, like -o.'],
  ['ECTL_PROFILE', 'Profile of the config file to use, like -P.'],
  ['ECTL_CONFIG', 'Config file to read instead of searching for one, like --config.'],
  ['NO_COLOR', 'When set, no colour even on a terminal, like --no-color.'],
  ['FORCE_COLOR', 'When set, colour even when the output is not a terminal.'],
  ['COLUMNS', 'Width of tables when the terminal does not report one, or when the output is not a terminal.'],
  ['TERM', 'When dumb, no colour.'],
  ['XDG_CONFIG_HOME', 'Where the user config file is looked for (default ~/.config).'],
  ['XDG_CACHE_HOME', "Where shell completion caches server answers and ectl keeps each server's detected release (default ~/.cache)."],
];

const FILES: readonly (readonly [string, string])[] = [
  ['$XDG_CONFIG_HOME/ectl/config.yaml', 'The user config file (~/.config/ectl/config.yaml). YAML or JSON: top-level settings, a profiles mapping of named settings, default naming the profile to use, and trusted-dirs listing the directories whose project config files may be read (an entry ending in /** also trusts every directory below it).'],
  ['.ectlrc, .ectlrc.json, .ectlrc.yaml, .ectlrc.yml, .config/ectlrc[.json|.yaml|.yml], package.json (key ectl)', 'Project config files: the nearest in the working directory or a parent is read instead of the user config file only when its directory is trusted by trusted-dirs; ectl then says so on stderr. Config files are never code: .js, .mjs, .cjs and .ts files are not read.'],
  ['$XDG_CONFIG_HOME/ectl/tokens/<profile>.json', 'The OAuth token ectl login saved for a profile (default.json when none is chosen), used when no user or other token is set.'],
  ['$XDG_CACHE_HOME/ectl/releases.json', 'The ejabberd release detected for each API URL, kept for a day.'],
  ['$XDG_CACHE_HOME/ectl/completion-cache.json', "Vhosts, users and rooms that shell completion got from the server, kept for 60 seconds."],
];

/** Text for roff: backslashes, hyphens (as minus signs, so options can be copied) and leading dots made safe. */
export function roffText(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/, '\\&$1')
    .replace(/\n([.'])/g, '\n\\&$1');
}

const bold = (s: string) => `\\fB${roffText(s)}\\fR`;
const italic = (s: string) => `\\fI${roffText(s)}\\fR`;

/** `--url <url>` as roff: the literal parts bold, the placeholders italic. */
function optionFlags(flags: string): string {
  return flags.split(/(<[^>]+>)/).map((part) => (part.startsWith('<') ? italic(part.slice(1, -1)) : bold(part).replace(/\\fB\\fR/, ''))).join('');
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

const capital = (text: string) => text.replace(/^./, (c) => c.toUpperCase());

function commandEntry(spec: CommandSpec): string[] {
  const doc = describeCommand(spec);
  const out = ['.TP', [bold(doc.name), ...doc.args.map((a) => italic(a.name))].join(' '), roffText(sentence(doc.summary))];
  out.push('.br', roffText(`Result: ${doc.result.name} (${doc.result.type}), ${doc.result.description.replace(/^./, (c) => c.toLowerCase())}.`));
  if (doc.module) out.push(roffText(`Needs ${doc.module}.`));
  if (doc.node) out.push(roffText(`In a cluster, it ${doc.node}.`));
  // Which release added it and where its arguments or result changed (older ones: --api-version).
  if (doc.history.length) out.push(roffText(`${capital(doc.history.join('; '))}.`));
  if (doc.args.length) {
    // One line per argument: its name, then its description (and type, unless a string).
    out.push('.RS', '.PD 0');
    for (const a of doc.args) {
      const type = a.format ? ` ${capital(a.type)}: ${a.format}.` : a.type === 'string' ? '' : ` (${a.type})`;
      out.push(`.IP ${italic(a.name)} 16`, roffText(`${a.description}${type}`));
    }
    out.push('.PD', '.RE');
  }
  return out;
}

function example(text: string, command: string): string[] {
  return ['.PP', roffText(text), '.PP', '.RS', '.nf', roffText(command), '.fi', '.RE'];
}

export function renderManPage(ctx: HelpContext, version: string): string {
  const find = (name: string) => ctx.commands.find((c) => c.name === name);
  const out: string[] = [
    `.\\" ${"Generated by src/gen/man.ts from ectl's command catalogue; do not edit (npm run gen)."}`,
    `.TH ECTL 1 "" "ectl ${roffText(version)}" "User Commands"`,
    '.\\" Left-aligned, unhyphenated: command and option names stay whole.',
    '.ad l',
    '.nh',
    '.SH NAME',
    `ectl \\- ${roffText(DESCRIPTION.replace(/^./, (c) => c.toLowerCase()).replace(/\.$/, ''))}`,
    '.SH SYNOPSIS',
    `${bold('ectl')} [${italic('options')}] ${italic('command')} [${italic('arguments')} ...]`,
    '.br',
    `${bold('ectl help')} [${bold('tags')} | ${italic('tag')} | ${italic('command')} | ${italic('pattern')}]`,
    '.br',
    `${bold('ectl completion')} ${bold('bash')} | ${bold('zsh')} | ${bold('fish')}`,
    ...(ctx.extras ?? []).flatMap((e) => ['.br', `${bold(`ectl ${e.name}`)} ${roffText(e.usage)}`]),
    '.SH DESCRIPTION',
    roffText(`ectl runs the administration commands of an ejabberd XMPP server through the server's HTTP API (mod_http_api), so it needs neither the Erlang cookie nor a local node. Each of the ${ctx.commands.length} commands below is an ectl subcommand whose arguments are positional, in the order shown. On success ectl prints what ejabberdctl prints for the same command; -o json prints the result as one JSON document instead.`),
    '.PP',
    roffText("A command may also be spelled with dashes instead of underscores (registered-users for registered_users). Integer arguments are checked before anything is sent. List and tuple arguments take JSON, or a shorthand where a comma separates list elements and a colon separates tuple fields (the last field keeps any further colons); a backslash escapes a comma, a colon or a backslash. An argument @path is read from a file and @- from standard input (one final newline dropped); @@x stands for the literal @x."),
    '.PP',
    roffText(ARGUMENT_RULE),
    '.PP',
    roffText('Settings are taken from the options, then the environment, then the config file, then the defaults.'),
    '.SS Help',
  ];
  for (const [form, text] of HELP_FORMS) out.push('.TP', optionFlags(form.replace(/'/g, '')), roffText(capital(sentence(text))));
  if (ctx.extras?.length) {
    out.push('.SS Other commands');
    for (const e of ctx.extras) {
      out.push('.TP', `${bold(`ectl ${e.name}`)} ${roffText(e.usage)}`, roffText(capital(sentence(e.summary))));
      const own = (e.options ?? []).filter((o) => !/--help\b/.test(o.flags));
      if (own.length) {
        out.push('.RS', '.PD 0');
        for (const o of own) out.push(`.IP "${optionFlags(o.flags).replace(/"/g, '\\(dq')}" 20`, roffText(capital(sentence(o.description))));
        out.push('.PD', '.RE');
      }
    }
  }
  out.push('.SH GLOBAL OPTIONS');
  for (const o of allOptions(ctx.options)) {
    const text = o.argChoices?.length ? `${o.description}: one of ${o.argChoices.join(', ')}` : o.description;
    out.push('.TP', optionFlags(o.flags), roffText(capital(sentence(text))));
  }
  out.push('.SH COMMANDS');
  out.push(roffText("The commands grouped by tag; a command with several tags is listed under each. Each entry shows the command's arguments in order, its result, and the server module it needs when there is one. ectl help command adds how the result prints and an example."));
  for (const [tag, commands] of tagIndex(ctx.commands)) {
    out.push(`.SS ${roffText(tag)}`);
    for (const spec of commands) out.push(...commandEntry(spec));
  }
  out.push('.SH EXIT STATUS');
  for (const [code, , text] of EXIT_STATUS) out.push('.TP', bold(String(code)), roffText(capital(sentence(text))));
  out.push('.SH ENVIRONMENT');
  for (const [name, text] of ENVIRONMENT) out.push('.TP', bold(name), roffText(text));
  out.push('.SH FILES');
  for (const [name, text] of FILES) out.push('.TP', italic(name), roffText(text));
  out.push('.SH EXAMPLES');
  const register = find('register');
  // The prompt first: @- typed at a terminal is for pipes and scripts.
  if (register) out.push(...example('Create an account; its password is asked for, not shown (from a script, @- reads it from a pipe):', exampleLine(register)));
  const users = find('registered_users');
  if (users) out.push(...example("List a virtual host's accounts:", exampleLine(users)));
  const info = find('connected_users_info');
  if (info) out.push(...example('The sessions as JSON, from the server of the profile prod:', `ectl -P prod -o json ${info.name}`));
  const opts = find('create_room_with_opts');
  if (opts) out.push(...example('Create a room with options, in the shorthand for a list of tuples:', exampleLine(opts)));
  out.push(...example('Find commands by name, or by tag:', "ectl help 'regist*'\nectl help accounts"));
  out.push(...example('Enable completion in bash:', 'source <(ectl completion bash)'));
  out.push('.SH SEE ALSO', `${bold('ejabberdctl')}(8)`);
  return `${out.join('\n')}\n`;
}
