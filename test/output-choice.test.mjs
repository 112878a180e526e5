// What src/cli/output.ts decides from the output device: format, colour, width, indentation;
// and how it writes (chunks, waiting for a slow reader). In-process with stand-in streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commands } from '../dist/catalogue/commands.js';
import { colorEnabled, outputFormat, formatOptions, formatResult, writeResult, errorLabel, printers } from '../dist/cli/output.js';
import { OUTPUT_FORMATS } from '../dist/config/settings.js';

const spec = (name) => commands.find((c) => c.name === name);
const tty = (columns) => ({ isTTY: true, columns, write() { return true; } });
const pipe = () => ({ isTTY: false, write() { return true; } });

test('colour: on a terminal only, NO_COLOR and --no-color turn it off, FORCE_COLOR forces it', () => {
  assert.equal(colorEnabled({ isTTY: true }, {}, false), true);
  assert.equal(colorEnabled({ isTTY: false }, {}, false), false);
  assert.equal(colorEnabled({}, {}, false), false);
  assert.equal(colorEnabled({ isTTY: true }, { NO_COLOR: '1' }, false), false);
  assert.equal(colorEnabled({ isTTY: true }, { NO_COLOR: '' }, false), true, 'an empty NO_COLOR is not set (no-color.org)');
  assert.equal(colorEnabled({ isTTY: true }, { TERM: 'dumb' }, false), false);
  assert.equal(colorEnabled({ isTTY: true }, {}, true), false);
  assert.equal(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' }, false), true);
  assert.equal(colorEnabled({ isTTY: false }, { FORCE_COLOR: '' }, false), true);
  assert.equal(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' }, false), true, 'FORCE_COLOR wins over NO_COLOR');
  assert.equal(colorEnabled({ isTTY: true }, { FORCE_COLOR: '0' }, false), false);
  assert.equal(colorEnabled({ isTTY: true }, { FORCE_COLOR: 'false' }, false), false);
  assert.equal(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' }, true), false, '--no-color wins over everything');
});

test('default format: a table on a terminal for records, text otherwise; an explicit one always wins', () => {
  const io = (stdout) => ({ stdout, env: {} });
  assert.equal(outputFormat(spec('get_last'), {}, io(tty(80))), 'table');
  assert.equal(outputFormat(spec('connected_users_info'), {}, io(tty(80))), 'table');
  assert.equal(outputFormat(spec('registered_users'), {}, io(tty(80))), 'text');
  assert.equal(outputFormat(spec('stats'), {}, io(tty(80))), 'text');
  assert.equal(outputFormat(spec('register'), {}, io(tty(80))), 'text');
  assert.equal(outputFormat(spec('get_last'), {}, io(pipe())), 'text');
  assert.equal(outputFormat(spec('get_last'), { output: 'text' }, io(tty(80))), 'text');
  assert.equal(outputFormat(spec('registered_users'), { output: 'csv' }, io(pipe())), 'csv');
});

test('width: the terminal, 80 when a pseudo-terminal reports 0, COLUMNS for a pipe, else unlimited', () => {
  assert.equal(formatOptions({ noColor: false }, { stdout: tty(132), env: {} }).width, 132);
  assert.equal(formatOptions({ noColor: false }, { stdout: tty(0), env: {} }).width, 80);
  assert.equal(formatOptions({ noColor: false }, { stdout: tty(0), env: { COLUMNS: '100' } }).width, 100);
  assert.equal(formatOptions({ noColor: false }, { stdout: pipe(), env: {} }).width, Infinity);
  assert.equal(formatOptions({ noColor: false }, { stdout: pipe(), env: { COLUMNS: '90' } }).width, 90);
  assert.equal(formatOptions({ noColor: false }, { stdout: tty(80), env: {} }).pretty, true);
  assert.equal(formatOptions({ noColor: false }, { stdout: pipe(), env: {} }).pretty, false);
  assert.equal(formatOptions({ noColor: true }, { stdout: tty(80), env: {} }).color, false);
});

test('every -o format has a printer; JSON is indented on a terminal and one line in a pipe', async () => {
  assert.deepEqual(Object.keys(printers).sort(), [...OUTPUT_FORMATS].sort());
  const value = { timestamp: '2017-07-14T02:40:00Z', status: 'x' };
  assert.equal(await formatResult(spec('get_last'), value, { output: 'json', noColor: false }, { stdout: pipe(), env: {} }), '{"timestamp":"2017-07-14T02:40:00Z","status":"x"}\n');
  assert.equal(await formatResult(spec('get_last'), value, { output: 'json', noColor: false }, { stdout: tty(80), env: {} }), '{\n  "timestamp": "2017-07-14T02:40:00Z",\n  "status": "x"\n}\n');
  assert.equal(await formatResult(spec('check_account'), true, { noColor: false }, { stdout: pipe(), env: {} }), '', 'rescode prints nothing as text');
});

test('writeResult writes chunk by chunk and waits for "drain" when the reader is slow', async () => {
  const users = Array.from({ length: 2500 }, (_, i) => `u${i}`);
  const writes = [];
  let drains = 0;
  const stdout = {
    isTTY: false,
    write(s) { writes.push(s); return writes.length % 2 === 1; }, // every second write reports a full buffer
    once(event, fn) { assert.equal(event, 'drain'); drains += 1; setImmediate(fn); },
  };
  await writeResult(spec('registered_users'), users, { output: 'csv', noColor: false }, { stdout, env: {} });
  assert.equal(writes.length, 3, 'header and 2,500 rows in chunks of 1,000');
  assert.equal(drains, 1);
  assert.equal(writes.join(''), `username\n${users.join('\n')}\n`);
});

test('the Error: label is red only for a colour terminal on standard error', async () => {
  assert.equal(await errorLabel({ stderr: { isTTY: false }, env: {} }, []), 'Error:');
  assert.equal(await errorLabel({ stderr: { isTTY: true }, env: {} }, []), '\x1b[31m\x1b[1mError:\x1b[22m\x1b[39m');
  assert.equal(await errorLabel({ stderr: { isTTY: true }, env: { NO_COLOR: '1' } }, []), 'Error:');
  assert.equal(await errorLabel({ stderr: { isTTY: true }, env: {} }, ['--no-color', 'status']), 'Error:');
  assert.equal(await errorLabel({ stderr: { isTTY: false }, env: { FORCE_COLOR: '1' } }, []), '\x1b[31m\x1b[1mError:\x1b[22m\x1b[39m');
});
