// A loopback HTTP server that answers each request in a chosen bad way, for the faults a real
// ejabberd cannot be made to produce. It counts the requests it receives.
import { createServer } from 'node:http';

const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

const perSocket = new WeakMap();
/** How many requests this connection has carried, this one included. */
function requestsOn(socket) {
  const n = (perSocket.get(socket) ?? 0) + 1;
  perSocket.set(socket, n);
  return n;
}

/**
 * A reply written byte for byte on the connection, bypassing node:http's own framing, in pieces
 * of `piece` bytes 5 ms apart (so that lines and chunk sizes arrive split), then closed unless
 * `keepOpen`.
 */
const raw = (text, { piece = Infinity, keepOpen = false } = {}) => (req) => {
  const bytes = Buffer.from(text);
  let at = 0;
  const next = () => {
    if (req.socket.destroyed) return;
    req.socket.write(bytes.subarray(at, (at = Math.min(at + piece, bytes.length))));
    if (at < bytes.length) setTimeout(next, 5);
    else if (!keepOpen) req.socket.end();
  };
  next();
};
const OK_HEAD = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n';
/** A Content-Length header, the end of the head and the body. */
const sized = (body) => `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
/** A chunked body: the chunks given, each with its size in hex (and an extension on the first). */
const chunked = (...chunks) => chunks.map((c, i) => `${Buffer.byteLength(c).toString(16)}${i ? '' : ';ext=1'}\r\n${c}\r\n`).join('');

/** What the server does with a request, by fault name. */
export const faults = {
  hang: () => {},
  slow: (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const body = '"The node is started, slowly"';
    let i = 0;
    const t = setInterval(() => {
      if (res.destroyed || i >= body.length) { clearInterval(t); res.end(); return; }
      res.write(body[i++]);
    }, 100);
  },
  reset: (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write('["alice","bo');
    setTimeout(() => res.socket.destroy(), 20);
  },
  html502: (req, res) => {
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end('<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>');
  },
  invalidJson: (req, res) => json(res, 200, '{"users": [oops'),
  empty: (req, res) => { res.writeHead(200); res.end(); },
  wrongShape: (req, res) => json(res, 200, { unexpected: { nested: true }, extra: 1 }),
  internalError: (req, res) => json(res, 500, '"internal_error"'),
  unauthorized: (req, res) => json(res, 401, { status: 'error', code: 10, message: 'You are not authorized to call this command.' }),
  forbidden31: (req, res) => json(res, 403, { status: 'error', code: 31, message: 'Command need to be run with admin privilege.' }),
  forbidden32: (req, res) => json(res, 403, { status: 'error', code: 32, message: 'AccessRules: Account does not have the right to perform the operation.' }),
  unauthorizedHtml: (req, res) => {
    res.writeHead(401, { 'content-type': 'text/html', 'www-authenticate': 'Basic realm="proxy"' });
    res.end('<html><body><h1>401 Authorization Required</h1></body></html>');
  },
  forbiddenEmpty: (req, res) => { res.writeHead(403); res.end(); },
  tooMany: (req, res) => {
    res.writeHead(429, { 'content-type': 'text/html', 'retry-after': '30' });
    res.end('<html><body>Too Many Requests</body></html>');
  },
  unavailable: (req, res) => {
    res.writeHead(503, { 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' });
    res.end();
  },
  unavailableJson: (req, res) => json(res, 503, { status: 'error', code: 1, message: 'Server is shutting down' }),
  notFound40: (req, res) => json(res, 404, { status: 'error', code: 40, message: 'Endpoint not found.' }),
  notFound44: (req, res) => json(res, 404, { status: 'error', code: 44, message: 'Command not found.' }),
  conflict: (req, res) => json(res, 409, { status: 'error', code: 10090, message: 'User bob@localhost already registered' }),
  redirect: (req, res) => { res.writeHead(301, { location: 'http://127.0.0.1:1/api/status' }); res.end(); },
  endless: (req, res) => {
    // A JSON list that never ends, written as fast as the client reads it (chunked, no length).
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('[');
    const chunk = Buffer.from('"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",'.repeat(1024));
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  },
  hugeLength: (req, res) => {
    // Announces a 10 GB body, then sends it slowly.
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 ** 3) });
    res.write('["a"');
  },
  // The kept-alive race: the first request on a connection is answered, a later one on the same
  // connection finds it closed without a byte of reply.
  closeReused: (req, res) => {
    if (requestsOn(req.socket) > 1) req.socket.destroy();
    else json(res, 200, '"The node is started"');
  },
  // As closeReused, but a few bytes of the reply arrive before the close.
  partialOnReuse: (req, res) => {
    if (requestsOn(req.socket) > 1) req.socket.end('HTTP/1.1 200 O');
    else json(res, 200, '"The node is started"');
  },
  closeAlways: (req) => req.socket.destroy(),
  // Framings a real ejabberd does not use, written raw (the parser of single-request.ts reads them).
  chunkedPieces: raw(`${OK_HEAD}transfer-encoding: chunked\r\n\r\n${chunked('["alice",', '"bob","', 'carol"]')}0\r\nx-trailer: yes\r\n\r\n`, { piece: 3, keepOpen: true }),
  chunkedHuge: raw(`${OK_HEAD}transfer-encoding: chunked\r\n\r\n${(2 * 1024 * 1024).toString(16)}\r\n[${'"x",'.repeat(500_000)}`, { keepOpen: true }),
  cutInChunk: raw(`${OK_HEAD}transfer-encoding: chunked\r\n\r\n${chunked('["alice",')}20\r\n"bob"`),
  untilClose: raw(`HTTP/1.0 200 OK\r\ncontent-type: application/json\r\n\r\n["alice","bob","until close"]`, { piece: 5 }),
  continueFirst: raw(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\n${OK_HEAD}${sized('["after","interim"]')}`, { keepOpen: true }),
  byteOrderMark: raw(`${OK_HEAD}${sized('\uFEFF["bom","first"]')}`, { keepOpen: true }),
  badStatus: raw(`HTTP/1.1 2x0 OK\r\ncontent-length: 2\r\n\r\n[]`, { keepOpen: true }),
  notHttp: raw(`<?xml version='1.0'?><stream:stream xmlns='jabber:client'>`, { keepOpen: true }),
  badHeader: raw(`HTTP/1.1 200 OK\r\nno colon here\r\ncontent-length: 2\r\n\r\n[]`, { keepOpen: true }),
  // A header block over 64 KiB, sent without end: refused once the bound is passed.
  hugeHead: raw(`${OK_HEAD}${'x-filler: '.padEnd(1000, 'f').concat('\r\n').repeat(70)}`, { keepOpen: true }),
  // Headers of 40 KiB (over node:http's 16 KiB, under the 64 KiB bound): a valid reply.
  bigHead: raw(`${OK_HEAD}${'x-filler: '.padEnd(1000, 'f').concat('\r\n').repeat(40)}${sized('["big head"]')}`, { keepOpen: true }),
  large: (req, res) => {
    // A valid registered_users reply of about 20 MB, written in chunks of 1,000 names as fast as
    // the client reads (a million writes at once make Node 24's server drop the reply).
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('[');
    let i = 0;
    const pump = () => {
      while (i < 1_000_000 && !res.destroyed) {
        let chunk = '';
        for (const end = i + 1000; i < end; i++) chunk += `${i ? ',' : ''}"user${String(i).padStart(7, '0')}"`;
        if (!res.write(chunk)) return res.once('drain', pump);
      }
      if (!res.destroyed) res.end(']');
    };
    pump();
  },
};

/** Starts a fault server; `fault` may be changed between requests. */
export async function startFaultServer(fault = 'hang') {
  const state = { fault, requests: 0, connections: 0, sockets: new Set() };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.requests++;
      faults[state.fault](req, res);
    });
  });
  server.on('connection', (s) => { state.connections++; state.sockets.add(s); s.on('close', () => state.sockets.delete(s)); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  state.url = `http://127.0.0.1:${port}/api`;
  state.close = () => new Promise((r) => {
    for (const s of state.sockets) s.destroy();
    server.close(r);
  });
  return state;
}
