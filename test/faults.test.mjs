// Every fault a network or a server can produce: the exit code from the contract, one line on
// stderr, nothing on stdout, no stack trace, and the time bound honoured.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { ECTL, cleanEnv, ectl } from './helpers.mjs';
import { startFaultServer } from './fault-server.mjs';

let fs;
before(async () => { fs = await startFaultServer(); });
after(() => fs.close());

const env = (extra = {}) => cleanEnv({ ECTL_URL: fs.url, ECTL_RELEASE: '23.01', ECTL_USER: 'admin@localhost', ECTL_PASSWORD: 'fault-pw-secret', ...extra });

async function run(fault, args, { timeout = '5', expectRequests = 1 } = {}) {
  fs.fault = fault;
  const before = fs.requests;
  const started = Date.now();
  // secrets: [] still records the streams, searched for the environment's password at the end.
  const r = await ectl(['--timeout', timeout, ...args], { env: env(), secrets: [] });
  r.elapsed = Date.now() - started;
  assert.equal(fs.requests - before, expectRequests, `${fault}: requests received`);
  return r;
}

function assertOneLineError(r, code, pattern) {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '', 'nothing on stdout');
  assert.match(r.stderr, /^Error: [^\n]+\n$/, 'exactly one Error: line');
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.doesNotMatch(r.stderr, /fault-pw-secret/, 'no password');
}

const cases = [
  ['html502', ['registered_users', 'localhost'], 3, /HTTP 502 with a body that is not an ejabberd API reply: is --url the ejabberd API/],
  ['invalidJson', ['registered_users', 'localhost'], 3, /reply to 'registered_users' is not JSON/],
  ['empty', ['registered_users', 'localhost'], 3, /reply to 'registered_users' is not JSON/],
  ['wrongShape', ['registered_users', 'localhost'], 3, /reply to 'registered_users' is not a list/],
  ['wrongShape', ['get_last', 'bob', 'localhost'], 3, /reply to 'get_last' is not a record with the field 'timestamp'/],
  ['internalError', ['registered_users', 'localhost'], 1, /^Error: ejabberd failed while running 'registered_users' \(internal_error\): check the arguments .*'REST API Error' line of ejabberd\.log/],
  ['unauthorized', ['registered_users', 'localhost'], 4, /not authorized: You are not authorized to call this command \(sent: user [^ ]+ with a password\); check the password \(ECTL_PASSWORD, --password-file\) and the user \(ECTL_USER\); 'ectl doctor' checks/],
  ['forbidden31', ['registered_users', 'localhost'], 4, /not authorized: Command need to be run with admin privilege/],
  ['forbidden32', ['registered_users', 'localhost'], 4, /not authorized: AccessRules: .* \(sent: user [^ ]+ with a password\); the server's api_permissions must grant 'registered_users' to [^ ]+, or the host 'localhost' is not one this server serves; 'ectl doctor'/],
  ['notFound40', ['get_room_options', 'r', 'conference.localhost'], 1, /the server \(ejabberd [\d.]+\) does not offer 'get_room_options'; it comes with mod_muc_admin: add that module to ejabberd\.yml's modules/],
  ['notFound44', ['srg_list', 'localhost'], 1, /does not offer 'srg_list'; it comes with mod_admin_extra: .* \(Command not found\)/],
  ['conflict', ['register', 'bob', 'localhost', 'pw'], 1, /^Error: User bob@localhost already registered\n$/],
  ['redirect', ['status'], 3, /redirect \(HTTP 301\); ectl does not follow redirects for POST/],
  ['reset', ['registered_users', 'localhost'], 3, /closed before a full reply/],
  // Replies a real ejabberd does not send, read by the CLI's own HTTP/1.1 parser (single-request.ts).
  ['cutInChunk', ['registered_users', 'localhost'], 3, /^Error: connection to 127\.0\.0\.1:\d+ was closed before a full reply; if port \d+ serves HTTPS/],
  ['badStatus', ['registered_users', 'localhost'], 3, /^Error: the reply from 127\.0\.0\.1:\d+ is not HTTP \(invalid status line\); if port \d+ serves HTTPS \(TLS\), use an https:\/\/ URL; the request had been sent, so 'registered_users' may have run on 127\.0\.0\.1:\d+: check before running it again\n$/],
  // undici refuses a 100 Continue that was not asked for, and so does the single call (resend.test.mjs: both alike).
  ['continueFirst', ['registered_users', 'localhost'], 3, /^Error: the reply from 127\.0\.0\.1:\d+ is not HTTP \(a 100 Continue, which ectl never asks for\)/],
  ['notHttp', ['registered_users', 'localhost'], 3, /^Error: the reply from 127\.0\.0\.1:\d+ is not HTTP \(invalid status line\)/],
  ['badHeader', ['registered_users', 'localhost'], 3, /^Error: the reply from 127\.0\.0\.1:\d+ is not HTTP \(invalid header line\)/],
  ['hugeHead', ['registered_users', 'localhost'], 3, /^Error: the reply from 127\.0\.0\.1:\d+ is not HTTP \(header block over 64 KiB\)/],
  ['chunkedHuge', ['--max-reply-size', '1M', 'registered_users', 'localhost'], 3, /^Error: reply too large: 127\.0\.0\.1:\d+ sent more than 1 MiB/],
];

for (const [fault, args, code, pattern] of cases) {
  test(`${fault}: ${args[0]} exits ${code} with one clear line`, async () => {
    assertOneLineError(await run(fault, args), code, pattern);
  });
}

// Framings a real ejabberd does not use; the ones left open prove the reply ends where its
// framing says, not when the server closes.
const framings = [
  ['chunkedPieces', 'a chunked reply in 3-byte pieces, with an extension and a trailer, left open', 'alice\nbob\ncarol\n'],
  ['untilClose', 'an HTTP/1.0 reply without Content-Length, ended by the close', 'alice\nbob\nuntil close\n'],
  ['byteOrderMark', 'a body starting with a UTF-8 byte order mark', 'bom\nfirst\n'],
  ['bigHead', 'a 40 KiB header block (under the 64 KiB bound)', 'big head\n'],
];
for (const [fault, what, stdout] of framings) {
  test(`${fault}: ${what} is read in full`, async () => {
    const r = await run(fault, ['registered_users', 'localhost']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, stdout);
    assert.ok(r.elapsed < 4000, `took ${r.elapsed} ms`);
  });
}

test('the library refuses a header value holding CR or LF, without connecting', async () => {
  const { createClient } = await import('ectl');
  const before = fs.connections;
  for (const token of ['abc\r\nx-injected: 1', 'abc\ndef', 'abc\0def']) {
    const client = createClient({ url: fs.url, token, singleRequests: true });
    await assert.rejects(client.status(), (e) => e.code === 'ERR_INVALID_CHAR' && !e.message.includes('abc'));
  }
  assert.equal(fs.connections, before, 'no connection opened');
});

test('a server that accepts and never answers: --timeout 1 ends it with exit 3 about a second later', async () => {
  const r = await run('hang', ['status'], { timeout: '1' });
  assertOneLineError(r, 3, /no answer from 127\.0\.0\.1:\d+ within 1 s/);
  assert.ok(r.elapsed < 1000 + 2500, `took ${r.elapsed} ms`);
});

test('a reply trickling byte by byte beyond --timeout is cut off (exit 3); within it, it succeeds', async () => {
  const cut = await run('slow', ['status'], { timeout: '1' });
  assertOneLineError(cut, 3, /within 1 s/);
  const ok = await run('slow', ['status'], { timeout: '20' });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'The node is started, slowly\n');
});

test('a connection refused exits 3 at once', async () => {
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  const r = await ectl(['status'], { env: env({ ECTL_URL: `http://127.0.0.1:${port}/api` }) });
  assertOneLineError(r, 3, /connection to 127\.0\.0\.1:\d+ refused/);
});

test('a host that does not resolve exits 3', async () => {
  const r = await ectl(['status'], { env: env({ ECTL_URL: 'http://no-such-host.invalid:5280/api' }) });
  assertOneLineError(r, 3, /cannot resolve the host/);
});

test('a very large valid reply prints completely', async () => {
  const r = await run('large', ['registered_users', 'localhost'], { timeout: '60' });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines.length, 1_000_001);
  assert.equal(lines[0], 'user0000000');
  assert.equal(lines[999_999], 'user0999999');
});

test('--debug adds the stack trace', async () => {
  fs.fault = 'html502';
  const r = await ectl(['--debug', 'status'], { env: env() });
  assert.equal(r.code, 3);
  assert.match(r.stderr, /\n\s+at /);
});

function spawnEctl(args, input) {
  const child = spawn(process.execPath, [ECTL, ...args], { env: env() });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d) => { out.stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { out.stderr += d; });
  child.stdin.end(input ?? '');
  const done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ ...out, code, signal })));
  return { child, done };
}

async function until(pred, ms = 10_000) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('Ctrl-C during a request aborts it, prints nothing on stdout and exits 130', async () => {
  fs.fault = 'hang';
  const before = fs.requests;
  const { child, done } = spawnEctl(['registered_users', 'localhost']);
  await until(() => fs.requests > before);
  child.kill('SIGINT');
  const r = await done;
  assert.equal(r.code, 130);
  assert.equal(r.stdout, '');
});

test('Ctrl-C in batch mode stops sending lines and reports what was done', async () => {
  fs.fault = 'hang';
  const before = fs.requests;
  const input = Array.from({ length: 50 }, () => 'status').join('\n');
  const { child, done } = spawnEctl(['batch', '-j', '2'], input);
  await until(() => fs.requests - before >= 2);
  await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGINT');
  const r = await done;
  assert.equal(r.code, 130);
  assert.equal(fs.requests - before, 2, 'no line sent after Ctrl-C');
  assert.match(r.stderr, /interrupted: /);
});
