// The request and reply of one command, without the network: URL, headers and body to send,
// and what a reply means. Kept apart from http.ts so that only a real call loads undici.
import type { Dispatcher } from 'undici';
import { CommandFailedError, UnauthorizedError, UnreachableError } from '../errors.js';
import { parseJsonExact } from './exact-json.js';
import { isSecretName } from '../catalogue/secrets.js';

/** Replies larger than this end the request: a broken or hostile server cannot fill the memory. */
export const DEFAULT_MAX_REPLY_BYTES = 64 * 1024 * 1024;
/** A status line and headers larger than this are not an API reply, for either transport (node:http allows 16 KiB). */
export const MAX_HEAD_BYTES = 64 * 1024;

export interface TransportOptions {
  /** API base URL, e.g. http://localhost:5280/api */
  url: string;
  /** Admin JID for HTTP Basic auth; sent only when set. */
  user?: string;
  password?: string;
  /** OAuth bearer token (used when no user is set). */
  token?: string;
  /** Whole-request time limit in milliseconds. */
  timeoutMs?: number;
  /** The largest reply body accepted, in bytes (default 64 MiB); a larger one ends the request. With your own dispatcher, give it undici's maxResponseSize instead. */
  maxReplyBytes?: number;
  /** Use each command's definition of this API version or older (default: the newest of the release). */
  apiVersion?: number;
  /** Extra CA certificates (PEM) to trust for https. */
  ca?: string | Buffer;
  /** Skip TLS certificate verification. */
  insecure?: boolean;
  /** Maximum connections per origin (batch mode). */
  connections?: number;
  /** Supply your own undici dispatcher (then ca/insecure/connections are ignored). */
  dispatcher?: Dispatcher;
  /** Told about each request and its reply (for --verbose); secrets are not redacted here. */
  observer?: RequestObserver;
  /**
   * Ends every call of the client at once when aborted (batch's Ctrl-C): one listener for all
   * of them, where a call's own `signal` adds one per call. A call given this same signal is
   * not watched twice.
   */
  signal?: AbortSignal;
}

export interface RequestDescription {
  /** The ejabberd command the request calls. */
  command: string;
  method: 'POST' | 'GET';
  url: string;
  headers: Record<string, string>;
  /** The JSON body of a POST; a GET carries its arguments in the URL's query. */
  body?: string;
}

export interface RequestObserver {
  request?(req: RequestDescription): void;
  response?(reply: { command: string; status: number; text: string; ms: number }): void;
}

const authCache = new WeakMap<TransportOptions, string | undefined>();

/** The Authorization header for these options (worked out once per options object). */
export function authorizationHeader(o: TransportOptions): string | undefined {
  if (authCache.has(o)) return authCache.get(o);
  const value = computeAuthorization(o);
  authCache.set(o, value);
  return value;
}

function computeAuthorization(o: TransportOptions): string | undefined {
  const creds = credentialsOf(o);
  if (creds.kind === 'user') return `Basic ${Buffer.from(`${o.user}:${o.password ?? ''}`).toString('base64')}`;
  if (creds.kind === 'token') return `Bearer ${o.token}`;
  return undefined;
}

export function commandUrl(o: TransportOptions, command: string, version?: number): string {
  const base = o.url.replace(/\/+$/, '');
  // mod_http_api (24.02 and later) takes the last `vN` of the path as the API version, and the
  // command from the first element after its mount point: `/api/<command>/vN` works on any mount.
  return version === undefined ? `${base}/${command}` : `${base}/${command}/v${version}`;
}

/**
 * The exact request ectl sends for a command (also what --dry-run shows): a POST of the arguments
 * as JSON, or, for a definition whose args_rename renames one of its arguments into another
 * (`renamedAway`, e.g. muc_register_nick v3: host -> service), a GET. mod_http_api renames the
 * first `host` it reads into `service` before reading the arguments, so a JSON object, whose keys
 * are unique, cannot carry both; a query can: `host=<service>` first, then `host=<host>`.
 */
export function describeRequest(o: TransportOptions, command: string, body: Readonly<Record<string, unknown>>, version?: number, renamedAway?: readonly (readonly [string, string])[]): RequestDescription {
  const auth = authorizationHeader(o);
  const url = commandUrl(o, command, version);
  if (renamedAway?.length) {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (auth) headers.authorization = auth;
    const pair = (k: string, v: unknown) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`;
    const query = [...renamedAway.map(([from, to]) => pair(from, body[to])),
      ...Object.entries(body).filter(([k]) => !renamedAway.some(([, to]) => to === k)).map(([k, v]) => pair(k, v))];
    return { command, method: 'GET', url: `${url}?${query.join('&')}`, headers };
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (auth) headers.authorization = auth;
  return { command, method: 'POST', url, headers, body: JSON.stringify(body) };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: parseJsonExact(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * What to do about a server certificate that was not accepted, by Node's error code: a renewal,
 * another host name, or the right CA (`caGiven`: a CA file was given, so it was the wrong one).
 */
export function certificateAdvice(code: string, caGiven: boolean): string {
  if (code === 'CERT_HAS_EXPIRED') return 'it has expired: renew it on the server, or skip verification with --insecure';
  if (code === 'CERT_NOT_YET_VALID') return 'it is not valid yet: check the clocks of this machine and of the server';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'it is not for this host name: use a --url host that the certificate names, or skip verification with --insecure';
  return caGiven ? 'the CA file given with --ca-file did not issue it: give the CA that did, or skip verification with --insecure'
    : 'trust its CA with --ca-file, or skip verification with --insecure';
}

const bodyKind = (text: string) => (text.trim() === '' ? 'an empty body' : 'a body that is not an ejabberd API reply');

/** A reply as http.ts hands it on: status, body text, and the one header an error message uses. */
export interface Reply {
  status: number;
  text: string;
  /** The Retry-After header of a 429 or 503. */
  retryAfter?: string;
}

/** What a Retry-After header asks for (seconds or an HTTP date), or '' when it says nothing usable. */
function retryAdvice(header: string | undefined): string {
  const value = header?.trim() ?? '';
  if (/^\d{1,9}$/.test(value)) return `; it asks to wait ${Number(value)} s before retrying (Retry-After)`;
  const when = /^[\w ,:+-]{1,64}$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isFinite(when)) return `; it asks to wait until ${new Date(when).toISOString()} before retrying (Retry-After)`;
  return '; try again later';
}

const BUSY: Record<number, string> = {
  429: 'the server refuses more requests for now (HTTP 429 Too Many Requests)',
  503: 'the server is unavailable for now (HTTP 503 Service Unavailable)',
};

/** What ectl knows about a failed call beyond the reply: the credentials sent, the arguments, the release. */
export interface ReplyContext {
  /** What the Authorization header carried. */
  readonly credentials?: Credentials;
  /** The JSON body sent (secrets are never quoted from it). */
  readonly args?: Readonly<Record<string, unknown>>;
  /** The ejabberd release the call spoke, when known. */
  readonly release?: string;
  /** What is known to make this call fail with internal_error (a server bug), said instead of pointing to the server's log. */
  readonly fault?: string;
}

export type Credentials = { readonly kind: 'user'; readonly user: string } | { readonly kind: 'token' } | { readonly kind: 'none' };

/** Which credentials these options send (the same choice authorizationHeader makes). */
export function credentialsOf(o: TransportOptions): Credentials {
  if (o.user && (o.password !== undefined || !o.token)) return { kind: 'user', user: o.user };
  if (o.token) return { kind: 'token' };
  return { kind: 'none' };
}

/** The thing a call named, in words: an account, a room, a JID, else its other plain arguments. */
function subjectOf(args: Readonly<Record<string, unknown>> | undefined): string {
  if (!args) return '';
  const str = (k: string) => (typeof args[k] === 'string' && !isSecretName(k) ? (args[k] as string) : undefined);
  const user = str('user') ?? str('localuser');
  const host = str('host') ?? str('localhost') ?? str('localserver');
  if (user && host) return `account ${user}@${host}`;
  const room = str('name') ?? str('room');
  const service = str('service');
  if (room && service) return `room ${room}@${service}`;
  const jid = str('jid') ?? str('user_jid');
  if (jid) return jid;
  const plain = Object.keys(args).filter((k) => str(k) !== undefined).slice(0, 3).map((k) => `${k} ${str(k)}`);
  return plain.join(', ');
}

/** A command's own error reason (404 with a string body: ejabberd's not_found family) in words. */
function commandErrorMessage(command: string, reason: string, args: ReplyContext['args']): string {
  const subject = subjectOf(args);
  if (reason === 'unknown_user' || reason === 'user_not_found' || reason === 'user_not_exists') {
    return subject.startsWith('account ') ? `no such ${subject} (${reason})` : `no such account (${reason})`;
  }
  if (reason === 'not_found') return `'${command}' found nothing${subject ? ` for ${subject}` : ''} (not_found)`;
  return `'${command}' failed: ${reason}${subject ? ` (${subject})` : ''}`;
}

const trimPeriod = (s: string) => s.replace(/\.$/, '');

/** A refusal (401/403) that says what was sent and what to do next. */
function refusal(command: string, status: number, serverSays: string, ctx: ReplyContext): UnauthorizedError {
  const creds = ctx.credentials ?? { kind: 'none' };
  const sent = creds.kind === 'user' ? `sent: user ${creds.user} with a password` : creds.kind === 'token' ? 'sent: an OAuth token' : 'sent: no credentials';
  let next: string;
  if (status === 401) {
    next = creds.kind === 'user' ? 'check the password (ECTL_PASSWORD, --password-file) and the user (ECTL_USER)'
      : creds.kind === 'token' ? "the token is wrong or has expired: get a new one with 'ectl login'"
        : 'set ECTL_USER and ECTL_PASSWORD, or get a token with ectl login';
  } else {
    next = creds.kind === 'user' ? `the server's api_permissions must grant '${command}' to ${creds.user}`
      : creds.kind === 'token' ? `the token needs the ejabberd:admin scope ('ectl login' asks for it) and api_permissions must grant '${command}'`
        : `set ECTL_USER and ECTL_PASSWORD (or run ectl login): api_permissions grant '${command}' to no anonymous caller`;
    // ejabberd 26.07 refuses a host it does not serve this way.
    if (creds.kind !== 'none' && ctx.args && typeof ctx.args.host === 'string') next += `, or the host '${ctx.args.host}' is not one this server serves`;
  }
  return new UnauthorizedError(`not authorized: ${trimPeriod(serverSays)} (${sent}); ${next}; 'ectl doctor' checks the setup step by step`, status);
}

/**
 * ejabberd's own replies for a command it does not have: code 40 (no such name at all) or 44 (not
 * registered); or, once the name exists as an atom in the server (ejabberdctl was asked for it, a
 * module named it), a 400 whose body is the bare string "unknown_command".
 */
function isMissingCommand(body: unknown): boolean {
  if (body === 'unknown_command') return true;
  const code = body && typeof body === 'object' ? (body as { code?: unknown }).code : undefined;
  return code === 40 || code === 44;
}

/** mod_http_api's own refusal of a body shaped for other arguments (every release from 23.01 to 26.07 words it so); the command did not run. */
const ARGUMENTS_REFUSED = /^Request have (?:missing argument|unknown arguments)\b/;

/**
 * A reason with an Erlang term that the server pretty-printed (`~p`) over several lines, as
 * `{'EXIT',\n       {error,...` with up to 80 spaces of indentation: the term on one line, as
 * Erlang writes it when it fits (`{'EXIT',{error,...}}`). Only a break after a comma is one of
 * the printer's; other line breaks stay.
 */
export function termOnOneLine(message: string): string {
  return message.replace(/,\n +/g, ',');
}

/** Maps an error reply (any non-200 status) to a typed error. */
export function errorForReply(command: string, { status, text, retryAfter }: Reply, module: string | null, ctx: ReplyContext = {}): Error {
  const parsed = parseJson(text);
  const body = parsed.ok ? parsed.value : undefined;
  let message: string | undefined;
  let code: number | undefined;
  if (typeof body === 'string') message = body;
  else if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    message = (body as { message: string }).message;
    const c = (body as { code?: unknown }).code;
    if (typeof c === 'number') code = c;
  }
  if (message !== undefined) message = termOnOneLine(message);
  if (status >= 300 && status < 400) {
    return new UnreachableError(`the server answered '${command}' with a redirect (HTTP ${status}); ectl does not follow redirects for POST: use the final address in --url`);
  }
  // A refusal or a busy server means the same whatever the body (a proxy's HTML page, nothing).
  if (status === 401 || status === 403) {
    const err = refusal(command, status, message ?? `HTTP ${status} with ${bodyKind(text)}`, ctx);
    return new UnauthorizedError(err.message, status, code);
  }
  if (status in BUSY) return new CommandFailedError(`${BUSY[status]}${message === undefined ? '' : `: ${message}`}${retryAdvice(retryAfter)}`, status, code);
  if (message === undefined) {
    return new UnreachableError(`HTTP ${status} with ${bodyKind(text)}: is --url the ejabberd API (e.g. http://host:5280/api)?`);
  }
  if (status === 500 && message === 'internal_error') {
    return new CommandFailedError(ctx.fault ?? `ejabberd failed while running '${command}' (internal_error): check the arguments (a host the server does not serve, a value it does not know); `
      + "the reason is in the server's log, on a 'REST API Error' line of ejabberd.log (e.g. /var/log/ejabberd/ejabberd.log)", status, code);
  }
  if ((status === 404 || status === 400) && isMissingCommand(body)) {
    const server = ctx.release ? `the server (ejabberd ${ctx.release})` : 'the server';
    const need = module ? `; it comes with ${module}: add that module to ejabberd.yml's modules (for this host) and reload` : '; is it a command of this release?';
    return new CommandFailedError(`${server} does not offer '${command}'${need} (${trimPeriod(message)})`, status, code, true);
  }
  // Any other 404 is the command's own "not found" (a string body such as "unknown_user"), or a
  // restuple error of type not_exists (an object whose message says what).
  if (status === 404 && typeof body === 'string') return new CommandFailedError(commandErrorMessage(command, message, ctx.args), status, code);
  return new CommandFailedError(message, status, code, status === 400 && ARGUMENTS_REFUSED.test(message));
}

/** Decodes a 200 reply body; anything but JSON means this is not an ejabberd API. */
export function decodeSuccess(command: string, text: string): unknown {
  const parsed = parseJson(text);
  if (!parsed.ok) throw new UnreachableError(`the reply to '${command}' is not JSON: is --url the ejabberd API (e.g. http://host:5280/api)?`);
  return parsed.value;
}
