// One request to mod_http_api over undici (the library and batch: kept-alive connections).
import type { Dispatcher } from 'undici';
import Agent from 'undici/lib/dispatcher/agent.js';
import buildConnector from 'undici/lib/core/connect.js';
import requestApi from 'undici/lib/api/api-request.js';
import { UnreachableError } from '../errors.js';
import { MAX_HEAD_BYTES, type Reply, type RequestDescription, type TransportOptions } from './request.js';
import { describeNetworkError, maxReplyBytes, tooLarge } from './network-errors.js';

/** Set by the handler's onConnect, which undici calls just before it writes the request's first byte. */
const WRITTEN = Symbol('ectl request written');
type TrackedOptions = Dispatcher.RequestOptions & { [WRITTEN]?: boolean };

const tracking = new WeakMap<Dispatcher, Pick<Dispatcher, 'dispatch'>>();
/**
 * The dispatcher seen through a hook that records, on each request's options, whether undici
 * began writing it (onConnect comes right before the first write, and never for a connection
 * that could not be made): the transport's half of the re-send rule (network-errors.ts).
 * Measured: refused, TLS handshake failures and connect time-outs leave it unset; a close,
 * reset, bad TLS record or time-out after the server read the request find it set.
 */
function tracked(dispatcher: Dispatcher): Pick<Dispatcher, 'dispatch'> {
  let t = tracking.get(dispatcher);
  if (!t) {
    t = {
      dispatch(opts: TrackedOptions, handler: Dispatcher.DispatchHandler) {
        const onConnect = handler.onConnect;
        handler.onConnect = function (this: Dispatcher.DispatchHandler, ...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onConnect']>>) {
          opts[WRITTEN] = true;
          return onConnect?.apply(this, args);
        };
        return dispatcher.dispatch(opts, handler);
      },
    };
    tracking.set(dispatcher, t);
  }
  return t;
}

export function makeDispatcher(o: TransportOptions): Dispatcher {
  if (o.dispatcher) return o.dispatcher;
  const options: buildConnector.BuildOptions = { timeout: o.timeoutMs ?? 60_000 };
  if (o.ca) options.ca = o.ca;
  if (o.insecure) options.rejectUnauthorized = false;
  const connector = buildConnector(options);
  // A TLS error while reading a kept-alive connection (a broken record) is emitted without the
  // close undici waits for to fail the request in flight: that request then waited for its
  // time-out. Closing the socket on any error ends it at once, with that error.
  const connect: buildConnector.connector = (opts, callback) => connector(opts, (...args) => {
    const socket = args[1];
    if (socket) socket.on('error', (e: Error) => { if (!socket.destroyed) socket.destroy(e); });
    callback(...args);
  });
  // undici counts the body as it arrives and ends the request past the limit: nothing more is
  // buffered. Its header bound is single-request.ts's, so both transports read the same replies.
  return new Agent({ connect, connections: o.connections ?? null, keepAliveTimeout: 10_000, maxResponseSize: maxReplyBytes(o), maxHeaderSize: MAX_HEAD_BYTES });
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
export async function send(dispatcher: Dispatcher, o: TransportOptions, req: RequestDescription, signal?: AbortSignal): Promise<Reply> {
  const { url, headers, command } = req;
  const timeoutMs = o.timeoutMs ?? 60_000;
  o.observer?.request?.(req);
  const started = Date.now(); // not performance.now(): loading perf_hooks costs start-up time
  // The whole request has timeoutMs: undici's header and body timeouts catch silence, and one
  // timer ends a reply that trickles in for longer. No AbortController of our own: creating one
  // per request costs more than the rest of a batch line's work.
  let timedOut = false;
  let reply: Dispatcher.ResponseData | undefined;
  let options: TrackedOptions | undefined;
  const unwatch = watchDeadline(timeoutMs, () => {
    timedOut = true;
    reply?.body.destroy();
  });
  try {
    const { origin, path } = splitUrl(url);
    reply = await requestApi.call(tracked(dispatcher) as Dispatcher, (options = {
      origin, path, method: req.method, headers, body: req.body, signal,
      headersTimeout: timeoutMs, bodyTimeout: timeoutMs, // undici never follows redirects here
    }));
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
    // Never sent again here: a request undici had not begun to write it sends on another
    // connection itself, and one it had begun to write may have run (the kept-alive race too).
    const written = options?.[WRITTEN] === true;
    throw describeNetworkError(timedOut ? { name: 'TimeoutError' } : err, req, o, written);
  } finally {
    unwatch();
  }
}

