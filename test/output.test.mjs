// Every output format through bin/ectl against the real test server: results of every shape
// against committed expected output, real XMPP sessions (test/xmpp-client.mjs) for the session
// commands, ejabberdctl as the oracle for text, and a pseudo-terminal (util-linux `script`)
// for what only a terminal gets: the default table, colour, the terminal's width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { ECTL, ectl, ejabberdctl, live, liveEnv, requireLiveServer, root, HOST, MUC } from './helpers.mjs';
import { xmppLogin } from './xmpp-client.mjs';
import { displayWidth } from '../dist/format/cells.js';
import { matchesExpected, parseCompactTable, parseTsv, stripAnsi } from './output-helpers.mjs';

const FORMATS = ['text', 'table', 'json', 'yaml', 'csv', 'tsv'];
const ESC = '\x1b';

// Names of one length with a random part, so that the expected files hold XXXXXXXX in its place
// and column widths do not depend on the run.
const TOKEN = Array.from(randomBytes(8), (b) => String.fromCharCode(97 + (b % 26))).join('');
const mask = (s) => s.replaceAll(TOKEN, 'XXXXXXXX');
const A = `fa${TOKEN}`; // owner of the room, two live sessions
const B = `fb${TOKEN}`; // member and MucSub subscriber, one live session
const C = `fc${TOKEN}`; // offline, with a last-activity record
const ROOM = `fr${TOKEN}`;
const OUTCAST = `fz${TOKEN}@example.net`;
const PW = 'pw "x" & <y>';
const LAPTOP = { resource: 'laptop', show: 'xa', status: 'Back "soon", maybe\there', priority: 7 };
const PHONE = { resource: 'phone', show: 'chat', status: 'Grüße 😀', priority: -1 };
const DESK = { resource: 'desk', priority: 0 };

const sessions = [];

async function ok(args, opts) {
  const r = await ectl(args, opts);
  assert.equal(r.code, 0, `ectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  assert.equal(r.stderr, '', `ectl ${args.join(' ')} wrote to stderr`);
  return r.stdout;
}

function ctl(...args) {
  const r = ejabberdctl(...args);
  assert.equal(r.code, 0, `ejabberdctl ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

async function waitUntil(what, pred, ms = 15_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`setup: timed out waiting for ${what}`);
}

before(async () => {
  requireLiveServer();
  for (const u of [A, B, C]) await ok(['register', u, HOST, PW]);
  await ok(['create_room_with_opts', ROOM, MUC, HOST, JSON.stringify([
    { name: 'persistent', value: 'true' }, { name: 'allow_subscription', value: 'true' }, { name: 'title', value: 'Room "One", east wing' },
  ])]);
  await ok(['change_room_option', ROOM, MUC, 'description', 'Grüße 😀\nsecond line']);
  await ok(['set_room_affiliation', ROOM, MUC, `${A}@${HOST}`, 'owner']);
  await ok(['set_room_affiliation', ROOM, MUC, `${B}@${HOST}`, 'member']);
  await ok(['set_room_affiliation', ROOM, MUC, OUTCAST, 'outcast']);
  await ok(['subscribe_room', `${B}@${HOST}`, 'Bobby', `${ROOM}@${MUC}`, 'urn:xmpp:mucsub:nodes:messages,urn:xmpp:mucsub:nodes:subject']);
  await ok(['set_last', C, HOST, '1500000000', 'Gone fishing, back at 5']);
  const login = (user, s) => xmppLogin({ port: live.c2sPort, host: HOST, user, password: PW, ...s });
  sessions.push(await login(A, LAPTOP), await login(A, PHONE), await login(B, DESK));
  await waitUntil('the sessions and their presence', () => {
    const out = ejabberdctl('user_sessions_info', A, HOST).stdout;
    return out.includes('\txa\tlaptop\t') && out.includes('\tchat\tphone\t') && ejabberdctl('user_resources', B, HOST).stdout === 'desk\n';
  });
});

after(async () => {
  await Promise.all(sessions.map((s) => s.close()));
});

/** The rows (header first) that CSV, TSV and tables must carry for JSON data of a list of records. */
function gridOfRecords(columns, rows) {
  return [columns, ...rows.map((r) => columns.map((c) => (typeof r[c] === 'object' ? JSON.stringify(r[c]) : String(r[c]))))];
}

/** Reads any format's output back into data shaped like -o json's (lists of records only). */
function readBack(format, out, columns, types) {
  const typed = (row) => Object.fromEntries(columns.map((c, i) => [c, types[c] === 'integer' ? Number(row[i]) : row[i]]));
  switch (format) {
    case 'json': return JSON.parse(out);
    case 'yaml': return parseYaml(out);
    case 'csv': { const [head, ...rows] = parseCsv(out); assert.deepEqual(head, columns); return rows.map(typed); }
    case 'tsv': { const [head, ...rows] = parseTsv(out); assert.deepEqual(head, columns); return rows.map(typed); }
    case 'table': { const [head, ...rows] = parseCompactTable(out); assert.deepEqual(head, columns); return rows.map(typed); }
    // ejabberdctl's text cannot tell a tab in a value from a field separator: the tests put
    // the only tab in the last field.
    case 'text': return out.split('\n').slice(0, -1).map((l) => { const f = l.split('\t'); return typed([...f.slice(0, columns.length - 1), f.slice(columns.length - 1).join('\t')]); });
  }
  throw new Error(format);
}

// ---------------------------------------------------------------------------------------------
// Results with stable values: every format against committed files, text against ejabberdctl.

const stable = [
  ['get_room_affiliations', () => [ROOM, MUC]], // a list of records
  ['get_last', () => [C, HOST]], // a record
  ['get_room_options', () => [ROOM, MUC]], // a name/value list
  ['get_user_subscriptions', () => [B, HOST]], // records with a nested list
];

for (const [command, args] of stable) {
  test(`${command}: every format matches test/expected/output/live/${command}.*; text is ejabberdctl's`, async () => {
    const outs = {};
    for (const format of FORMATS) {
      outs[format] = await ok(['-o', format, command, ...args()]);
      assert.ok(!outs[format].includes(ESC), `${format}: no escape codes in a pipe`);
      matchesExpected(mask(outs[format]), `live/${command}.${format}`);
    }
    assert.equal(outs.text, ctl(command, ...args()));
    assert.equal(await ok([command, ...args()]), outs.text, 'text is the default in a pipe');
    const data = JSON.parse(outs.json);
    assert.deepEqual(parseYaml(outs.yaml), data);
    const columns = Array.isArray(data) ? Object.keys(data[0]) : Object.keys(data);
    const rows = Array.isArray(data) ? data : [data];
    assert.deepEqual(parseCsv(outs.csv), gridOfRecords(columns, rows));
    assert.deepEqual(parseTsv(outs.tsv), gridOfRecords(columns, rows));
  });
}

// ---------------------------------------------------------------------------------------------
// Live sessions: real rows in every format. Uptime moves between calls, so it is compared
// within a margin; everything else exactly.

function sameSessions(actual, expected, label) {
  assert.equal(actual.length, expected.length, `${label}: ${JSON.stringify(actual)}`);
  const key = (r) => `${r.jid ?? ''}/${r.resource}`;
  const sortedA = [...actual].sort((x, y) => key(x).localeCompare(key(y)));
  const sortedE = [...expected].sort((x, y) => key(x).localeCompare(key(y)));
  sortedA.forEach((row, i) => {
    const { uptime, ...rest } = row;
    const { uptime: expectedUptime, ...expectedRest } = sortedE[i];
    assert.deepEqual(rest, expectedRest, label);
    if (expectedUptime !== undefined) assert.ok(Number.isInteger(uptime) && Math.abs(uptime - expectedUptime) <= 60, `${label}: uptime ${uptime} vs ${expectedUptime}`);
  });
}

const sessionColumns = (command) => {
  const types = { port: 'integer', priority: 'integer', uptime: 'integer' };
  const columns = {
    user_sessions_info: ['connection', 'ip', 'port', 'priority', 'node', 'uptime', 'status', 'resource', 'statustext'],
    connected_users_info: ['jid', 'connection', 'ip', 'port', 'priority', 'node', 'uptime', 'status', 'resource', 'statustext'],
    status_list: ['user', 'host', 'resource', 'priority', 'status'],
  }[command];
  return { columns, types };
};

test('user_sessions_info: both live sessions in every format, text as ejabberdctl prints it', async () => {
  const data = JSON.parse(await ok(['-o', 'json', 'user_sessions_info', A, HOST]));
  assert.equal(data.length, 2);
  const laptop = data.find((r) => r.resource === 'laptop');
  assert.deepEqual({ ...laptop, uptime: 0, port: 0, ip: '' }, {
    connection: 'c2s', ip: '', port: 0, priority: 7, node: live.node ?? process.env.ECTL_TEST_NODE, uptime: 0, status: 'xa', resource: 'laptop', statustext: LAPTOP.status,
  });
  assert.match(laptop.ip, /127\.0\.0\.1$/);
  assert.ok(Number.isInteger(laptop.port) && laptop.port > 0);
  assert.deepEqual(data.find((r) => r.resource === 'phone').priority, -1);
  const { columns, types } = sessionColumns('user_sessions_info');
  for (const format of FORMATS) {
    const out = await ok(['-o', format, 'user_sessions_info', A, HOST]);
    assert.ok(!out.includes(ESC));
    const back = readBack(format, out.replaceAll('␉', '\t'), columns, types);
    sameSessions(back, data, `user_sessions_info -o ${format}`);
  }
  // ejabberdctl's text: the same lines, uptime aside.
  const withoutUptime = (text) => text.split('\n').filter(Boolean).map((l) => l.split('\t').filter((_, i) => i !== 5).join('\t')).sort();
  assert.deepEqual(withoutUptime(await ok(['user_sessions_info', A, HOST])), withoutUptime(ctl('user_sessions_info', A, HOST)));
});

test('connected_users_info: this test\'s sessions in every format, text as ejabberdctl prints it', async () => {
  const mine = (rows) => rows.filter((r) => r.jid.startsWith(`${A}@`) || r.jid.startsWith(`${B}@`));
  const data = mine(JSON.parse(await ok(['-o', 'json', 'connected_users_info'])));
  assert.deepEqual(data.map((r) => r.jid).sort(), [`${A}@${HOST}/laptop`, `${A}@${HOST}/phone`, `${B}@${HOST}/desk`]);
  assert.deepEqual(data.find((r) => r.resource === 'desk').status, 'available');
  const { columns, types } = sessionColumns('connected_users_info');
  for (const format of FORMATS) {
    const out = await ok(['-o', format, 'connected_users_info']);
    assert.ok(!out.includes(ESC));
    const back = mine(readBack(format, out.replaceAll('␉', '\t'), columns, types));
    sameSessions(back, data, `connected_users_info -o ${format}`);
  }
  const myLines = (text) => text.split('\n').filter((l) => l.startsWith(`${A}@`) || l.startsWith(`${B}@`)).map((l) => l.split('\t').filter((_, i) => i !== 6).join('\t')).sort();
  assert.deepEqual(myLines(await ok(['connected_users_info'])), myLines(ctl('connected_users_info')));
});

test('status_list: the xa session in every format; text identical to ejabberdctl', async () => {
  const mine = (rows) => rows.filter((r) => r.user === A);
  const data = mine(JSON.parse(await ok(['-o', 'json', 'status_list', 'xa'])));
  assert.deepEqual(data, [{ user: A, host: HOST, resource: 'laptop', priority: 7, status: LAPTOP.status }]);
  const { columns, types } = sessionColumns('status_list');
  for (const format of FORMATS) {
    const out = await ok(['-o', format, 'status_list', 'xa']);
    assert.ok(!out.includes(ESC));
    assert.deepEqual(mine(readBack(format, out.replaceAll('␉', '\t'), columns, types)), data, `status_list -o ${format}`);
  }
  const myLines = (text) => text.split('\n').filter((l) => l.startsWith(`${A}\t`));
  assert.deepEqual(myLines(await ok(['status_list', 'xa'])), myLines(ctl('status_list', 'xa')));
  assert.equal(myLines(ctl('status_list', 'xa')).length, 1);
});

// ---------------------------------------------------------------------------------------------
// A list of scalars and a scalar: values other tests change, so shapes rather than files.

test('registered_users: one column headed "username" in every format', async () => {
  const outs = {};
  for (const format of FORMATS) outs[format] = await ok(['-o', format, 'registered_users', HOST]);
  for (const out of Object.values(outs)) assert.ok(!out.includes(ESC));
  const json = JSON.parse(outs.json);
  for (const u of [A, B, C]) assert.ok(json.includes(u));
  const has = (list) => [A, B, C].every((u) => list.includes(u));
  assert.ok(has(outs.text.split('\n')));
  assert.ok(has(parseYaml(outs.yaml)));
  const csv = parseCsv(outs.csv);
  assert.deepEqual(csv[0], ['username']);
  assert.ok(csv.slice(1).every((r) => r.length === 1) && has(csv.slice(1).map((r) => r[0])));
  const tsv = parseTsv(outs.tsv);
  assert.deepEqual(tsv[0], ['username']);
  assert.ok(has(tsv.slice(1).map((r) => r[0])));
  const table = parseCompactTable(outs.table);
  assert.deepEqual(table[0], ['username']);
  assert.ok(has(table.slice(1).map((r) => r[0])));
});

test('stats: a bare number in text, JSON and YAML; a one-cell "stat" column in CSV, TSV and tables', async () => {
  const outs = {};
  for (const format of FORMATS) outs[format] = await ok(['-o', format, 'stats', 'registeredusers']);
  const n = JSON.parse(outs.json);
  assert.ok(Number.isInteger(n) && n >= 3);
  assert.match(outs.text, /^\d+\n$/);
  assert.equal(typeof parseYaml(outs.yaml), 'number');
  assert.match(outs.csv, /^stat\n\d+\n$/);
  assert.match(outs.tsv, /^stat\n\d+\n$/);
  const table = parseCompactTable(outs.table);
  assert.equal(table.length, 2);
  assert.deepEqual(table[0], ['stat']);
  assert.match(table[1][0], /^\d+$/);
});

test('rescode and restuple print data in rich formats; a failure prints nothing on stdout and exits 1', async () => {
  assert.equal(await ok(['-o', 'yaml', 'check_account', A, HOST]), 'ok: true\n');
  assert.equal(await ok(['-o', 'csv', 'check_account', A, HOST]), 'ok\ntrue\n');
  assert.equal(await ok(['-o', 'tsv', 'check_account', A, HOST]), 'ok\ntrue\n');
  assert.deepEqual(parseCompactTable(await ok(['-o', 'table', 'check_account', A, HOST])), [['ok', 'true']]);
  assert.equal(await ok(['check_account', A, HOST]), '', 'text prints nothing, as ejabberdctl does');
  const u = `fd${TOKEN}`;
  assert.equal(await ok(['-o', 'csv', 'register', u, HOST, 'pw']), `ok,text\ntrue,User ${u}@${HOST} successfully registered\n`);
  assert.deepEqual(parseYaml(await ok(['-o', 'yaml', 'unregister', u, HOST])), { ok: true, text: '' });
  for (const format of FORMATS) {
    // A yes/no command's "no" prints nothing in any format (test/predicates.test.mjs); a failure prints its error.
    const r = await ectl(['-o', format, 'check_account', `nobody${TOKEN}`, HOST]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', ''], `-o ${format}`);
    const failed = await ectl(['-o', format, 'get_vcard', `nobody${TOKEN}`, HOST, 'FN']);
    assert.equal(failed.code, 1, `-o ${format}`);
    assert.equal(failed.stdout, '');
    assert.match(failed.stderr, /^Error: .+\n$/);
  }
});

test('the format comes from -o, else ECTL_OUTPUT, else the profile\'s `output` key', async () => {
  const dir = join(root, 'test', '.tmp', 'output');
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'default: p\nprofiles:\n  p:\n    output: csv\n');
  const args = ['get_last', C, HOST];
  assert.equal(await ok(args, { env: liveEnv({ ECTL_CONFIG: config }) }), 'timestamp,status\n2017-07-14T02:40:00Z,"Gone fishing, back at 5"\n');
  assert.equal(await ok(args, { env: liveEnv({ ECTL_CONFIG: config, ECTL_OUTPUT: 'yaml' }) }), 'timestamp: "2017-07-14T02:40:00Z"\nstatus: "Gone fishing, back at 5"\n');
  assert.equal(await ok(['-o', 'tsv', ...args], { env: liveEnv({ ECTL_CONFIG: config, ECTL_OUTPUT: 'yaml' }) }), 'timestamp\tstatus\n2017-07-14T02:40:00Z\tGone fishing, back at 5\n');
  const bad = await ectl(args, { env: liveEnv({ ECTL_OUTPUT: 'xml' }) });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown output format 'xml' in the environment variable ECTL_OUTPUT \(choose from text, table, vertical, json, yaml, csv, tsv\)/);
});

test('a pipe never gets escape codes unless FORCE_COLOR says so; text is never coloured', async () => {
  for (const format of FORMATS) {
    const plain = await ok(['-o', format, 'get_room_options', ROOM, MUC]);
    assert.ok(!plain.includes(ESC));
    const forced = await ok(['-o', format, 'get_room_options', ROOM, MUC], { env: liveEnv({ FORCE_COLOR: '1' }) });
    if (format === 'table') {
      assert.ok(forced.includes(`${ESC}[1mname${ESC}[22m`) && forced.includes(`${ESC}[32mtrue${ESC}[39m`));
      assert.equal(stripAnsi(forced), plain);
    } else assert.equal(forced, plain, `${format} has no colour even when forced`);
  }
  const forcedOff = await ok(['--no-color', '-o', 'table', 'get_last', C, HOST], { env: liveEnv({ FORCE_COLOR: '1' }) });
  assert.ok(!forcedOff.includes(ESC), '--no-color wins over FORCE_COLOR');
  const error = await ectl(['get_last', C], { env: liveEnv({ FORCE_COLOR: '1' }) });
  assert.match(error.stderr, /^\x1b\[31m\x1b\[1mError:\x1b\[22m\x1b\[39m /);
  assert.match((await ectl(['get_last', C])).stderr, /^Error: /);
});

// ---------------------------------------------------------------------------------------------
// On a terminal: util-linux `script` runs ectl on a pseudo-terminal of a chosen width.

const shellQuote = (s) => `'${s.replace(/'/g, "'\\''")}'`;

/** Runs ectl with stdout and stderr on a pseudo-terminal; resolves { code, out } (CRLF made LF). */
function onTerminal(args, { env = liveEnv(), cols = 100 } = {}) {
  const command = `stty cols ${cols} rows 50 2>/dev/null; exec ${[process.execPath, ECTL, ...args].map(shellQuote).join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...env, SHELL: '/bin/sh' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out: out.replace(/\r\n/g, '\n') }));
  });
}

test('terminal: a list of records or a record is a coloured table by default; NO_COLOR and --no-color take colour away', async () => {
  const piped = await ok(['-o', 'table', 'get_room_affiliations', ROOM, MUC]);
  const coloured = await onTerminal(['get_room_affiliations', ROOM, MUC]);
  assert.equal(coloured.code, 0);
  assert.ok(coloured.out.includes(`${ESC}[1musername${ESC}[22m`), JSON.stringify(coloured.out));
  assert.equal(stripAnsi(coloured.out), piped);
  for (const [label, run] of [['NO_COLOR', onTerminal(['get_room_affiliations', ROOM, MUC], { env: liveEnv({ NO_COLOR: '1' }) })], ['--no-color', onTerminal(['--no-color', 'get_room_affiliations', ROOM, MUC])]]) {
    const r = await run;
    assert.equal(r.code, 0);
    assert.ok(!r.out.includes(ESC), `${label}: ${JSON.stringify(r.out)}`);
    assert.equal(r.out, piped, `${label}: still a table`);
  }
  const record = await onTerminal(['get_last', C, HOST], { env: liveEnv({ NO_COLOR: '1' }) });
  assert.deepEqual(parseCompactTable(record.out), [['timestamp', '2017-07-14T02:40:00Z'], ['status', 'Gone fishing, back at 5']]);
});

test('terminal: lists of scalars, scalars and statuses stay ejabberdctl text; JSON is indented', async () => {
  const users = await onTerminal(['registered_users', HOST]);
  assert.ok(!users.out.includes('┌') && !users.out.includes(ESC));
  assert.ok(users.out.split('\n').includes(A));
  const stat = await onTerminal(['stats', 'registeredusers']);
  assert.match(stat.out, /^\d+\n$/);
  const status = await onTerminal(['check_account', A, HOST]);
  assert.equal(status.out, '');
  const json = await onTerminal(['-o', 'json', 'get_last', C, HOST]);
  assert.equal(json.out, '{\n  "timestamp": "2017-07-14T02:40:00Z",\n  "status": "Gone fishing, back at 5"\n}\n');
  assert.equal(await ok(['-o', 'json', 'get_last', C, HOST]), '{"timestamp":"2017-07-14T02:40:00Z","status":"Gone fishing, back at 5"}\n');
});

test('terminal: tables fit the terminal width without breaking the frame; status words coloured', async () => {
  for (const [cols, args] of [[60, ['get_room_options', ROOM, MUC]], [80, ['connected_users_info']], [50, ['user_sessions_info', A, HOST]]]) {
    const r = await onTerminal(args, { cols });
    assert.equal(r.code, 0);
    const lines = stripAnsi(r.out).split('\n').slice(0, -1);
    assert.ok(lines.length > 3);
    if (lines[0] === '-[ RECORD 1 ]-') {
      // Too wide for a table without cutting a word: laid out vertically, within the width.
      assert.ok(lines.every((l) => displayWidth(l) <= cols), `${args[0]} at ${cols}:\n${r.out}`);
      continue;
    }
    const widths = new Set(lines.map(displayWidth));
    assert.equal(widths.size, 1, `${args[0]} at ${cols}: ${[...widths]}\n${stripAnsi(r.out)}`);
    assert.ok([...widths][0] <= cols, `${args[0]}: ${[...widths][0]} > ${cols}`);
  }
  const sessionsTable = await onTerminal(['user_sessions_info', A, HOST], { cols: 200 });
  assert.ok(sessionsTable.out.includes(`${ESC}[33mxa${ESC}[39m`) && sessionsTable.out.includes(`${ESC}[32mchat${ESC}[39m`));
});

test('terminal: Error: is red on a colour terminal, plain with NO_COLOR', async () => {
  const r = await onTerminal(['get_last', C]);
  assert.equal(r.code, 2);
  assert.match(r.out, /^\x1b\[31m\x1b\[1mError:\x1b\[22m\x1b\[39m missing required argument/);
  const plain = await onTerminal(['get_last', C], { env: liveEnv({ NO_COLOR: '1' }) });
  assert.match(plain.out, /^Error: missing required argument/);
});

test('terminal at 80 and 100 columns: no JID, IP or header is cut; records that do not fit are laid out vertically', async () => {
  await ok(['add_rosteritem', A, HOST, B, HOST, 'Bob "the" builder', 'Friends, and colleagues', 'both']);
  for (const cols of [80, 100]) {
    for (const args of [['connected_users_info'], ['user_sessions_info', A, HOST], ['get_roster', A, HOST], ['get_room_affiliations', ROOM, MUC], ['get_user_subscriptions', B, HOST]]) {
      const r = await onTerminal(args, { cols, env: liveEnv({ NO_COLOR: '1' }) });
      assert.equal(r.code, 0, r.out);
      const lines = r.out.split('\n').slice(0, -1);
      assert.ok(lines.every((l) => displayWidth(l) <= cols), `${args[0]} at ${cols}:\n${r.out}`);
      // Every JID, name and IP address of the result shows whole, as one word of the output.
      const json = JSON.parse(await ok(['-o', 'json', ...args]));
      const strings = JSON.stringify(json).match(/"(?:[^"\\]|\\.)*"/g).map((q) => JSON.parse(q));
      const words = strings.flatMap((v) => v.split(/\s+/)).filter((w) => w.includes(TOKEN) || /^(::ffff:)?127\.0\.0\.1$/.test(w));
      assert.ok(words.length > 0, `${args[0]}: nothing to look for`);
      const shown = r.out.split(/[\s│]+/);
      for (const w of words) assert.ok(shown.includes(w) || shown.includes(`${w},`), `${args[0]} at ${cols}: '${w}' cut:\n${r.out}`);
      const fields = Object.keys((Array.isArray(json) ? json[0] : json) ?? {});
      for (const f of fields) assert.ok(shown.includes(f) || shown.includes(`${f}:`), `${args[0]} at ${cols}: header '${f}' cut:\n${r.out}`);
    }
  }
  // A session table is too wide for 80 columns: vertical, with the record headers.
  const sessions80 = await onTerminal(['user_sessions_info', A, HOST], { cols: 80, env: liveEnv({ NO_COLOR: '1' }) });
  assert.match(sessions80.out, /^-\[ RECORD 1 \]-\nconnection: +c2s/);
  assert.match(sessions80.out, /^priority: +(7|-1)$/m);
  // -o vertical forces it, also into a pipe.
  const forced = await ok(['-o', 'vertical', 'get_room_affiliations', ROOM, MUC]);
  assert.match(forced, /^-\[ RECORD 1 \]-\nusername: +f\w+\ndomain: +\S+\naffiliation: +\w+\nreason:/);
});

test('--columns picks and orders fields in every format; an unknown column exits 2 naming the valid ones', async () => {
  const args = ['--columns', 'resource,priority', 'user_sessions_info', A, HOST];
  const rows = JSON.parse(await ok(['-o', 'json', ...args]));
  assert.deepEqual(rows.map((r) => Object.keys(r)), [['resource', 'priority'], ['resource', 'priority']]);
  const expected = rows.map((r) => [r.resource, String(r.priority)]).sort();
  assert.deepEqual(expected.map((r) => r[0]), ['laptop', 'phone']);
  assert.deepEqual(parseCsv(await ok(['-o', 'csv', ...args])), [['resource', 'priority'], ...rows.map((r) => [r.resource, String(r.priority)])]);
  assert.deepEqual(parseTsv(await ok(['-o', 'tsv', ...args])), [['resource', 'priority'], ...rows.map((r) => [r.resource, String(r.priority)])]);
  assert.deepEqual(parseYaml(await ok(['-o', 'yaml', ...args])), rows);
  assert.deepEqual(parseCompactTable(await ok(['-o', 'table', ...args])), [['resource', 'priority'], ...rows.map((r) => [r.resource, String(r.priority)])]);
  assert.equal(await ok(['-o', 'text', ...args]), rows.map((r) => `${r.resource}\t${r.priority}\n`).join(''));
  // A record (one tuple) too.
  assert.equal(await ok(['-o', 'json', '--columns', 'status', 'get_last', C, HOST]), '{"status":"Gone fishing, back at 5"}\n');
  // Without --columns the text is ejabberdctl's, byte for byte.
  assert.equal(await ok(['get_last', C, HOST]), ctl('get_last', C, HOST));
});

test('--columns: an unknown column, or a result without fields, exits 2 before anything is sent', async () => {
  const { recordingServer, cleanEnv } = await import('./helpers.mjs');
  const server = await recordingServer();
  try {
    const env = cleanEnv({ ECTL_URL: server.url, ECTL_USER: 'admin@localhost', ECTL_PASSWORD: 'x' });
    const bad = await ectl(['--columns', 'jid,bogus', 'connected_users_info'], { env });
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, "Error: connected_users_info has no column 'bogus' (its columns: jid, connection, ip, port, priority, node, uptime, status, resource, statustext)\n");
    const none = await ectl(['--columns', 'x', 'registered_users', 'localhost'], { env });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^Error: --columns picks fields of records, and registered_users returns none/);
    const batch = await ectl(['--columns', 'jid', 'batch'], { env, input: 'status\n' });
    assert.equal(batch.code, 2);
    assert.equal(server.requests.length, 0);
  } finally {
    await server.close();
  }
});
