// One request to mod_http_api over undici (the library and batch: kept-alive connections, a retry on the kept-alive race).
import type { Dispatcher } from 'undici';
import type { Socket } from 'node:net';
import Agent from 'undici/lib/dispatcher/agent.js';
import buildConnector from 'undici/lib/core/connect.js';
import requestApi from 'undici/lib/api/api-request.js';
import { UnreachableError } from '../errors.js';
import type { Reply, RequestDescription, TransportOptions } from './request.js';
import { describeNetworkError, maxReplyBytes, tooLarge } from './network-errors.js';

/** What a failed request's socket had seen, tagged on the error: a retry is safe only on a reused connection that got no byte of reply. */
const SOCKET_STATE = Symbol('ectl socket state');
interface SocketState { reused: boolean; replyBytes: number }

/**
 * Follows the requests on a socket (undici sends them one at a time, each reply complete before
 * the next is written): the first write after new reply bytes starts a request. When the socket
 * fails, its error carries whether the connection was reused and how much of this reply arrived.
 */
function watchSocket(socket: Socket): void {
  let requests = 0;
  let baseline = 0;
  const write = socket.write;
  socket.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
    if (requests === 0 || this.bytesRead > baseline) {
      requests++;
      baseline = this.bytesRead;
    }
    return write.apply(this, args);
  } as Socket['write'];
  socket.prependListener('error', (err: unknown) => {
    if (err && typeof err === 'object') (err as { [SOCKET_STATE]?: SocketState })[SOCKET_STATE] = { reused: requests > 1, replyBytes: socket.bytesRead - baseline };
  });
}

export function makeDispatcher(o: TransportOptions): Dispatcher {
  if (o.dispatcher) return o.dispatcher;
  const options: buildConnector.BuildOptions = { timeout: o.timeoutMs ?? 60_000 };
  if (o.ca) options.ca = o.ca;
  if (o.insecure) options.rejectUnauthorized = false;
  const connector = buildConnector(options);
  const connect: buildConnector.connector = (opts, callback) => connector(opts, (...args) => {
    if (args[0] === null) watchSocket(args[1] as Socket);
    callback(...args);
  });
  // undici counts the body as it arrives and ends the request past the limit: nothing more is buffered.
  return new Agent({ connect, connections: o.connections ?? null, keepAliveTimeout: 10_000, maxResponseSize: maxReplyBytes(o) });
}

/** The server closed a kept-alive connection before sending any byte of this reply: it cannot have run the command. */
function closedUnused(err: unknown): boolean {
  const e = err as { code?: string; [SOCKET_STATE]?: SocketState };
  const state = e?.[SOCKET_STATE];
  return !!state && state.reused && state.replyBytes === 0 && (e.code === 'UND_ERR_SOCKET' || e.code === 'ECONNRESET' || e.code === 'EPIPE');
}

const splitCache = new Map<string, { origin: string; path: string }>();

/**
 * Origin and path of a command's URL; parsed once per URL, as a batch sends the same ones again
 * and again (not a URL with a query, which holds one call's arguments).
 */
function splitUrl(url: string): { origin: string; path: string } {
  let parts = splitCache.get(url);
  if (!parts) {
    const u = new URL(url);
    parts = { origin: u.origin, path: u.pathname + u.search };
    if (!u.search) splitCache.set(url, parts);
  }
  return parts;
}

/**
 * The time limits of the requests in flight, all watched by one coarse timer (a tenth of a
 * second late at most): a batch sends thousands of requests, and a timer apiece, set and
 * cleared, costs more than the rest of a line's work. The timer does not keep the process alive.
 */
const deadlines = new Set<{ at: number; fire: () => void }>();
let sweeper: ReturnType<typeof setInterval> | undefined;
function watchDeadline(ms: number, fire: () => void): () => void {
  const d = { at: Date.now() + ms, fire };
  deadlines.add(d);
  if (!sweeper) {
    sweeper = setInterval(() => {
      const now = Date.now();
      for (const x of deadlines) if (x.at <= now) { deadlines.delete(x); x.fire(); }
      if (deadlines.size === 0) { clearInterval(sweeper); sweeper = undefined; }
    }, 100);
    sweeper.unref();
  }
  return () => deadlines.delete(d);
}

/** Sends a request (describeRequest's) and returns the reply's status and text; network faults throw. */
export async function send(dispatcher: Dispatcher, o: TransportOptions, req: RequestDescription, signal?: AbortSignal, mayRetry = true): Promise<Reply> {
  const { url, headers, command } = req;
  const timeoutMs = o.timeoutMs ?? 60_000;
  o.observer?.request?.(req);
  const started = Date.now(); // not performance.now(): loading perf_hooks costs start-up time
  // The whole request has timeoutMs: undici's header and body timeouts catch silence, and one
  // timer ends a reply that trickles in for longer. No AbortController of our own: creating one
  // per request costs more than the rest of a batch line's work.
  let timedOut = false;
  let reply: Dispatcher.ResponseData | undefined;
  const unwatch = watchDeadline(timeoutMs, () => {
    timedOut = true;
    reply?.body.destroy();
  });
  try {
    const { origin, path } = splitUrl(url);
    reply = await requestApi.call(dispatcher, {
      origin, path, method: req.method, headers, body: req.body, signal,
      headersTimeout: timeoutMs, bodyTimeout: timeoutMs, // undici never follows redirects here
    });
    if (timedOut) reply.body.destroy();
    // A declared length beyond the limit fails at once rather than after the download.
    if (Number(reply.headers['content-length']) > maxReplyBytes(o)) {
      reply.body.destroy();
      throw tooLarge(url, o);
    }
    const text = await reply.body.text();
    o.observer?.response?.({ command, status: reply.statusCode, text, ms: Date.now() - started });
    const retryAfter = reply.headers['retry-after'];
    return { status: reply.statusCode, text, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined };
  } catch (err) {
    if (signal?.aborted || err instanceof UnreachableError) throw err;
    // The kept-alive race: the server closed an idle connection just as the request went out.
    if (mayRetry && !timedOut && reply === undefined && closedUnused(err)) return send(dispatcher, o, req, signal, false);
    if (timedOut) throw describeNetworkError({ name: 'TimeoutError' }, url, o);
    throw describeNetworkError(err, url, o);
  } finally {
    unwatch();
  }
}

