// One request over node:http or node:https, on a connection of its own: the CLI's single command.
// node:http is loaded by undici too, so one request this way starts faster than with undici by
// all of undici's own code and its WebAssembly parser; undici stays the library's and batch's
// transport (kept-alive connections, many requests). Limits, time-outs and errors are the same.
import type { IncomingMessage } from 'node:http';
import { UnreachableError } from '../errors.js';
import type { Reply, RequestDescription, TransportOptions } from './request.js';
import { describeNetworkError, maxReplyBytes, tooLarge } from './network-errors.js';

/** Sends a request (describeRequest's) and returns the reply's status and text; network faults throw. */
export function sendSingle(o: TransportOptions, req: RequestDescription, signal?: AbortSignal): Promise<Reply> {
  const { command } = req;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const limit = maxReplyBytes(o);
  o.observer?.request?.(req);
  const started = Date.now();
  const url = new URL(req.url);
  const https = url.protocol === 'https:';
  const { request } = process.getBuiltinModule(https ? 'node:https' : 'node:http') as typeof import('node:https');
  return new Promise<Reply>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, reply?: Reply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        outgoing.destroy();
        reject(err);
      } else resolve(reply!);
    };
    const fail = (err: unknown) => finish(err instanceof UnreachableError ? err : describeNetworkError(err, req.url, o));
    const onAbort = () => finish(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
    // One time limit for the whole request, as with undici: silence and a trickle alike.
    // Still connecting when time is up: nothing was sent (another node of a cluster may take it).
    let connected = false;
    const timer = setTimeout(() => fail(connected ? { name: 'TimeoutError' } : { code: 'UND_ERR_CONNECT_TIMEOUT' }), timeoutMs);
    const outgoing = request(url, {
      method: req.method,
      headers: req.body === undefined ? req.headers : { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
      agent: false, // a connection of its own, closed after the reply: no kept-alive race to retry
      ...(https ? { ca: o.ca, rejectUnauthorized: !o.insecure } : {}),
    }, (res: IncomingMessage) => {
      // A declared length beyond the limit fails at once rather than after the download.
      if (Number(res.headers['content-length']) > limit) return fail(tooLarge(req.url, o));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) fail(tooLarge(req.url, o));
        else chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('end', () => {
        if (!res.complete) return fail({ code: 'ECONNRESET' });
        // As undici's body.text(): UTF-8, a leading byte order mark dropped.
        const text = Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
        o.observer?.response?.({ command, status: res.statusCode!, text, ms: Date.now() - started });
        const retryAfter = res.headers['retry-after'];
        finish(undefined, { status: res.statusCode!, text, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined });
      });
    });
    outgoing.on('error', fail);
    outgoing.once('socket', (socket) => socket.once(https ? 'secureConnect' : 'connect', () => { connected = true; }));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    outgoing.end(req.body);
  });
}
