// One request on a connection of its own, the CLI's single command: HTTP/1.1 written and read
// here over a node:net (or node:tls) socket. Loading and running node:http costs a call about
// 7 ms more than a bare socket, and undici (its own code and WebAssembly parser) far more; undici
// stays the library's and batch's transport (kept-alive connections, many requests). Limits,
// time-outs and error messages are the same either way.
import type { Socket } from 'node:net';
import { UnreachableError } from '../errors.js';
import { MAX_HEAD_BYTES, type Reply, type RequestDescription, type TransportOptions } from './request.js';
import { REPLY_FLAW, describeNetworkError, maxReplyBytes, tooLarge } from './network-errors.js';

/** A chunk-size line longer than this is not one (hex digits, maybe an extension). */
const MAX_LINE_BYTES = 1024;
const TOKEN = /^[!#$%&'*+.^`|~\w-]+$/;
const STATUS_START = 'HTTP/1.';
const EMPTY: Buffer = Buffer.alloc(0);

/** A reply that breaks HTTP/1.x: described as node:http's parse errors are (network-errors.ts). */
export class HttpSyntaxError extends Error {
  readonly code = 'ERR_BAD_HTTP_REPLY';
}

/**
 * Reads one HTTP/1.x reply from the bytes of a connection as they arrive (`push`, then `end` when
 * the server closes): status, headers and body. 1xx interim replies are skipped; the body is
 * framed by chunked transfer coding, else Content-Length, else the end of the connection.
 * Malformed input throws an HttpSyntaxError (worded as network-errors.ts's REPLY_FLAW).
 */
export class ReplyReader {
  status = 0;
  /** Header values by lower-case name: the first of repeated ones, Content-Length and Transfer-Encoding joined. */
  headers = new Map<string, string>();
  /** The Content-Length of a reply framed by it. */
  declaredLength?: number;
  readonly body: Buffer[] = [];
  bodySize = 0;
  private state: 'head' | 'length' | 'close' | 'size' | 'data' | 'crlf' | 'trailer' | 'done' = 'head';
  /** Bytes still to come of the body (length) or of the chunk (data); trailer bytes so far (trailer). */
  private left = 0;
  /** Received bytes of a head or line not complete yet. */
  private pending: Buffer = EMPTY;

  get done(): boolean {
    return this.state === 'done';
  }

  push(chunk: Buffer): void {
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let pos = 0;
    while (pos < data.length && this.state !== 'done') {
      if (this.state === 'head') {
        // Bytes that cannot begin a status line fail at once (another protocol on that port).
        if (!STATUS_START.startsWith(data.toString('latin1', pos, pos + STATUS_START.length))) throw new HttpSyntaxError(REPLY_FLAW.status);
        const end = data.indexOf('\r\n\r\n', pos);
        if ((end < 0 ? data.length : end) - pos > MAX_HEAD_BYTES) throw new HttpSyntaxError(REPLY_FLAW.headTooLarge);
        if (end < 0) break;
        this.readHead(data.toString('latin1', pos, end));
        pos = end + 4;
      } else if (this.state === 'length' || this.state === 'data') {
        const n = Math.min(this.left, data.length - pos);
        this.addBody(data.subarray(pos, pos + n));
        pos += n;
        this.left -= n;
        if (this.left === 0) this.state = this.state === 'length' ? 'done' : 'crlf';
      } else if (this.state === 'close') {
        this.addBody(data.subarray(pos));
        pos = data.length;
      } else if (this.state === 'crlf') {
        if (data.length - pos < 2) break;
        if (data[pos] !== 13 || data[pos + 1] !== 10) throw new HttpSyntaxError(REPLY_FLAW.chunkEnd);
        pos += 2;
        this.state = 'size';
      } else {
        const end = data.indexOf('\r\n', pos);
        const length = (end < 0 ? data.length : end) - pos;
        if (this.state === 'size') {
          if (length > MAX_LINE_BYTES) throw new HttpSyntaxError('chunk size line too long');
          if (end < 0) break;
          const size = /^([\da-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(data.toString('latin1', pos, end));
          if (!size) throw new HttpSyntaxError(REPLY_FLAW.chunkSize);
          this.left = parseInt(size[1], 16);
          this.state = this.left ? 'data' : 'trailer';
        } else {
          // Trailer fields after the last chunk, up to an empty line: read past, bounded as a head.
          if (this.left + length > MAX_HEAD_BYTES) throw new HttpSyntaxError(`trailer over ${MAX_HEAD_BYTES / 1024} KiB`);
          if (end < 0) break;
          this.left += length + 2;
          if (length === 0) this.state = 'done';
        }
        pos = end + 2;
      }
    }
    this.pending = this.state === 'done' ? EMPTY : data.subarray(pos);
  }

  /** The server closed the connection: true when that completes the reply (a body read until close). */
  end(): boolean {
    if (this.state === 'close') this.state = 'done';
    return this.done;
  }

  private readHead(text: string): void {
    const [statusLine, ...lines] = text.split('\r\n');
    const status = /^HTTP\/1\.[01] ([1-9]\d\d)(?: [^\0\r\n]*)?$/.exec(statusLine);
    if (!status) throw new HttpSyntaxError(REPLY_FLAW.status);
    const headers = new Map<string, string>();
    for (const line of lines) {
      const field = /^([^:]*):[ \t]*([^\0\r\n]*?)[ \t]*$/.exec(line);
      if (!field || !TOKEN.test(field[1])) throw new HttpSyntaxError(REPLY_FLAW.header);
      const name = field[1].toLowerCase();
      const before = headers.get(name);
      if (before === undefined) headers.set(name, field[2]);
      else if (name === 'content-length' || name === 'transfer-encoding') headers.set(name, `${before}, ${field[2]}`);
    }
    const code = Number(status[1]);
    // ectl sends no Expect: 100-continue, and undici refuses a 100 it did not ask for: so here.
    if (code === 100) throw new HttpSyntaxError(REPLY_FLAW.unaskedContinue);
    if (code < 200) return; // an interim reply (103 Early Hints...): the real one follows
    this.status = code;
    this.headers = headers;
    const coding = headers.get('transfer-encoding');
    const length = headers.get('content-length');
    if (code === 204 || code === 304) this.state = 'done';
    else if (coding !== undefined) this.state = /(?:^|,)[ \t]*chunked[ \t]*$/i.test(coding) ? 'size' : 'close';
    else if (length !== undefined) {
      // One value only: a doubled Content-Length (even an equal one) is refused, as undici does.
      if (!/^\d{1,15}$/.test(length)) throw new HttpSyntaxError(REPLY_FLAW.length);
      this.declaredLength = this.left = Number(length);
      this.state = this.left ? 'length' : 'done';
    } else this.state = 'close';
  }

  private addBody(bytes: Buffer): void {
    if (!bytes.length) return;
    this.body.push(bytes);
    this.bodySize += bytes.length;
  }
}

/** The request's bytes: head and body, for one write. Header names and values node:http would refuse throw. */
export function requestBytes(req: RequestDescription, url: URL): Buffer {
  const headers: Record<string, string> = { host: url.host, ...req.headers, connection: 'close' };
  if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
  let head = `${req.method} ${url.pathname}${url.search} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    // Control characters (CR, LF, NUL...) would end the header early or smuggle another in.
    if (!TOKEN.test(name)) throw Object.assign(new TypeError(`invalid HTTP header name ${JSON.stringify(name)}`), { code: 'ERR_INVALID_HTTP_TOKEN' });
    if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) throw Object.assign(new TypeError(`invalid character in the value of the HTTP header ${name}`), { code: 'ERR_INVALID_CHAR' });
    head += `${name}: ${value}\r\n`;
  }
  head += '\r\n';
  return req.body === undefined ? Buffer.from(head, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(req.body)]);
}

/** Opens the connection of a URL (TLS for https:, checked as node:https does). */
function connect(url: URL, o: TransportOptions): Socket {
  const net = process.getBuiltinModule('node:net') as typeof import('node:net');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1'); // an IPv6 literal without its brackets
  if (url.protocol !== 'https:') return net.connect({ host, port: Number(url.port) || 80 });
  const tls = process.getBuiltinModule('node:tls') as typeof import('node:tls');
  return tls.connect({ host, port: Number(url.port) || 443, ...(net.isIP(host) ? {} : { servername: host }), ca: o.ca, rejectUnauthorized: !o.insecure });
}

/** Sends a request (describeRequest's) and returns the reply's status and text; network faults throw. */
export function sendSingle(o: TransportOptions, req: RequestDescription, signal?: AbortSignal): Promise<Reply> {
  const { command } = req;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const limit = maxReplyBytes(o);
  o.observer?.request?.(req);
  const started = Date.now();
  const url = new URL(req.url);
  return new Promise<Reply>((resolve, reject) => {
    const bytes = requestBytes(req, url);
    const abortReason = () => (signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
    if (signal?.aborted) return reject(abortReason());
    const reader = new ReplyReader();
    const socket = connect(url, o);
    let settled = false;
    const finish = (err: Error | undefined, reply?: Reply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(reply!);
    };
    // Whether any byte of the request went to the connection: the re-send rule's one fact (network-errors.ts).
    let written = false;
    const fail = (err: unknown) => finish(err instanceof UnreachableError ? err : describeNetworkError(err, req, o, written));
    const onAbort = () => finish(abortReason());
    const complete = () => {
      // As undici's body.text(): UTF-8, a leading byte order mark dropped.
      const text = Buffer.concat(reader.body).toString('utf8').replace(/^\uFEFF/, '');
      o.observer?.response?.({ command, status: reader.status, text, ms: Date.now() - started });
      finish(undefined, { status: reader.status, text, retryAfter: reader.headers.get('retry-after') });
    };
    // One time limit for the whole request, as with undici: silence and a trickle alike.
    const timer = setTimeout(() => fail({ name: 'TimeoutError' }), timeoutMs);
    // The request is written once the connection (and its TLS handshake) is made, not queued
    // before: what failed until then cannot have reached the server.
    socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      if (settled) return;
      written = true;
      socket.write(bytes);
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (err) {
        return fail(err);
      }
      // A declared length beyond the limit fails at once rather than after the download.
      if ((reader.declaredLength ?? 0) > limit || reader.bodySize > limit) fail(tooLarge(req.url, o));
      else if (reader.done) complete();
    });
    // A reply cut short (or none at all) is a reset, as node:http reports it.
    socket.on('end', () => (reader.end() ? complete() : fail({ code: 'ECONNRESET' })));
    socket.on('close', () => fail({ code: 'ECONNRESET' }));
    socket.on('error', fail);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
