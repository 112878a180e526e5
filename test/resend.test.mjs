// The re-send rule, for every transport (single call, batch, library, cluster failover) over
// plain HTTP and TLS: a request goes to another node, or again on a new connection, only when not
// one byte of it was written; after that, whatever breaks, it is sent once, ectl says it may have
// run (naming the node), exit 3. And a broken reply is worded alike by both transports.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cleanEnv, ectl, recordingServer, showRun } from './helpers.mjs';
import { refusingUrl, startWireServer, testCertificate } from './wire-server.mjs';

const pki = testCertificate();
const servers = [];
after(() => Promise.all(servers.map((s) => s.close())));
async function wire(options) {
  const s = await startWireServer(options);
  servers.push(s);
  return s;
}

/** Failures after the server read some or all of the request, by scheme. */
const AFTER_WRITE = {
  http: ['closePart', 'closeAll', 'resetAll', 'hangAll'],
  https: ['closePart', 'closeAll', 'resetAll', 'hangAll', 'badRecordAll'],
};
/** A time-out that only a silent server reaches. */
const timeoutFor = (fault) => (fault === 'hangAll' ? '1' : '20');
const MAY_HAVE_RUN = /the request had been sent, so '(register|status)' may have run on 127\.0\.0\.1:\d+: check before running it again/;

for (const scheme of ['http', 'https']) {
  for (const fault of AFTER_WRITE[scheme]) {
    test(`failover, ${scheme}, ${fault}: the request is not sent to the next node; exit 3 names the node`, async () => {
      const n1 = await wire({ tls: scheme === 'https', fault });
      const n2 = await recordingServer();
      try {
        const env = cleanEnv({ ECTL_NODES: `n1=${n1.url},n2=${n2.url}`, ECTL_CA_FILE: pki.caFile });
        const r = await ectl(['-v', '--timeout', '1', 'register', 'bob', 'localhost', 'pw'], { env });
        assert.equal(r.code, 3, showRun(r));
        assert.match(r.stderr, MAY_HAVE_RUN);
        assert.match(r.stderr, /\(node n1: not sent to another node\)\n$/);
        assert.doesNotMatch(r.stderr, /nothing was sent|trying node/);
        assert.equal(n1.begun, 1, 'n1 read the request once');
        assert.equal(n2.requests.length, 0, 'n2 never got it');
      } finally {
        await n2.close();
      }
    });
  }
}

for (const [what, first] of [['refused', async () => ({ url: await refusingUrl('https'), begun: 0 })], ['TLS handshake failure', () => wire({ tls: true, fault: 'handshake' })]]) {
  test(`failover: ${what} before the first write goes to the next node, and -v says nothing was sent`, async () => {
    const n1 = await first();
    const n2 = await recordingServer();
    try {
      const env = cleanEnv({ ECTL_NODES: `n1=${n1.url},n2=${n2.url}`, ECTL_CA_FILE: pki.caFile });
      const r = await ectl(['-v', 'register', 'bob', 'localhost', 'pw'], { env });
      assert.equal(r.code, 0, showRun(r));
      assert.match(r.stderr, /: nothing was sent; trying node n2 at /);
      assert.doesNotMatch(r.stderr, /may have run/);
      assert.equal(n1.begun, 0);
      assert.equal(n2.requests.length, 1);
    } finally {
      await n2.close();
    }
  });
}

for (const scheme of ['http', 'https']) {
  for (const fault of AFTER_WRITE[scheme]) {
    test(`batch, ${scheme}: the server answers line 1, then ${fault} on line 2 of the kept-alive connection: line 2 is sent once`, async () => {
      const s = await wire({ tls: scheme === 'https', fault, answerFirst: 1 });
      const env = cleanEnv({ ECTL_URL: s.url, ECTL_CA_FILE: pki.caFile });
      const started = Date.now();
      const r = await ectl(['--timeout', timeoutFor(fault), 'batch', '-j', '1'], { env, input: 'status\nstatus\n' });
      const elapsed = Date.now() - started;
      assert.equal(r.code, 3, showRun(r));
      assert.equal(r.stdout, '1: The node is started\n');
      assert.match(r.stderr, /^line 2: Error: .*\n1 ok, 1 failed\n$/);
      assert.match(r.stderr, MAY_HAVE_RUN);
      assert.equal(s.begun, 2, 'two requests begun: line 2 not sent again');
      assert.equal(s.connections, 1);
      if (fault !== 'hangAll') assert.ok(elapsed < 10_000, `ended by the fault, not the time-out (${elapsed} ms)`);
      // The single call's transport words the same failure the same way.
      const one = await wire({ tls: scheme === 'https', fault });
      const single = await ectl(['--timeout', timeoutFor(fault), 'status'], { env: { ...env, ECTL_URL: one.url } });
      const port = (text, url) => text.replaceAll(new URL(url).port, 'PORT');
      assert.equal(port(r.stderr.split('\n')[0], s.url), `line 2: ${port(single.stderr.trim(), one.url)}`);
    });
  }
}

test('batch: a TLS handshake failure and a refused connection say the line was not sent (no "may have run")', async () => {
  for (const url of [(await wire({ tls: true, fault: 'handshake' })).url, await refusingUrl()]) {
    const r = await ectl(['batch', '-j', '1'], { env: cleanEnv({ ECTL_URL: url, ECTL_CA_FILE: pki.caFile }), input: 'status\n' });
    assert.equal(r.code, 3, showRun(r));
    assert.match(r.stderr, /^line 1: Error: (TLS handshake with 127\.0\.0\.1:\d+ failed \((sslv3|ssl\/tls) alert handshake failure, SSL alert number 40\)|connection to 127\.0\.0\.1:\d+ refused)/);
    assert.doesNotMatch(r.stderr, /may have run/);
  }
});

const pause = () => new Promise((r) => setTimeout(r, 50));

for (const scheme of ['http', 'https']) {
  for (const fault of AFTER_WRITE[scheme]) {
    test(`library, ${scheme}: ${fault} on a kept-alive connection rejects with notSent false, sent once`, async () => {
      const { createClient, UnreachableError } = await import('ectl');
      const s = await wire({ tls: scheme === 'https', fault, answerFirst: 1 });
      const client = createClient({ url: s.url, ca: readFileSync(pki.caFile), timeoutMs: Number(timeoutFor(fault)) * 1000 });
      try {
        assert.equal(await client.status(), 'The node is started');
        await pause(); // the connection back in the pool, to be reused
        const started = Date.now();
        await assert.rejects(client.status(), (e) => e instanceof UnreachableError && e.notSent === false && MAY_HAVE_RUN.test(e.message)
          && (fault !== 'badRecordAll' || /^TLS error on the connection to 127\.0\.0\.1:\d+ \(decryption failed or bad record mac\)/.test(e.message)));
        if (fault !== 'hangAll') assert.ok(Date.now() - started < 10_000, 'ended by the fault, not the time-out');
        assert.equal(s.begun, 2, 'the second call was not sent again');
      } finally {
        await client.close();
      }
    });
  }
}

test('library: refused and TLS handshake failure reject with notSent true', async () => {
  const { createClient } = await import('ectl');
  for (const url of [await refusingUrl(), (await wire({ tls: true, fault: 'handshake' })).url]) {
    for (const singleRequests of [false, true]) {
      const client = createClient({ url, ca: readFileSync(pki.caFile), singleRequests });
      await assert.rejects(client.status(), (e) => e.notSent === true && !/may have run/.test(e.message));
      await client.close();
    }
  }
});

// A reply that breaks HTTP/1.1, read by single-request.ts (a single call) and by undici (batch).
const OK = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n';
const broken = {
  'a header block over 64 KiB': [OK + `x-filler: ${'f'.repeat(990)}\r\n`.repeat(70), /is not HTTP \(header block over 64 KiB\)/],
  'a flood of 100 Continue': ['HTTP/1.1 100 Continue\r\n\r\n'.repeat(5000) + OK + 'content-length: 4\r\n\r\n"ok"', /is not HTTP \(a 100 Continue, which ectl never asks for\)/],
  'a doubled Content-Length, equal values': [OK + 'content-length: 4\r\ncontent-length: 4\r\n\r\n"ok"', /is not HTTP \(invalid Content-Length\)/],
  'a doubled Content-Length, different values': [OK + 'content-length: 4\r\ncontent-length: 5\r\n\r\n"ok"', /is not HTTP \(invalid Content-Length\)/],
  'a bad status line': ['HTTP/1.1 2x0 OK\r\ncontent-length: 2\r\n\r\n[]', /is not HTTP \(invalid status line\)/],
  'a header line without a colon': ['HTTP/1.1 200 OK\r\nno colon here\r\ncontent-length: 2\r\n\r\n[]', /is not HTTP \(invalid header line\)/],
  'a bad chunk size': [OK + 'transfer-encoding: chunked\r\n\r\nzz\r\n[]\r\n0\r\n\r\n', /is not HTTP \(invalid chunk size\)/],
  'a sized body cut short': [OK + 'content-length: 100\r\n\r\n"The node', /connection to 127\.0\.0\.1:\d+ was closed before a full reply/],
  'a chunked body cut short': [OK + 'transfer-encoding: chunked\r\n\r\n9\r\n"The node', /connection to 127\.0\.0\.1:\d+ was closed before a full reply/],
};
for (const scheme of ['http', 'https']) {
  for (const [what, [reply, pattern]] of Object.entries(broken)) {
    test(`${scheme}: ${what} is worded the same by a single call and by batch`, async () => {
      const s = await wire({ tls: scheme === 'https', fault: 'reply', reply });
      const env = cleanEnv({ ECTL_URL: s.url, ECTL_CA_FILE: pki.caFile });
      const single = await ectl(['--timeout', '5', 'status'], { env });
      const batch = await ectl(['--timeout', '5', 'batch'], { env, input: 'status\n' });
      assert.equal(single.code, 3, showRun(single));
      assert.equal(batch.code, 3, showRun(batch));
      assert.match(single.stderr, pattern);
      assert.equal(batch.stderr, `line 1: ${single.stderr}0 ok, 1 failed\n`);
    });
  }
}

for (const [what, reply] of Object.entries({
  'a 40 KiB header block': OK + `x-filler: ${'f'.repeat(990)}\r\n`.repeat(40) + 'content-length: 4\r\n\r\n"ok"',
  'two 103 Early Hints first': 'HTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\n'.repeat(2) + OK + 'content-length: 4\r\n\r\n"ok"',
})) {
  test(`${what}: read alike by a single call and by batch`, async () => {
    const s = await wire({ fault: 'reply', reply });
    const env = cleanEnv({ ECTL_URL: s.url });
    const single = await ectl(['status'], { env });
    const batch = await ectl(['batch'], { env, input: 'status\n' });
    assert.equal(single.code, 0, showRun(single));
    assert.equal(batch.code, 0, showRun(batch));
    assert.equal(single.stdout, 'ok\n');
    assert.equal(batch.stdout, '1: ok\n');
  });
}
