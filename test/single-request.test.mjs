// The HTTP/1.1 reply reader of the CLI's single request (src/client/single-request.ts), fed
// replies split at every byte: the framing must not depend on where the network cuts them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyReader, requestBytes } from '../dist/client/single-request.js';

/** Reads `text` given in two pieces cut at `at` (and the close, when `close`). */
function read(text, at, close = false) {
  const bytes = Buffer.from(text, 'latin1');
  const r = new ReplyReader();
  r.push(bytes.subarray(0, at));
  if (!r.done) r.push(bytes.subarray(at));
  const ended = close ? r.end() : r.done;
  return { done: ended, status: r.status, body: Buffer.concat(r.body).toString('latin1'), headers: Object.fromEntries(r.headers) };
}

const everyCut = (text, check) => { for (let at = 0; at <= text.length; at++) check(at); };

test('chunked, interim replies, trailers, until-close and fixed-length replies read alike wherever they are cut', () => {
  const replies = [
    ['HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nRetry-After: 5\r\nretry-after: 9\r\n\r\n3;x=y\r\nabc\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nT: 1\r\n\r\n',
      200, 'abcabcdefghijklmnopqrstuvwxyz', { 'transfer-encoding': 'chunked', 'retry-after': '5' }, false],
    ['HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy', 503, 'busy', { 'content-length': '4' }, false],
    ['HTTP/1.0 200 OK\r\nX-A:  spaced  \r\n\r\nuntil the end', 200, 'until the end', { 'x-a': 'spaced' }, true],
    ['HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n', 204, '', { 'content-length': '9' }, false],
  ];
  for (const [text, status, body, headers, close] of replies) {
    everyCut(text, (at) => assert.deepEqual(read(text, at, close), { done: true, status, body, headers }, `cut at ${at} of ${JSON.stringify(text)}`));
  }
});

test('a reply cut short is not complete; bytes after a complete reply are ignored', () => {
  const text = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nT: 1\r\n\r\n';
  for (let cut = 0; cut < text.length; cut++) {
    const r = new ReplyReader();
    r.push(Buffer.from(text.slice(0, cut)));
    assert.equal(r.end(), false, `cut at ${cut}`);
  }
  const r = new ReplyReader();
  r.push(Buffer.from(`${text}HTTP/1.1 200 OK\r\n`));
  assert.equal(r.done, true);
  assert.equal(Buffer.concat(r.body).toString(), 'hello');
});

test('malformed replies throw at the first byte that shows it', () => {
  const bad = [
    ['SSH-2.0-OpenSSH\r\n', /invalid status line/],
    ['HTTP/2 200\r\n\r\n', /invalid status line/],
    ['HTTP/1.1 20 OK\r\n\r\n', /invalid status line/],
    ['HTTP/1.1 200 OK\r\nbad header\r\n\r\n', /invalid header line/],
    ['HTTP/1.1 200 OK\r\nba d: x\r\n\r\n', /invalid header line/],
    ['HTTP/1.1 200 OK\r\ncontent-length: 1x\r\n\r\n', /invalid Content-Length/],
    ['HTTP/1.1 200 OK\r\ncontent-length: 2\r\nContent-Length: 3\r\n\r\n', /invalid Content-Length/],
    // As undici: a doubled Content-Length even with equal values, and a 100 Continue never asked for.
    ['HTTP/1.1 200 OK\r\ncontent-length: 2\r\nContent-Length: 2\r\n\r\n', /invalid Content-Length/],
    ['HTTP/1.1 100 Continue\r\n\r\n', /a 100 Continue, which ectl never asks for/],
    ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n', /invalid chunk size/],
    ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabc\r\n', /chunk not followed by CRLF/],
    [`HTTP/1.1 200 OK\r\n${'x: y\r\n'.repeat(11_000)}`, /header block over 64 KiB/],
  ];
  for (const [text, message] of bad) {
    assert.throws(() => new ReplyReader().push(Buffer.from(text)), (e) => e.code === 'ERR_BAD_HTTP_REPLY' && message.test(e.message), JSON.stringify(text.slice(0, 60)));
  }
  // The status line is judged from its first bytes, before a whole head has arrived.
  assert.throws(() => new ReplyReader().push(Buffer.from('<?xml')), /invalid status line/);
  assert.doesNotThrow(() => new ReplyReader().push(Buffer.from('HTTP/')));
});

test('the request: one head with Host, Content-Length and Connection: close; control characters refused', () => {
  const url = new URL('http://[::1]:5280/api/x%20y?a=b c');
  const req = { command: 'x', method: 'POST', url: url.href, headers: { accept: 'application/json' }, body: '{"u":"é"}' };
  assert.equal(requestBytes(req, url).toString(),
    'POST /api/x%20y?a=b%20c HTTP/1.1\r\nhost: [::1]:5280\r\naccept: application/json\r\nconnection: close\r\ncontent-length: 10\r\n\r\n{"u":"é"}');
  for (const value of ['a\rb', 'a\nb', 'a\0b']) {
    assert.throws(() => requestBytes({ ...req, headers: { authorization: value } }, url), (e) => e.code === 'ERR_INVALID_CHAR');
  }
  assert.throws(() => requestBytes({ ...req, headers: { 'x\r\ny': 'v' } }, url), (e) => e.code === 'ERR_INVALID_HTTP_TOKEN');
});
