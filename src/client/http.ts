// One POST to mod_http_api and the classification of everything that can go wrong with it.
import type { Dispatcher } from 'undici';
import Agent from 'undici/lib/dispatcher/agent.js';
import requestApi from 'undici/lib/api/api-request.js';
import { CommandFailedError, UnauthorizedError, UnreachableError } from '../errors.js';

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
  /** Call the versioned endpoint `<url>/v<N>/<command>`. */
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
}

export interface RequestDescription {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface RequestObserver {
  request?(req: RequestDescription): void;
  response?(reply: { status: number; text: string; ms: number }): void;
}

export interface HttpReply {
  status: number;
  body: unknown;
}

const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function authorizationHeader(o: TransportOptions): string | undefined {
  if (o.user && (o.password !== undefined || !o.token)) return `Basic ${Buffer.from(`${o.user}:${o.password ?? ''}`).toString('base64')}`;
  if (o.token) return `Bearer ${o.token}`;
  return undefined;
}

export function commandUrl(o: TransportOptions, command: string): string {
  const base = o.url.replace(/\/+$/, '');
  // ejabberd reads the version from a `vN` element of the path where mod_http_api is mounted
  // (request_handlers: "/api/v2": mod_http_api), so the command follows it.
  return o.apiVersion === undefined ? `${base}/${command}` : `${base}/v${o.apiVersion}/${command}`;
}

export function makeDispatcher(o: TransportOptions): Dispatcher {
  if (o.dispatcher) return o.dispatcher;
  const connect: Record<string, unknown> = {};
  if (o.ca) connect.ca = o.ca;
  if (o.insecure) connect.rejectUnauthorized = false;
  return new Agent({ connect, connections: o.connections ?? null, keepAliveTimeout: 10_000 });
}

function describeNetworkError(err: unknown, url: string, timeoutMs: number): UnreachableError {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const where = new URL(url).host;
  if (e.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new UnreachableError(`no answer from ${where} within ${timeoutMs / 1000} s (raise --timeout if the command is slow)`);
  }
  if (code === 'ECONNREFUSED') return new UnreachableError(`connection to ${where} refused: is ejabberd running and listening there? (check --url)`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new UnreachableError(`cannot resolve the host of ${url} (check --url)`);
  if (CERT_CODES.has(code)) {
    return new UnreachableError(`TLS certificate of ${where} not accepted (${code}): trust its CA with --ca-file, or skip verification with --insecure`);
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return new UnreachableError(`connection to ${where} was closed before a full reply`);
  return new UnreachableError(`cannot reach ${where}: ${e.cause?.message ?? e.message ?? String(err)}`);
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Maps an error reply (any non-200 status) to a typed error. */
export function errorForReply(command: string, status: number, text: string, module: string | null): Error {
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
  if (status >= 300 && status < 400) {
    return new UnreachableError(`the server answered '${command}' with a redirect (HTTP ${status}); ectl does not follow redirects for POST: use the final address in --url`);
  }
  if (message === undefined) {
    const kind = text.trim() === '' ? 'an empty body' : 'a body that is not an ejabberd API reply';
    return new UnreachableError(`HTTP ${status} with ${kind}: is --url the ejabberd API (e.g. http://host:5280/api)?`);
  }
  if (status === 401 || status === 403) return new UnauthorizedError(`not authorized: ${message}`, status, code);
  if (status === 500 && message === 'internal_error') {
    return new CommandFailedError(`ejabberd failed while running '${command}' (internal_error); the server's log has the details`, status, code);
  }
  if (status === 404) {
    const need = module ? `; it needs ${module} loaded` : '';
    return new CommandFailedError(`the server does not offer '${command}'${need} (${message})`, status, code);
  }
  return new CommandFailedError(message, status, code);
}

/** The exact request ectl sends for a command (also what --dry-run shows). */
export function describeRequest(o: TransportOptions, command: string, body: unknown): RequestDescription {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const auth = authorizationHeader(o);
  if (auth) headers.authorization = auth;
  return { method: 'POST', url: commandUrl(o, command), headers, body: JSON.stringify(body) };
}

/** POSTs a JSON body to `<url>/<command>` and returns the decoded reply; network faults throw. */
export async function post(dispatcher: Dispatcher, o: TransportOptions, command: string, body: unknown, signal?: AbortSignal): Promise<{ status: number; text: string }> {
  const req = describeRequest(o, command, body);
  const { url, headers } = req;
  const timeoutMs = o.timeoutMs ?? 60_000;
  o.observer?.request?.(req);
  const started = performance.now();
  const timeout = AbortSignal.timeout(timeoutMs);
  const signals = signal ? AbortSignal.any([timeout, signal]) : timeout;
  try {
    const { origin, pathname, search } = new URL(url);
    const res = await requestApi.call(dispatcher, {
      origin, path: pathname + search, method: 'POST', headers, body: req.body, signal: signals,
      headersTimeout: timeoutMs, bodyTimeout: timeoutMs, // undici never follows redirects here
    });
    const text = await res.body.text();
    o.observer?.response?.({ status: res.statusCode, text, ms: performance.now() - started });
    return { status: res.statusCode, text };
  } catch (err) {
    if (signal?.aborted) throw err;
    if (timeout.aborted) throw describeNetworkError({ name: 'TimeoutError' }, url, timeoutMs);
    throw describeNetworkError(err, url, timeoutMs);
  }
}

/** Decodes a 200 reply body; anything but JSON means this is not an ejabberd API. */
export function decodeSuccess(command: string, text: string): unknown {
  const parsed = parseJson(text);
  if (!parsed.ok) throw new UnreachableError(`the reply to '${command}' is not JSON: is --url the ejabberd API (e.g. http://host:5280/api)?`);
  return parsed.value;
}
