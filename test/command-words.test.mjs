// How a command line's words are read: `--` before the command word, numbers in decimal digits
// only (every numeric flag, variable and config key), and a command word that is looked up in
// the catalogue's list of names, never used as a file name. Bad input exits 2 with one line and
// sends nothing (a recording server counts requests).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ectl, cleanEnv, recordingServer, root, showRun } from './helpers.mjs';

let server;
let env;
const tmp = join(root, 'test', '.tmp');
before(async () => {
  server = await recordingServer();
  env = cleanEnv({ ECTL_URL: server.url });
  mkdirSync(tmp, { recursive: true });
});
after(() => server.close());

/** Runs ectl and checks: exit 2, one `Error:` line matching `message`, no stack trace, nothing sent. */
async function refused(args, message, options = {}) {
  const sent = server.requests.length;
  const r = await ectl(args, { env, ...options });
  assert.equal(r.code, 2, showRun(r));
  assert.match(r.stderr, /^Error: [^\n]*\n$/, showRun(r));
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.equal(server.requests.length, sent, 'a request was sent');
  return r;
}

test("a '--' before the command word ends the options: `ectl -- status` runs status", async () => {
  for (const args of [['--', 'status'], ['-o', 'json', '--', 'status'], ['--', 'stats', 'registeredusers']]) {
    const sent = server.requests.length;
    const r = await ectl(args, { env });
    assert.equal(r.code, 0, showRun(r));
    assert.equal(server.requests.length, sent + 1);
    assert.equal(server.requests.at(-1).url, `/api/${args.at(-1) === 'status' ? 'status' : 'stats'}`);
  }
  await refused(['--', 'nosuchcommand'], /^Error: unknown command 'nosuchcommand'/);
});

const NOT_DECIMAL = ['', '0x10', '-5', 'NaN', 'Infinity', '1e3', ' 30', '30 ', '.5', '5.', '+5', '0b11', '1_000', '３０'];

test('--timeout takes decimal seconds only: empty, hex, signs, exponents, NaN, Infinity are refused with the rule', async () => {
  for (const v of NOT_DECIMAL) {
    await refused(['--timeout', v, 'status'], new RegExp(`^Error: --timeout must be a number of seconds in decimal digits \\(e\\.g\\. 30 or 2\\.5\\), got '${v.replace(/[.+]/g, '\\$&')}'\\n$`));
    await refused([`--timeout=${v}`, 'status'], /^Error: --timeout must be a number of seconds in decimal digits/);
  }
  await refused(['--timeout', '0', 'status'], /^Error: --timeout must be more than 0 seconds\n$/);
  await refused(['--timeout', '2147484', 'status'], /^Error: --timeout must be at most 2147483 seconds/);
  for (const v of ['30', '2.5', '007']) {
    const r = await ectl(['--timeout', v, 'status'], { env });
    assert.equal(r.code, 0, showRun(r));
  }
});

test('ECTL_TIMEOUT, ECTL_API_VERSION and a profile\'s timeout follow the same rule, and say where the value came from', async () => {
  for (const v of ['0x10', '1e3', 'Infinity', '-1', 'NaN']) {
    await refused(['status'], /^Error: the environment variable ECTL_TIMEOUT must be a number of seconds in decimal digits/, { env: { ...env, ECTL_TIMEOUT: v } });
    await refused(['status'], /^Error: the environment variable ECTL_API_VERSION must be a whole number in decimal digits/, { env: { ...env, ECTL_API_VERSION: v } });
  }
  await refused(['--api-version', '1.5', 'status'], /^Error: --api-version must be a whole number in decimal digits, got '1\.5'/);
  await refused(['--api-version', '', 'status'], /^Error: --api-version must be a whole number/);
  await refused(['--max-reply-size', '', 'status'], /^Error: --max-reply-size must be a size/);
  const dir = mkdtempSync(join(tmp, 'numbers-'));
  for (const [value, shown] of [["'0x10'", '0x10'], ['.inf', 'Infinity'], ['-5', '-5'], ["''", ''], ['.nan', 'NaN']]) {
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `url: ${server.url}\ntimeout: ${value}\n`);
    await refused(['status'], new RegExp(`^Error: 'timeout' in ${config.replace(/[.]/g, '\\.')} must be a number of seconds in decimal digits .*, got '${shown.replace(/[.]/g, '\\.')}'\\n$`), { env: { ...env, ECTL_CONFIG: config } });
  }
  const config = join(dir, 'good.yaml');
  writeFileSync(config, `url: ${server.url}\ntimeout: 30\napi-version: 0\n`);
  const r = await ectl(['status'], { env: { ...env, ECTL_CONFIG: config } });
  assert.equal(r.code, 0, showRun(r));
});

test('batch -j, login --ttl and rolling-restart --wait/--delay take decimal digits only', async () => {
  for (const v of ['0x4', '', '1e1', '4.0', ' 4']) await refused(['batch', '-j', v], /^Error: --jobs must be a whole number in decimal digits, from 1 to 256, got/, { input: 'status\n' });
  await refused(['batch', '-j', '0'], /^Error: --jobs must be a whole number, from 1 to 256, got '0'/, { input: 'status\n' });
  await refused(['login', '--ttl', '0x10'], /^Error: --ttl must be a whole number of seconds in decimal digits/);
  await refused(['rolling-restart', '--wait', '1e2'], /^Error: --wait must be a whole number of seconds in decimal digits, from 1 to 86400, got '1e2'/);
  await refused(['rolling-restart', '--delay', '-1'], /^Error: --delay must be a whole number of seconds in decimal digits, from 0 to 86400/);
});

test('a command word is looked up among the known names, never used as a file name: a long or odd word is exit 2 with a hint', async () => {
  const long = 'a'.repeat(260);
  await refused([long], /^Error: unknown command 'a{40}\.\.\. \(260 characters\)' \(longer than any command's name; see 'ectl help' for the commands\)\n$/);
  await refused([`registered_users${'x'.repeat(300)}`], /did you mean registered_users\?\)\n$/);
  for (const word of ['../catalogue-data/_all', '_all', 'status/../status', 'status.json', 'Status\u0000', '..']) {
    await refused([word.replace('\u0000', '')], /^Error: unknown command '/);
  }
  // The longest word a command line can hold (128 KiB) costs no more than a short one.
  const started = Date.now();
  await refused(['x'.repeat(131_000)], /131000 characters/);
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  // In a batch line too: that line fails, the others run.
  const sent = server.requests.length;
  const r = await ectl(['batch'], { env, input: `${long}\nstatus\n` });
  assert.equal(r.code, 2, showRun(r));
  assert.match(r.stderr, /^line 1: Error: unknown command 'a{40}\.\.\. \(260 characters\)'\n/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.equal(server.requests.length, sent + 1);
});

test('every error that names a typed word shows it escaped and cut short: commander\'s unknown command, help topics, batch lines', async () => {
  // A line break in the word is shown as \n, not as a space that makes it look like a known name.
  await refused(['status\n'], /^Error: unknown command 'status\\n' \(did you mean status\?\)/);
  await refused(['stat\u202eus'], /^Error: unknown command 'stat\\u202eus'/);
  await refused(['help', 'x'.repeat(300)], /^Error: no command or tag 'x{40}\.\.\. \(300 characters\)'/);
  const r = await ectl(['batch'], { env, input: `${'y'.repeat(300)}\n` });
  assert.match(r.stderr, /^line 1: Error: unknown command 'y{40}\.\.\. \(300 characters\)'\n/);
});

test('--max-reply-size takes no spaces either (one rule with the other numbers)', async () => {
  for (const value of [' 5M', '5 M', '5M ', '5\tM']) await refused(['--max-reply-size', value, 'status'], /--max-reply-size must be a size/);
});
