// --verbose and --dry-run: the request as sent, with every secret shown as *** (or, in the curl
// line, as a shell variable), and every control character escaped.
import type { RequestDescription, RequestObserver } from '../client/request.js';
import { findCommand } from '../client/client.js';
import { redactValue } from '../catalogue/secrets.js';
import { parseJsonExact } from '../client/exact-json.js';
import { stringifyExact } from '../format/json.js';
import { escapeControls, escapeJsonText } from '../format/escape.js';
import type { Io } from './io.js';
import type { CredentialSource, Settings } from '../config/settings.js';

/** How much of a reply body --verbose shows. */
const SHOWN_REPLY_CHARS = 2000;

function redactedHeaderEntries(headers: Record<string, string>): [string, string][] {
  return Object.entries(headers).map(([k, v]) => [k, k === 'authorization' ? v.replace(/ .*/, ' ***') : v]);
}

function redactedHeaders(headers: Record<string, string>): string[] {
  return redactedHeaderEntries(headers).map(([k, v]) => escapeControls(`${k}: ${v}`));
}

/**
 * A body as shown: JSON with its secrets as *** (a bare result is secret by the result's name),
 * escaped, and only then shortened, so that a cut can never keep a secret the redaction would
 * have caught. Text that is not JSON is escaped and shortened.
 */
function shownBody(text: string, resultName?: string, limit = Infinity): string {
  let shown: string;
  try {
    // Parsed and written exactly: an integer beyond 2^53 shows as sent.
    shown = escapeJsonText(stringifyExact(redactValue(parseJsonExact(text), resultName)));
  } catch {
    shown = escapeControls(text);
  }
  return shown.length > limit ? `${shown.slice(0, limit)}...` : shown;
}

export function verboseObserver(io: Io): RequestObserver {
  return {
    request(req) {
      const lines = [`> ${req.method} ${escapeControls(req.url)}`, ...redactedHeaders(req.headers).map((h) => `> ${h}`)];
      if (req.body !== undefined) lines.push(`> ${shownBody(req.body)}`);
      io.stderr.write(`${lines.join('\n')}\n`);
    },
    response(reply) {
      const name = findCommand(reply.command)?.result.name;
      // Masked before it is shortened: a cut must not keep the start of a secret the server echoed.
      const text = io.secrets ? io.secrets.mask(reply.text) : reply.text;
      io.stderr.write(`< HTTP ${reply.status} in ${reply.ms.toFixed(1)} ms\n< ${shownBody(text, name, SHOWN_REPLY_CHARS)}\n`);
    },
  };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A shell word that yields the secret in `source`'s file, or null when it must come from a variable. */
function fromFile(source: CredentialSource | undefined): string | null {
  if (source?.kind !== 'file') return null;
  // The JSON `ectl login` writes: its "token" field, read with the node that runs ectl.
  if (source.json) return `$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).token)' ${shellQuote(source.path)})`;
  return `$(cat ${shellQuote(source.path)})`;
}

export interface CurlLine {
  readonly command: string;
  /** What to set before running it, as sentences (variables the line reads and nothing else provides). */
  readonly notes: string[];
}

type Credentials = Pick<Settings, 'user' | 'credentials'>;

/**
 * An equivalent curl command line that does the same call when pasted into a shell with the same
 * environment: the password or token comes from where ectl took it (its variable or `$(cat FILE)`),
 * never printed; a secret that came from elsewhere (the prompt, --token) and every secret
 * argument come from variables the notes name.
 */
export function curlCommand(req: RequestDescription, settings: Credentials): CurlLine {
  const parts = req.body === undefined ? ['curl', '-sS'] : ['curl', '-sS', '-X', 'POST', '-H', shellQuote('Content-Type: application/json')];
  const notes: string[] = [];
  const auth = req.headers.authorization;
  const source = settings.credentials;
  const secret = (variable: string, what: string) => {
    const file = fromFile(source);
    if (file) return file;
    if (source?.kind === 'elsewhere') notes.push(`set ${variable} to ${what} first (${source.how})`);
    return `$${variable}`;
  };
  if (auth?.startsWith('Basic ') && settings.user) parts.push('-u', `${shellQuote(settings.user)}:"${secret('ECTL_PASSWORD', `the password of ${settings.user}`)}"`);
  else if (auth?.startsWith('Bearer ')) parts.push('-H', `"Authorization: Bearer ${secret('ECTL_TOKEN', 'the token')}"`);
  // A GET's arguments are in its URL; the catalogue sends none that is secret that way.
  const line = (words: string[]): CurlLine => ({ command: escapeControls(words.join(' ')), notes: [...new Set(notes)].map(escapeControls) });
  if (req.body === undefined) return line([...parts, shellQuote(req.url)]);
  // Secret arguments come from variables ECTL_ARG_<PATH> (ECTL_ARG_NEWPASS, ECTL_ARG_OPTIONS_PASSWORD) spliced into the single-quoted JSON.
  const marker = '@@ectl-secret@@';
  const variable = (path: readonly string[]) => `ECTL_ARG_${path.join('_').toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
  const json = escapeJsonText(JSON.stringify(redactValue(JSON.parse(req.body), undefined, (path) => `${marker}${variable(path)}${marker}`)));
  // The value is written as a JSON string by node, so that quotes and backslashes in it stay data.
  const quoted = shellQuote(json).replace(new RegExp(`"${marker}(\\w+)${marker}"`, 'g'), (_, name: string) => {
    notes.push(`export ${name} holding the secret argument's value first`);
    return `'"$(node -p 'JSON.stringify(process.env.${name})')"'`;
  });
  return line([...parts, '--data', quoted, shellQuote(req.url)]);
}

export function dryRunText(req: RequestDescription, settings: Credentials): string {
  const curl = curlCommand(req, settings);
  const body = req.body === undefined ? [] : [shownBody(req.body), ''];
  return [`${req.method} ${escapeControls(req.url)}`, ...redactedHeaders(req.headers), '', ...body, ...curl.notes.map((n) => `# ${n}`), curl.command, ''].join('\n');
}

/** The same as one JSON value (`-o json --dry-run batch`). */
export function dryRunRecord(req: RequestDescription, settings: Credentials): Record<string, unknown> {
  const body = req.body === undefined ? undefined : redactValue(parseJsonExact(req.body)); // our own JSON: it parses
  const curl = curlCommand(req, settings);
  return { method: req.method, url: req.url, headers: Object.fromEntries(redactedHeaderEntries(req.headers)), body, curl: curl.command, ...(curl.notes.length ? { notes: curl.notes } : {}) };
}
