// Signals and prompts: SIGTERM and SIGHUP end a call as Ctrl-C does (what was in flight
// reported, temporary files removed, exit 128 + the signal's number); the keys at a prompt on a
// real terminal (a pty made by util-linux `script`); `@-` at a terminal is not echoed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ECTL, IN_FLIGHT_BATCH, cleanEnv, ectl, liveEnv, live, recordingServer, root, plausibleReply, uniqueName } from './helpers.mjs';

const tmp = join(root, 'test', '.tmp', 'signals');
mkdirSync(tmp, { recursive: true });

const EXIT_OF = { SIGINT: 130, SIGHUP: 129, SIGTERM: 143 };

/**
 * ectl wound up after `sig` and ended as a shell reports with 128 + its number: SIGINT and
 * SIGTERM by exiting with that code; SIGHUP by raising it again once done (Node's own exit
 * aborts on a hung-up terminal), which a shell shows as 129 too.
 */
function assertEndedBy(r, sig, what = '') {
  if (sig === 'SIGHUP') assert.ok(r.code === 129 || r.signal === 'SIGHUP', `${what} ended with code ${r.code}, signal ${r.signal}`);
  else {
    assert.equal(r.signal, null, `${what} ectl died of ${r.signal}`);
    assert.equal(r.code, EXIT_OF[sig], `${what} ${r.stderr ?? r.screen}`);
  }
}
const shellQuote = (a) => `'${a.replace(/'/g, `'\\''`)}'`;

// Runs on the terminal: starts ectl there, says its pid, and once it ends how it ended and
// whether it left the terminal's settings (stty -g) as they were.
// With WRAP_OUT set (a file) ectl's stderr and that line go there, and the wrapper outlives
// a hang-up of the terminal.
const TERMINAL_WRAPPER = `
const { spawn, execFileSync } = require('node:child_process');
const { appendFileSync, openSync } = require('node:fs');
const out = process.env.WRAP_OUT;
if (out) process.on('SIGHUP', () => {});
const stty = () => { try { return execFileSync('stty', ['-g'], { stdio: ['inherit', 'pipe', 'ignore'] }).toString(); } catch { return 'gone'; } };
const before = stty();
const [node, ...args] = process.argv.slice(1);
const child = spawn(node, args, { stdio: ['inherit', 'inherit', out ? openSync(out, 'a') : 'inherit'] });
console.log('PID=' + child.pid);
child.on('exit', (code, signal) => {
  const line = 'ENDED code=' + code + ' signal=' + signal + ' terminal=' + (stty() === before ? 'restored' : 'changed');
  if (out) appendFileSync(out, line + '\\n');
  else console.log(line);
  process.exitCode = code ?? 99;
});`;

/**
 * bin/ectl on a pseudo-terminal (`script`), run by this Node: what it shows (`screen`, echo
 * included), `waitFor(re)`, `type(keys)`, `pid()` (ectl's own), and `done` ({ code, signal,
 * terminal, screen }: how ectl ended, and whether it put the terminal's settings back).
 */
function onTerminal(args, env) {
  const cmd = [process.execPath, '-e', TERMINAL_WRAPPER, process.execPath, ECTL, ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...env, SHELL: '/bin/sh', TERM: 'dumb' } });
  let screen = '';
  let closed = false;
  child.stdout.setEncoding('utf8').on('data', (d) => { screen += d; });
  child.stdin.on('error', () => {}); // the terminal may be gone when a key is sent
  const done = new Promise((resolve) => child.on('close', () => { closed = true; resolve(); }));
  const waitFor = async (re, ms = 20_000) => {
    const end = Date.now() + ms;
    for (;;) {
      const m = re.exec(screen);
      if (m) return m;
      if (closed || Date.now() > end) throw new Error(`${re} not shown${closed ? ' (ectl ended)' : ''}; screen: ${JSON.stringify(screen)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const result = done.then(() => {
    child.stdin.destroy();
    const m = /ENDED code=(\w+) signal=(\w+) terminal=(\w+)/.exec(screen);
    if (!m) throw new Error(`the wrapper did not say how ectl ended: ${JSON.stringify(screen)}`);
    return { code: m[1] === 'null' ? null : Number(m[1]), signal: m[2] === 'null' ? null : m[2], terminal: m[3], screen: screen.slice(0, m.index) };
  });
  return {
    get screen() { return screen; },
    /** Closes the terminal (its master side): a hang-up. How ectl ended is then in WRAP_OUT. */
    hangUp: () => {
      result.catch(() => {});
      child.kill('SIGKILL');
    },
    waitFor,
    type: (keys) => child.stdin.write(keys),
    pid: async () => Number((await waitFor(/PID=(\d+)/))[1]),
    done: result,
  };
}

/** Polls until `pred()` holds (10 s at most). */
async function until(pred, what) {
  const end = Date.now() + 10_000;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// A server that never answers: requests stay in flight until the signal.
const hanging = () => recordingServer(() => {});

for (const [prompt, args, extraEnv] of [
  ['the admin password prompt', ['registered_users', 'localhost'], {}],
  ["a left-out secret argument's prompt", ['register', 'sigbob', 'localhost'], { ECTL_PASSWORD: 'admin-pw-77' }],
]) {
  test(`at ${prompt} on a terminal: Ctrl-C exits 130, Ctrl-\\ 131, Ctrl-D cancels (exit 2); nothing is sent either way`, async () => {
    const server = await recordingServer();
    try {
      const env = cleanEnv({ ECTL_URL: server.url, ECTL_USER: 'admin@localhost', ...extraEnv });
      for (const [key, code, said] of [['\x03', 130, null], ['\x1c', 131, null], ['\x04', 2, /Error: cancelled at the prompt \(Ctrl-D\): nothing was sent/]]) {
        const t = onTerminal(args, env);
        await t.waitFor(/(Password for admin@localhost|\(password\)): $/);
        t.type(`typed-then-${JSON.stringify(key)}`);
        await new Promise((r) => setTimeout(r, 100));
        t.type(key);
        const r = await t.done;
        assert.equal(r.code, code, `key ${JSON.stringify(key)}: ${r.screen}`);
        assert.equal(r.terminal, 'restored');
        if (said) assert.match(r.screen, said);
        else assert.doesNotMatch(r.screen, /Error/);
        assert.doesNotMatch(r.screen, /typed-then|done|registered/);
        assert.equal(server.requests.length, 0, `key ${JSON.stringify(key)} sent a request`);
      }
      // Ctrl-U clears what was typed; Enter then sends what follows it.
      const t = onTerminal(args, env);
      await t.waitFor(/(Password for admin@localhost|\(password\)): $/);
      t.type('wrong\x15right-pw\r');
      const r = await t.done;
      assert.equal(r.code, 0, r.screen);
      const sent = server.requests[0];
      if (args[0] === 'register') assert.equal(JSON.parse(sent.body).password, 'right-pw');
      else assert.equal(Buffer.from(sent.headers.authorization.split(' ')[1], 'base64').toString(), 'admin@localhost:right-pw');
    } finally {
      await server.close();
    }
  });
}

test('a signal at the prompt ends ectl with 128 + its number and puts the terminal back; nothing sent', async () => {
  const server = await recordingServer();
  try {
    const env = cleanEnv({ ECTL_URL: server.url, ECTL_USER: 'admin@localhost' });
    for (const sig of ['SIGTERM', 'SIGHUP']) {
      const t = onTerminal(['registered_users', 'localhost'], env);
      const pid = await t.pid();
      await t.waitFor(/Password for admin@localhost: $/);
      process.kill(pid, sig);
      const r = await t.done;
      assertEndedBy(r, sig, r.screen);
      assert.equal(r.terminal, 'restored');
      assert.equal(server.requests.length, 0);
    }
  } finally {
    await server.close();
  }
});

test("'@-' at a terminal is read without echo, after saying what it waits for; Ctrl-D there cancels", async () => {
  const u = uniqueName('sigat');
  const secret = `typed-at-${u}`;
  const env = { ...liveEnv(), HOME: tmp };
  const t = onTerminal(['register', u, 'localhost', '@-'], env);
  const asks = /'password' from @- \(typing is not shown; Enter ends it, Ctrl-D cancels\): $/;
  await t.pid();
  await t.waitFor(asks, 3000).catch(() => {}); // asserted below, after what matters most
  t.type(`${secret}\r`);
  // Today's reading until end of input would wait for Ctrl-D: send it if ectl is still waiting.
  const late = setTimeout(() => t.type('\x04'), 3000);
  const r = await t.done;
  clearTimeout(late);
  assert.ok(!r.screen.includes(secret), `the typed password shows on the screen: ${JSON.stringify(r.screen)}`);
  assert.match(r.screen, /'password' from @- \(typing is not shown; Enter ends it, Ctrl-D cancels\): /);
  assert.equal(r.terminal, 'restored');
  assert.equal(r.code, 0, r.screen);
  assert.match(r.screen, new RegExp(`User ${u}@localhost successfully registered`));
  assert.equal((await ectl(['check_password', u, 'localhost', secret])).code, 0);

  // Ctrl-D cancels: the account is not made.
  const v = uniqueName('sigat');
  const c = onTerminal(['register', v, 'localhost', '@-'], env);
  await c.waitFor(/from @- .*: $/);
  c.type('half-typed\x04');
  const rc = await c.done;
  assert.equal(rc.code, 2, rc.screen);
  assert.match(rc.screen, /cancelled at the prompt \(Ctrl-D\): nothing was sent/);
  assert.equal((await ectl(['check_account', v, 'localhost'])).code, 1, 'the account was registered');
  assert.ok(live.url);
});

for (const sig of ['SIGTERM', 'SIGHUP']) {
  test(`${sig} in a batch: lines in flight reported as for Ctrl-C, exit ${EXIT_OF[sig]}`, async () => {
    const server = await recordingServer((req, body, res) => {
      if (req.url.endsWith('/status')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(plausibleReply(req.url)));
      }
    });
    try {
      const r = await ectl(['batch', '-j', '3'], {
        input: IN_FLIGHT_BATCH.input, env: cleanEnv({ ECTL_URL: server.url }),
        onSpawn: (child) => until(() => server.requests.length >= 4, 'four requests').then(() => child.kill(sig)),
      });
      assertEndedBy(r, sig);
      assert.equal(server.requests.length, 4);
      assert.equal(r.stderr, IN_FLIGHT_BATCH.report);
    } finally {
      await server.close();
    }
  });
}

test('SIGTERM and SIGHUP during a single call: exit 128 + the signal, nothing printed on stdout', async () => {
  const server = await hanging();
  try {
    for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT']) {
      const before = server.requests.length;
      const r = await ectl(['registered_users', 'localhost'], {
        env: cleanEnv({ ECTL_URL: server.url }),
        onSpawn: (child) => until(() => server.requests.length > before, 'the request').then(() => child.kill(sig)),
      });
      assertEndedBy(r, sig);
      assert.equal(r.stdout, '');
    }
  } finally {
    await server.close();
  }
});

test('a signal during login leaves no temporary token file (and no token file)', async () => {
  const server = await hanging();
  try {
    for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT']) {
      const dir = mkdtempSync(join(tmp, 'login-'));
      const before = server.requests.length;
      const r = await ectl(['login', '--token-file', join(dir, 'token.json')], {
        env: cleanEnv({ ECTL_URL: server.url, ECTL_USER: 'admin@localhost', ECTL_PASSWORD: 'admin-pw-77' }),
        onSpawn: (child) => until(() => server.requests.length > before, 'the token request').then(() => child.kill(sig)),
      });
      assertEndedBy(r, sig);
      assert.deepEqual(readdirSync(dir), [], `${sig} left files behind`);
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await server.close();
  }
});

test('the terminal hanging up during a batch: lines in flight reported, ectl ends by SIGHUP (no crash)', async () => {
  const server = await hanging();
  const out = join(tmp, `hangup-${process.pid}.txt`);
  rmSync(out, { force: true });
  try {
    const input = join(tmp, 'hangup-lines.txt');
    writeFileSync(input, 'registered_users a\nregistered_users b\nstatus\n');
    const t = onTerminal(['batch', '-j', '2', input], { ...cleanEnv({ ECTL_URL: server.url }), WRAP_OUT: out });
    await t.pid();
    await until(() => server.requests.length >= 2, 'two requests');
    t.hangUp();
    await until(() => existsSync(out) && readFileSync(out, 'utf8').includes('ENDED'), 'ectl to end');
    const text = readFileSync(out, 'utf8');
    // Node's own exit would abort on the hung-up terminal (SIGSEGV or SIGABRT): ectl raises SIGHUP again instead.
    assert.match(text, /ENDED code=null signal=SIGHUP/, text);
    assert.match(text, /^line 1: interrupted: it may or may not have run\nline 2: interrupted: it may or may not have run\n0 ok, 0 failed, 2 interrupted \(stopped early\)\ninterrupted: lines 1-2 were in flight/, text);
  } finally {
    await server.close();
  }
});
