// A server that misbehaves on purpose (the fake server on loopback): replies without end,
// refusals with any body, busy answers, connections closed under a kept-alive request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, ectl, ectlPeakMemory } from './helpers.mjs';
import { startFaultServer } from './fault-server.mjs';

let fs;
before(async () => { fs = await startFaultServer(); });
after(() => fs.close());

const env = (extra = {}) => cleanEnv({ ECTL_URL: fs.url, ECTL_USER: 'admin@localhost', ECTL_PASSWORD: 'hostile-pw-secret', ...extra });

function assertOneLineError(r, code, pattern) {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '', 'nothing on stdout');
  assert.match(r.stderr, /^Error: [^\n]+\n$/, 'exactly one Error: line');
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /hostile-pw-secret/, 'no password');
}

test('an endless reply stops at the default limit: exit 3 "reply too large", peak memory under 400 MB', async () => {
  fs.fault = 'endless';
  const r = await ectlPeakMemory(['registered_users', 'localhost'], { env: env() });
  assertOneLineError(r, 3, /^Error: reply too large: 127\.0\.0\.1:\d+ sent more than 64 MiB \(raise --max-reply-size/);
  console.log(`# peak memory for an endless reply, default limit: ${r.peakMB.toFixed(0)} MB`);
  assert.ok(r.peakMB < 400, `peak ${r.peakMB} MB`);
  // The limit is what stops it: well past the limit is needed before memory would run out.
  assert.ok(r.peakMB > 64, `peak ${r.peakMB} MB is less than the 64 MiB that must have arrived`);
});

test('--max-reply-size, ECTL_MAX_REPLY_SIZE and max-reply-size in a profile set the limit', async () => {
  fs.fault = 'endless';
  const flag = await ectl(['--max-reply-size', '2M', 'registered_users', 'localhost'], { env: env() });
  assertOneLineError(flag, 3, /sent more than 2 MiB/);
  const envVar = await ectl(['registered_users', 'localhost'], { env: env({ ECTL_MAX_REPLY_SIZE: '1536k' }) });
  assertOneLineError(envVar, 3, /sent more than 1536 KiB/);
  const dir = mkdtempSync(join(tmpdir(), 'ectl-limit-'));
  writeFileSync(join(dir, 'config.yaml'), 'profiles:\n  tight:\n    max-reply-size: 1M\n');
  const profile = await ectl(['-P', 'tight', 'registered_users', 'localhost'], { env: env({ ECTL_CONFIG: join(dir, 'config.yaml') }) });
  rmSync(dir, { recursive: true });
  assertOneLineError(profile, 3, /sent more than 1 MiB/);
  fs.fault = 'large'; // about 20 MB, valid
  const small = await ectl(['--max-reply-size', '10M', 'registered_users', 'localhost'], { env: env() });
  assertOneLineError(small, 3, /reply too large: .* more than 10 MiB/);
  const enough = await ectl(['--max-reply-size', '30MiB', 'registered_users', 'localhost'], { env: env() });
  assert.equal(enough.code, 0, enough.stderr);
  assert.equal(enough.stdout.split('\n').length, 1_000_001);
});

test('a declared length over the limit fails at once, before the body', async () => {
  fs.fault = 'hugeLength';
  const started = Date.now();
  const r = await ectl(['--timeout', '20', 'registered_users', 'localhost'], { env: env() });
  assertOneLineError(r, 3, /reply too large/);
  assert.ok(Date.now() - started < 5000, 'did not wait for the body');
});

test('a bad --max-reply-size exits 2 and sends nothing', async () => {
  fs.fault = 'endless';
  const before = fs.requests;
  for (const bad of ['64', '0', 'lots', '2G', '-1M']) {
    const r = await ectl(['--max-reply-size', bad, 'status'], { env: env() });
    assertOneLineError(r, 2, new RegExp(`--max-reply-size must be a size from 1K to 500M \\(e\\.g\\. 64M\\), got '${bad}'`));
  }
  assert.equal(fs.requests, before);
});

const refusals = [
  ['unauthorizedHtml', 4, /^Error: not authorized: HTTP 401 with a body that is not an ejabberd API reply \(sent: [^)]*\); .*'ectl doctor' checks the setup step by step\n$/],
  ['forbiddenEmpty', 4, /^Error: not authorized: HTTP 403 with an empty body \(sent: [^)]*\); .*'ectl doctor' checks the setup step by step\n$/],
  ['tooMany', 1, /^Error: the server refuses more requests for now \(HTTP 429 Too Many Requests\); it asks to wait 30 s before retrying \(Retry-After\)\n$/],
  ['unavailable', 1, /^Error: the server is unavailable for now \(HTTP 503 Service Unavailable\); it asks to wait until 2026-10-21T07:28:00\.000Z before retrying \(Retry-After\)\n$/],
  ['unavailableJson', 1, /^Error: the server is unavailable for now \(HTTP 503 Service Unavailable\): Server is shutting down; try again later\n$/],
];

for (const [fault, code, pattern] of refusals) {
  test(`${fault}: exit ${code} whatever the body`, async () => {
    fs.fault = fault;
    const before = fs.requests;
    assertOneLineError(await ectl(['registered_users', 'localhost'], { env: env() }), code, pattern);
    assert.equal(fs.requests - before, 1, 'sent once, not retried');
  });
}

test('batch: a 429 line fails with exit 1 and the Retry-After, a 401 line with exit 4', async () => {
  fs.fault = 'tooMany';
  const busy = await ectl(['batch'], { env: env(), input: 'status\n' });
  assert.equal(busy.code, 1, busy.stderr);
  assert.match(busy.stderr, /line 1: Error: the server refuses more requests for now \(HTTP 429 Too Many Requests\); it asks to wait 30 s/);
  fs.fault = 'unauthorizedHtml';
  const refused = await ectl(['batch'], { env: env(), input: 'status\n' });
  assert.equal(refused.code, 4, refused.stderr);
});

test('a kept-alive connection closed after the request was read is not sent again: the line may have run', async () => {
  fs.fault = 'closeReused';
  const before = fs.requests;
  const r = await ectl(['batch', '-j', '1'], { env: env(), input: 'status\nstatus\n' });
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, '1: The node is started\n');
  assert.match(r.stderr, /line 2: Error: connection to 127\.0\.0\.1:\d+ was closed before a full reply; .*'status' may have run on 127\.0\.0\.1:\d+/);
  // The server read line 2 in full before closing: it is not sent on a new connection.
  assert.equal(fs.requests - before, 2);
});

test('no retry when the connection was new, or when part of the reply had arrived', async () => {
  fs.fault = 'closeAlways';
  let before = fs.requests;
  const fresh = await ectl(['status'], { env: env() });
  assertOneLineError(fresh, 3, /connection to 127\.0\.0\.1:\d+ was closed before a full reply/);
  assert.equal(fs.requests - before, 1, 'a new connection closed: the server may have run the command');
  fs.fault = 'partialOnReuse';
  before = fs.requests;
  const partial = await ectl(['batch', '-j', '1'], { env: env(), input: 'status\nstatus\n' });
  assert.equal(partial.code, 3, partial.stderr);
  assert.equal(partial.stdout, '1: The node is started\n');
  assert.match(partial.stderr, /line 2: Error: connection to 127\.0\.0\.1:\d+ was closed before a full reply/);
  assert.equal(fs.requests - before, 2, 'line 2 sent once');
});
