// --verbose and --dry-run: the request as sent, with every secret shown as *** (or, in the curl
// line, as a shell variable).
import type { RequestDescription, RequestObserver } from '../client/request.js';
import { isSecretName, redactJson } from '../catalogue/secrets.js';
import type { Io } from './io.js';

function redactedHeaders(headers: Record<string, string>): string[] {
  return Object.entries(headers).map(([k, v]) => `${k}: ${k === 'authorization' ? v.replace(/ .*/, ' ***') : v}`);
}

export function verboseObserver(io: Io): RequestObserver {
  return {
    request(req) {
      const lines = [`> ${req.method} ${req.url}`, ...redactedHeaders(req.headers).map((h) => `> ${h}`), `> ${redactJson(req.body)}`];
      io.stderr.write(`${lines.join('\n')}\n`);
    },
    response(reply) {
      io.stderr.write(`< HTTP ${reply.status} in ${reply.ms.toFixed(1)} ms\n< ${redactJson(reply.text.length > 2000 ? `${reply.text.slice(0, 2000)}...` : reply.text)}\n`);
    },
  };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** An equivalent curl command line; the credentials and secret arguments come from shell variables. */
export function curlCommand(req: RequestDescription, user: string | undefined): string {
  const parts = ['curl', '-sS', '-X', 'POST', '-H', shellQuote('Content-Type: application/json')];
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ') && user) parts.push('-u', `${shellQuote(user)}:"$ECTL_PASSWORD"`);
  else if (auth?.startsWith('Bearer ')) parts.push('-H', `"Authorization: Bearer $ECTL_TOKEN"`);
  const body = JSON.parse(req.body) as Record<string, unknown>;
  // Secret arguments become "$ECTL_ARG_<NAME>" spliced into the single-quoted JSON.
  const marker = '@@ectl-secret@@';
  const json = JSON.stringify(Object.fromEntries(Object.entries(body).map(([k, v]) => [k, isSecretName(k) ? `${marker}${k}${marker}` : v])));
  const quoted = shellQuote(json).replace(new RegExp(`${marker}(\\w+)${marker}`, 'g'), (_, name: string) => `'"$ECTL_ARG_${name.toUpperCase()}"'`);
  parts.push('--data', quoted, shellQuote(req.url));
  return parts.join(' ');
}

export function dryRunText(req: RequestDescription, user: string | undefined): string {
  return [`${req.method} ${req.url}`, ...redactedHeaders(req.headers), '', redactJson(req.body), '', curlCommand(req, user), ''].join('\n');
}
