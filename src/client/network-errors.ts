// What a failed request means to the user, the same for either transport (undici's for the
// library and batch, single-request.ts's for the CLI's single call): one line naming the cause.
import { UnreachableError } from '../errors.js';
import { sizeText } from '../bounded-read.js';
import { DEFAULT_MAX_REPLY_BYTES, certificateAdvice, type TransportOptions } from './request.js';

const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Failures to open a connection (before any byte of a request could be written). */
const NOT_CONNECTED = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EHOSTDOWN', 'ENETDOWN']);

export const maxReplyBytes = (o: TransportOptions) => o.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;

export function tooLarge(url: string, o: TransportOptions): UnreachableError {
  return new UnreachableError(`reply too large: ${new URL(url).host} sent more than ${sizeText(maxReplyBytes(o))} (raise --max-reply-size if such a reply is expected)`);
}

function portOf(url: string): string {
  const u = new URL(url);
  return u.port || (u.protocol === 'https:' ? '443' : '80');
}

export function describeNetworkError(err: unknown, url: string, o: TransportOptions): UnreachableError {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const where = new URL(url).host;
  const timeoutMs = o.timeoutMs ?? 60_000;
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return tooLarge(url, o);
  if (e.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    // A connection that was never made carried no request.
    return new UnreachableError(`no answer from ${where} within ${timeoutMs / 1000} s (raise --timeout if the command is slow)`, { notSent: code === 'UND_ERR_CONNECT_TIMEOUT' });
  }
  const notSent = { notSent: true };
  if (code === 'ECONNREFUSED') return new UnreachableError(`connection to ${where} refused: is ejabberd running and listening there? (check --url)`, notSent);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new UnreachableError(`cannot resolve the host of ${url} (check --url)`, notSent);
  if (CERT_CODES.has(code)) {
    return new UnreachableError(`TLS certificate of ${where} not accepted (${code}): ${certificateAdvice(code, o.ca !== undefined)}`, notSent);
  }
  if (NOT_CONNECTED.has(code) || /^ERR_SSL_|^ERR_TLS_/.test(code)) {
    return new UnreachableError(`cannot reach ${where}: ${e.cause?.message ?? e.message ?? code}`, notSent);
  }
  const https = url.startsWith('https:');
  // ejabberd closes the connection when the port speaks the other protocol: say which to try.
  const otherScheme = https ? `; if port ${portOf(url)} serves plain HTTP, use an http:// URL` : `; if port ${portOf(url)} serves HTTPS (TLS), use an https:// URL`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return new UnreachableError(`connection to ${where} was closed before a full reply${otherScheme}`, { cut: true });
  if (!https && (code.startsWith('HPE_') || e.name === 'HTTPParserError')) return new UnreachableError(`the reply from ${where} is not HTTP${otherScheme}`);
  // single-request.ts's own parser; over TLS the scheme was right, so no hint about it.
  if (code === 'ERR_BAD_HTTP_REPLY') return new UnreachableError(`the reply from ${where} is not HTTP (${e.message})${https ? '' : otherScheme}`);
  if (https && (code.startsWith('ERR_SSL') || code === 'EPROTO')) return new UnreachableError(`TLS handshake with ${where} failed (${code})${otherScheme}`);
  return new UnreachableError(`cannot reach ${where}: ${e.cause?.message ?? e.message ?? String(err)}`);
}
