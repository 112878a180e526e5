// Nothing from the server, from arguments or from batch input reaches the terminal raw: control
// characters are escaped (\x1b, \n...), every Error: stays one line (single commands, batch,
// doctor, -v). Text results are byte for byte ejabberdctl's into a pipe and escaped on a
// terminal. A loopback server stands in for a hostile one: a real ejabberd sends no escape codes.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ECTL, cleanEnv, ectl as run, recordingServer } from './helpers.mjs';

const NASTY = 'all good\x1b[2J\x1b[H\rok\n\x07\x9b31m\u202eend';
const ESCAPED = 'all good\\x1b[2J\\x1b[H\\rok\\n\\x07\\x9b31m\\u202eend';
const USERS = ['al\x1b[31mice', 'bob\rmallory', 'carol'];

let server;
let env;
// Every run's streams are kept for the suite's last test, which searches them for the password.
const ectl = (args, opts) => run(args, { ...opts, secrets: [] });
before(async () => {
  server = await recordingServer((req, body, res) => {
    const command = req.url.split('/').pop();
    const reply = (status, value) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(value)); };
    if (command === 'registered_users') return reply(200, USERS);
    if (command === 'registered_vhosts') return reply(200, ['bad\x1b[2J.example', 'ok.example', 'two\nlines.example']);
    if (command === 'status') return reply(200, 'The node ejabberd@localhost is started. Status: startedejabberd 23.01 is running in that node');
    if (command === 'get_loglevel') {
      // Not JSON, with raw escape codes: -v shows it escaped.
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end(`warning\x1b[2J${NASTY}`);
    }
    return reply(409, { status: 'error', code: 10090, message: NASTY });
  });
  env = cleanEnv({ ECTL_URL: server.url, ECTL_USER: 'admin@localhost', ECTL_PASSWORD: 'terminal-pw-secret' });
});
after(() => server.close());

/** Nothing a terminal would act on: no C0 control but line feeds, no DEL, no C1, no bidi override. */
function assertNoRawControls(text, what) {
  assert.doesNotMatch(text, /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/, `${what} holds a raw control character: ${JSON.stringify(text)}`);
}

test("a server's error message is one escaped Error: line", async () => {
  const r = await ectl(['register', 'bob', 'localhost', 'pw'], { env });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `Error: ${ESCAPED}\n`);
});

test('in batch every failed line is one escaped line; JSON Lines escape it too', async () => {
  const input = 'register a localhost pw1\nregister b localhost pw2\n';
  const r = await ectl(['batch'], { env, input });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `line 1: Error: ${ESCAPED}\nline 2: Error: ${ESCAPED}\n0 ok, 2 failed\n`);
  const j = await ectl(['-o', 'json', 'batch'], { env, input });
  assertNoRawControls(j.stdout, 'JSON Lines');
  const records = j.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(records.map((x) => x.error), [NASTY, NASTY], 'the same message, as JSON escapes');
});

test('arguments and batch input with control characters are escaped in errors', async () => {
  const r = await ectl(['regi\x1b[2Jster', 'bob'], { env });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^Error: unknown command 'regi\\x1b\[2Jster'/);
  assert.equal(r.stderr.split('\n').length, 2);
  const b = await ectl(['batch'], { env, input: 'fake\x1b]0;owned\x07cmd a\nregistered_users \x1b[1mlocalhost x\n' });
  assert.equal(b.code, 2);
  assertNoRawControls(b.stderr, 'batch errors');
  assert.match(b.stderr, /^line 1: Error: unknown command 'fake\\x1b\]0;owned\\x07cmd'$/m);
  const d = await ectl(['--dry-run', 'send_message', 'chat', 'a@localhost', 'b@localhost', 'subj\x1b[2J', 'body\x9b2J'], { env });
  assert.equal(d.code, 0, d.stderr);
  assertNoRawControls(d.stdout, '--dry-run');
});

test('-v escapes what it shows of requests and replies', async () => {
  const r = await ectl(['-v', 'get_loglevel'], { env });
  assert.equal(r.code, 3, 'a reply that is not JSON');
  assertNoRawControls(r.stderr, '-v');
  assert.match(r.stderr, /^< warning\\x1b\[2Jall good\\x1b\[2J/m);
  assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('Error:')).length, 1);
  const e = await ectl(['-v', 'register', 'bob', 'localhost', 'pw'], { env });
  assertNoRawControls(e.stderr, '-v of an error reply');
});

test('doctor: a hostile error message is one escaped line', async () => {
  // A server that answers status and refuses the credentials with escape codes.
  const hostile = await recordingServer((req, body, res) => {
    const ok = req.url.endsWith('/status');
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? 'The node ejabberd@localhost is started. Status: startedejabberd 23.01 is running in that node' : { status: 'error', code: 10, message: NASTY }));
  });
  try {
    const r = await ectl(['doctor'], { env: { ...env, ECTL_URL: hostile.url } });
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assertNoRawControls(r.stdout + r.stderr, 'doctor');
    const failed = r.stdout.split('\n').filter((l) => l.startsWith('FAIL'));
    assert.equal(failed.length, 1, r.stdout);
    assert.ok(failed[0].includes(ESCAPED), `the failing step quotes the message escaped: ${r.stdout}`);
  } finally {
    await hostile.close();
  }
});

/** Runs ectl with its standard output on a pseudo-terminal (util-linux script). */
function onTerminal(args) {
  return new Promise((resolve) => {
    const cmd = [ECTL, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...env, TERM: 'dumb' } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end();
  });
}

test('text results: byte for byte into a pipe, escaped on a terminal', async () => {
  const piped = await ectl(['registered_users', 'localhost'], { env });
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stdout, `${USERS.join('\n')}\n`, 'what ejabberdctl prints, control characters included');
  const tty = await onTerminal(['registered_users', 'localhost']);
  assert.equal(tty.code, 0, tty.out);
  // The terminal turns LF into CRLF; the values' own control characters are escaped.
  assert.equal(tty.out.replace(/\r\n/g, '\n'), 'al\\x1b[31mice\nbob\\rmallory\ncarol\n');
  for (const format of ['json', 'yaml', 'csv', 'tsv', 'table']) {
    const t = await onTerminal(['-o', format, '--no-color', 'registered_users', 'localhost']);
    assert.equal(t.code, 0, t.out);
    assertNoRawControls(t.out.replace(/\r\n/g, '\n'), `-o ${format} on a terminal`);
  }
});

test('completion does not offer names with control characters', async () => {
  const r = await ectl(['__complete', '--', 'registered_users', ''], { env: { ...env, XDG_CACHE_HOME: `${env.HOME}/cache-${process.pid}` } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'ok.example\n', 'the vhost with an escape code is left out');
});
