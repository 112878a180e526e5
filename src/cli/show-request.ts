// --verbose and --dry-run: the request as sent, with every secret shown as *** (or, in the curl
// line, as a shell variable), and every control character escaped.
import type { RequestDescription, RequestObserver } from '../client/request.js';
import { findCommand } from '../client/client.js';
import { redactValue } from '../catalogue/secrets.js';
import { parseJsonExact } from '../client/exact-json.js';
import { stringifyExact } from '../format/json.js';
import { escapeControls, escapeJsonText } from '../format/escape.js';
import type { Io } from './io.js';

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
      io.stderr.write(`< HTTP ${reply.status} in ${reply.ms.toFixed(1)} ms\n< ${shownBody(reply.text, name, SHOWN_REPLY_CHARS)}\n`);
    },
  };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** An equivalent curl command line; the credentials and secret arguments come from shell variables. */
export function curlCommand(req: RequestDescription, user: string | undefined): string {
  const parts = req.body === undefined ? ['curl', '-sS'] : ['curl', '-sS', '-X', 'POST', '-H', shellQuote('Content-Type: application/json')];
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ') && user) parts.push('-u', `${shellQuote(user)}:"$ECTL_PASSWORD"`);
  else if (auth?.startsWith('Bearer ')) parts.push('-H', `"Authorization: Bearer $ECTL_TOKEN"`);
  // A GET's arguments are in its URL; the catalogue sends none that is secret that way.
  if (req.body === undefined) return escapeControls([...parts, shellQuote(req.url)].join(' '));
  // Secrets become "$ECTL_ARG_<PATH>" (ECTL_ARG_NEWPASS, ECTL_ARG_OPTIONS_PASSWORD) spliced into the single-quoted JSON.
  const marker = '@@ectl-secret@@';
  const variable = (path: readonly string[]) => `ECTL_ARG_${path.join('_').toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
  const json = escapeJsonText(JSON.stringify(redactValue(JSON.parse(req.body), undefined, (path) => `${marker}${variable(path)}${marker}`)));
  const quoted = shellQuote(json).replace(new RegExp(`${marker}(\\w+)${marker}`, 'g'), (_, name: string) => `'"$${name}"'`);
  parts.push('--data', quoted, shellQuote(req.url));
  return escapeControls(parts.join(' '));
}

export function dryRunText(req: RequestDescription, user: string | undefined): string {
  const body = req.body === undefined ? [] : [shownBody(req.body), ''];
  return [`${req.method} ${escapeControls(req.url)}`, ...redactedHeaders(req.headers), '', ...body, curlCommand(req, user), ''].join('\n');
}

/** The same as one JSON value (`-o json --dry-run batch`). */
export function dryRunRecord(req: RequestDescription, user: string | undefined): Record<string, unknown> {
  const body = req.body === undefined ? undefined : redactValue(parseJsonExact(req.body)); // our own JSON: it parses
  return { method: req.method, url: req.url, headers: Object.fromEntries(redactedHeaderEntries(req.headers)), body, curl: curlCommand(req, user) };
}
