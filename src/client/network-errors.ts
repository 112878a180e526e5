// What a failed request means to the user, the same for either transport (undici's for the
// library and batch, single-request.ts's for the CLI's single call): one line naming the cause.
import { UnreachableError } from '../errors.js';
import { sizeText } from '../bounded-read.js';
import { DEFAULT_MAX_REPLY_BYTES, MAX_HEAD_BYTES, certificateAdvice, type TransportOptions } from './request.js';

const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Failures to open a connection. */
const NOT_CONNECTED = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EHOSTDOWN', 'ENETDOWN']);

export const maxReplyBytes = (o: TransportOptions) => o.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;

export function tooLarge(url: string, o: TransportOptions): UnreachableError {
  return new UnreachableError(`reply too large: ${new URL(url).host} sent more than ${sizeText(maxReplyBytes(o))} (raise --max-reply-size if such a reply is expected)`);
}

function portOf(url: string): string {
  const u = new URL(url);
  return u.port || (u.protocol === 'https:' ? '443' : '80');
}

/**
 * What single-request.ts's parser says of a broken reply, and undici's parser errors said the same
 * way: a reply is worded alike whichever transport read it.
 */
export const REPLY_FLAW = {
  status: 'invalid status line',
  header: 'invalid header line',
  headTooLarge: `header block over ${MAX_HEAD_BYTES / 1024} KiB`,
  length: 'invalid Content-Length',
  chunkSize: 'invalid chunk size',
  chunkEnd: 'chunk not followed by CRLF',
  unaskedContinue: 'a 100 Continue, which ectl never asks for',
} as const;

/** undici's own codes for a broken reply. */
const UNDICI_FLAWS: Record<string, string> = {
  UND_ERR_HEADERS_OVERFLOW: REPLY_FLAW.headTooLarge,
  // undici's count of the body against a Content-Length it read twice ('4, 4').
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: REPLY_FLAW.length,
};
/** llhttp's reasons (undici's HTTPParserError names no code of its own): the first that matches. */
const PARSER_FLAWS: [RegExp, string][] = [
  [/content-length/i, REPLY_FLAW.length],
  [/chunk size/i, REPLY_FLAW.chunkSize],
  [/status|expected http/i, REPLY_FLAW.status],
  [/header/i, REPLY_FLAW.header],
];

/** The flaw of a reply that is not HTTP/1.x, from either parser; undefined for other errors. */
function replyFlaw(code: string, e: { name?: string; message?: string }): string | undefined {
  if (code === 'ERR_BAD_HTTP_REPLY') return e.message;
  // undici closes the connection on a 100 Continue it did not ask for.
  if (code === 'UND_ERR_SOCKET' && e.message === 'bad response') return REPLY_FLAW.unaskedContinue;
  if (UNDICI_FLAWS[code]) return UNDICI_FLAWS[code];
  if (!code.startsWith('HPE_') && e.name !== 'HTTPParserError') return undefined;
  const reason = /\(([^()]+)\)$/.exec(e.message ?? '')?.[1] ?? e.message ?? code;
  return PARSER_FLAWS.find(([pattern]) => pattern.test(reason))?.[1] ?? reason.toLowerCase();
}

/** OpenSSL's reason in a TLS error ('decryption failed or bad record mac'), else its code. */
function tlsReason(code: string, message = ''): string {
  const reason = /SSL routines:[^:]*:([^:\n]+)/.exec(message)?.[1];
  const alert = /SSL alert number \d+/.exec(message)?.[0];
  return reason ? `${reason}${alert ? `, ${alert}` : ''}` : code || message;
}

const TLS_ERROR = /^ERR_SSL_|^ERR_TLS_|^EPROTO$/;
const CLOSED = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'ECONNABORTED']);

/**
 * The one rule for sending a request again, to another node or on a new connection: only when
 * not one byte of it was written. `written` is the transport's own record of whether it handed
 * any byte of the request to the connection (single-request.ts and http.ts, where they write):
 * before that (refused, host not found, TLS handshake failed, no connection in time) the error
 * is `notSent`; after it, whatever ended the request (a TLS alert or bad record, a reset, a
 * close, a time-out, a broken reply), the server may have read it and run the command, and the
 * message says so.
 */
export function describeNetworkError(err: unknown, req: { url: string; command: string }, o: TransportOptions, written: boolean): UnreachableError {
  // A reply too large to read was a reply: the command ran.
  if ((err as { code?: string }).code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return tooLarge(req.url, o);
  const cause = networkCause(err, req.url, o, written);
  if (!written) return new UnreachableError(cause.message, { notSent: true });
  const where = new URL(req.url).host;
  return new UnreachableError(`${cause.message}; the request had been sent, so '${req.command}' may have run on ${where}: check before running it again`, { cut: cause.cut });
}

function networkCause(err: unknown, url: string, o: TransportOptions, written: boolean): { message: string; cut?: boolean } {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const where = new URL(url).host;
  const timeoutMs = o.timeoutMs ?? 60_000;
  if (e.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return { message: written ? `no answer from ${where} within ${timeoutMs / 1000} s (raise --timeout if the command is slow)` : `no connection to ${where} within ${timeoutMs / 1000} s` };
  }
  if (code === 'ECONNREFUSED') return { message: `connection to ${where} refused: is ejabberd running and listening there? (check --url)` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { message: `cannot resolve the host of ${url} (check --url)` };
  if (CERT_CODES.has(code)) return { message: `TLS certificate of ${where} not accepted (${code}): ${certificateAdvice(code, o.ca !== undefined)}` };
  if (NOT_CONNECTED.has(code)) return { message: `cannot reach ${where}: ${e.cause?.message ?? e.message ?? code}` };
  const https = url.startsWith('https:');
  // ejabberd closes the connection when the port speaks the other protocol: say which to try
  // (not over a TLS session that was made: that port speaks TLS).
  const otherScheme = https ? (written ? '' : `; if port ${portOf(url)} serves plain HTTP, use an http:// URL`) : `; if port ${portOf(url)} serves HTTPS (TLS), use an https:// URL`;
  const flaw = replyFlaw(code, e);
  if (flaw !== undefined) return { message: `the reply from ${where} is not HTTP (${flaw})${otherScheme}` };
  if (https && TLS_ERROR.test(code)) {
    const reason = tlsReason(code, e.message ?? e.cause?.message);
    return { message: written ? `TLS error on the connection to ${where} (${reason})` : `TLS handshake with ${where} failed (${reason})${otherScheme}` };
  }
  if (CLOSED.has(code)) return { message: `connection to ${where} was closed before a full reply${otherScheme}`, cut: true };
  return { message: `cannot reach ${where}: ${e.cause?.message ?? e.message ?? String(err)}` };
}
