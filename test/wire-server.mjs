// A loopback server that speaks HTTP/1.1 byte by byte, over plain TCP or TLS, and fails at a
// chosen point of a request: for the re-send rule (a request that may have reached the server
// is never sent again). It counts the requests it began to read and those it read in full.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let pki;
/** A self-signed certificate for 127.0.0.1 (made once per test process): { key, cert, caFile }. */
export function testCertificate() {
  if (pki) return pki;
  const dir = mkdtempSync(join(tmpdir(), 'ectl-wire-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    '-days', '30', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  pki = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')), caFile: join(dir, 'cert.pem') };
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return pki;
}

/** A TLS record that cannot be decrypted (application data, wrong MAC). */
const BAD_RECORD = Buffer.from([0x17, 0x03, 0x03, 0x00, 0x20, ...Array(32).fill(0x41)]);
/** A fatal handshake_failure alert, sent instead of a ServerHello. */
const HANDSHAKE_ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);

/**
 * What the server does once it is a request's turn to fail:
 * - closePart: closes as soon as the first bytes of the request arrive (before its end);
 * - closeAll / resetAll / badRecordAll / hangAll: reads the whole request, then closes (FIN),
 *   resets (RST), sends a broken TLS record, or says nothing;
 * - handshake: (TLS) answers the ClientHello with a fatal alert, before any request;
 * - reply: reads the whole request, then writes `reply` (bytes of a broken reply) and closes.
 * `answerFirst` requests on each connection are answered first (200, kept alive): 1 makes the
 * second request on a kept-alive connection the one that fails.
 */
export async function startWireServer({ tls = false, fault = 'closeAll', answerFirst = 0, reply = '' } = {}) {
  const state = { fault, answerFirst, reply, begun: 0, complete: 0, connections: 0 };
  const sockets = new Set();
  const server = createServer((raw) => {
    state.connections++;
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => {});
    if (tls && state.fault === 'handshake') {
      raw.once('data', () => raw.end(HANDSHAKE_ALERT));
      return;
    }
    const app = tls ? new TLSSocket(raw, { isServer: true, key: testCertificate().key, cert: testCertificate().cert }) : raw;
    app.on('error', () => {});
    let buffered = Buffer.alloc(0);
    let answered = 0;
    let failing = false;
    const fail = () => {
      failing = true;
      if (state.fault === 'closeAll' || state.fault === 'closePart') app.end();
      else if (state.fault === 'resetAll') raw.resetAndDestroy();
      else if (state.fault === 'badRecordAll') raw.write(BAD_RECORD);
      else if (state.fault === 'reply') app.end(state.reply);
      // hangAll: nothing
    };
    app.on('data', (chunk) => {
      if (failing) return;
      if (buffered.length === 0) state.begun++;
      buffered = Buffer.concat([buffered, chunk]);
      if (answered >= state.answerFirst && state.fault === 'closePart') return fail();
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(buffered.toString('latin1', 0, end))?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      buffered = buffered.subarray(end + 4 + length);
      state.complete++;
      if (answered >= state.answerFirst) return fail();
      answered++;
      const body = '"The node is started"';
      app.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  state.url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}/api`;
  state.close = () => new Promise((r) => {
    for (const s of sockets) s.destroy();
    server.close(r);
  });
  return state;
}

/** A URL on loopback where nothing listens (a port that was just free). */
export async function refusingUrl(scheme = 'http') {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return `${scheme}://127.0.0.1:${port}/api`;
}
