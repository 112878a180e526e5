// The pure formatters of src/format on fixed results of every shape, against committed expected
// output in test/expected/output/ (ECTL_UPDATE_EXPECTED=1 rewrites those files; review the diff).
// Every rich format is also read back: JSON and YAML to the same data, CSV with csv-parse, TSV by
// its escapes, tables by their frame; and the streamed table body is checked against cli-table3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import Table from 'cli-table3';
import { commands } from '../dist/catalogue/commands.js';
import { formatText } from '../dist/format/text.js';
import { formatJson, resultData } from '../dist/format/json.js';
import { formatYaml, yamlScalar } from '../dist/format/yaml.js';
import { formatDelimited, csvField, tsvField } from '../dist/format/delimited.js';
import { formatTable, tableSource, tableLayout, fitWidths, TABLE_CHARS } from '../dist/format/table.js';
import { displayWidth, wrapCell, visible, unbreakableWidth } from '../dist/format/cells.js';
import { prefersTable } from '../dist/format/shape.js';
import { matchesExpected, stripAnsi, joinChunks, parseTsv, parseCompactTable } from './output-helpers.mjs';

const spec = (name) => {
  const s = commands.find((c) => c.name === name);
  assert.ok(s, `no command ${name}`);
  return s;
};

const ESC = '\x1b';

// ---------------------------------------------------------------------------------------------
// Fixed results, one per shape, with the awkward values real servers hold: quotes, commas,
// tabs, newlines, emoji, wide characters, negative numbers, empty strings and lists, and
// strings that YAML would read as numbers or booleans.
const fixtures = {
  get_room_affiliations: [
    { username: 'alice', domain: 'localhost', affiliation: 'owner', reason: '' },
    { username: 'bob', domain: 'localhost', affiliation: 'member', reason: 'Trusted, "long-time" member' },
    { username: 'spammer', domain: 'example.net', affiliation: 'outcast', reason: 'spam\nand more spam' },
  ],
  connected_users_info: [
    { jid: 'alice@localhost/laptop', connection: 'c2s', ip: '::ffff:127.0.0.1', port: 53412, priority: 7, node: 'ejabberd@localhost', uptime: 4711, status: 'xa', resource: 'laptop', statustext: 'Back "soon", maybe\there' },
    { jid: 'alice@localhost/phone', connection: 'c2s', ip: '::ffff:127.0.0.1', port: 53414, priority: -1, node: 'ejabberd@localhost', uptime: 12, status: 'chat', resource: 'phone', statustext: 'Grüße aus 日本 😀' },
    { jid: 'bob@localhost/desk', connection: 'c2s_tls', ip: '192.0.2.10', port: 5222, priority: 0, node: 'ejabberd@localhost', uptime: 86400, status: 'available', resource: 'desk', statustext: '' },
  ],
  user_sessions_info: [
    { connection: 'c2s', ip: '::ffff:127.0.0.1', port: 53412, priority: 7, node: 'ejabberd@localhost', uptime: 4711, status: 'xa', resource: 'laptop', statustext: 'Back "soon", maybe\there' },
    { connection: 'c2s', ip: '::ffff:127.0.0.1', port: 53414, priority: -1, node: 'ejabberd@localhost', uptime: 12, status: 'chat', resource: 'phone', statustext: 'Grüße aus 日本 😀' },
  ],
  status_list: [
    { user: 'alice', host: 'localhost', resource: 'laptop', priority: 7, status: 'Back "soon", maybe\there' },
    { user: 'carol', host: 'example.org', resource: 'tablet', priority: 0, status: '' },
  ],
  get_last: { timestamp: '2017-07-14T02:40:00Z', status: 'Gone fishing, back at 5' },
  get_room_options: [
    { name: 'title', value: 'Room "One", east wing' },
    { name: 'description', value: 'Grüße 😀\nsecond line' },
    { name: 'allow_change_subj', value: 'true' },
    { name: 'members_only', value: 'false' },
    { name: 'presence_broadcast', value: '[moderator,participant,visitor]' },
    { name: 'max_users', value: '200' },
    { name: 'password', value: '' },
    { name: 'vcard_xupdate', value: 'undefined' },
  ],
  get_user_subscriptions: [
    { roomjid: 'room1@conference.localhost', usernick: 'Bobby', nodes: ['urn:xmpp:mucsub:nodes:messages', 'urn:xmpp:mucsub:nodes:subject'] },
    { roomjid: 'room2@conference.localhost', usernick: 'B, "the" builder', nodes: [] },
    { roomjid: 'room3@conference.localhost', usernick: 'Bo', nodes: ['a,b', ''] },
  ],
  registered_users: ['alice', 'bob', 'carol', '0042', 'true', 'null', 'Zoë'],
  stats: 42,
  get_vcard: 'Alice "Ali" Liddell',
  register: 'User alice@localhost successfully registered',
  check_account: true,
};

// Empty lists: a table says so, the others keep their header or empty collection.
const empties = { registered_users: [], connected_users_info: [] };


/** Every variant of one result; the file name is <command>.<variant>. */
function variants(name, value) {
  const s = spec(name);
  return {
    text: (() => { const t = formatText(s, value); return t === '' ? '' : `${t}\n`; })(),
    table: joinChunks(formatTable(s, value, { color: false, width: Infinity, pretty: false })),
    'table-60': joinChunks(formatTable(s, value, { color: false, width: 60, pretty: false })),
    'table-color': joinChunks(formatTable(s, value, { color: true, width: 100, pretty: false })),
    json: `${formatJson(s, value, false)}\n`,
    'json-pretty': `${formatJson(s, value, true)}\n`,
    yaml: joinChunks(formatYaml(s, value)),
    csv: joinChunks(formatDelimited(s, value, 'csv')),
    tsv: joinChunks(formatDelimited(s, value, 'tsv')),
  };
}

/** The header and rows of cells the delimited formats should carry. */
function expectedGrid(name, value) {
  const data = resultData(spec(name), value);
  const t = spec(name).result.type;
  const cellOf = (v) => (typeof v === 'object' ? JSON.stringify(v) : String(v));
  if (Array.isArray(data)) {
    if (typeof t.list.type === 'object' && 'tuple' in t.list.type) {
      const cols = t.list.type.tuple.map((f) => f.name);
      return [cols, ...data.map((r) => cols.map((c) => cellOf(r[c])))];
    }
    return [[t.list.name || spec(name).result.name], ...data.map((v) => [cellOf(v)])];
  }
  if (typeof data === 'object') return [Object.keys(data), Object.values(data).map(cellOf)];
  return [[spec(name).result.name], [cellOf(data)]];
}

function assertFrameIntact(text, maxWidth, label) {
  const lines = stripAnsi(text).split('\n').slice(0, -1);
  if (lines[0].startsWith('-[ RECORD 1 ]-')) {
    // Laid out vertically: no frame to keep, every line within the width.
    assert.ok(lines.every((l) => displayWidth(l) <= maxWidth && !/[│┌└]/.test(l)), `${label}:\n${text}`);
    return;
  }
  const widths = new Set(lines.map(displayWidth));
  assert.equal(widths.size, 1, `${label}: lines of different widths ${[...widths]}:\n${text}`);
  assert.ok([...widths][0] <= maxWidth, `${label}: ${[...widths][0]} columns, more than ${maxWidth}`);
  assert.match(lines[0], /^┌─.*┐$/);
  assert.match(lines.at(-1), /^└─.*┘$/);
}

for (const [name, value] of Object.entries(fixtures)) {
  test(`${name}: every format matches test/expected/output/${name}.*`, () => {
    for (const [variant, out] of Object.entries(variants(name, value))) matchesExpected(out, `${name}.${variant}`);
  });

  test(`${name}: JSON, YAML, CSV and TSV carry the same data`, () => {
    const s = spec(name);
    const data = resultData(s, value);
    const v = variants(name, value);
    assert.deepEqual(JSON.parse(v.json), data);
    assert.deepEqual(JSON.parse(v['json-pretty']), data);
    assert.equal(v.json.split('\n').length, 2, 'compact JSON is one line');
    assert.deepEqual(parseYaml(v.yaml), data);
    const grid = expectedGrid(name, value);
    assert.deepEqual(parseCsv(v.csv, { relax_column_count: false }), grid);
    assert.deepEqual(parseTsv(v.tsv), grid);
    // Nested lists come back from their JSON text.
    if (name === 'get_user_subscriptions') {
      const rows = parseCsv(v.csv, { columns: true });
      assert.deepEqual(rows.map((r) => JSON.parse(r.nodes)), value.map((r) => r.nodes));
    }
  });

  test(`${name}: tables keep their frame, colour only when asked, fit the width`, () => {
    const v = variants(name, value);
    for (const [variant, width] of [['table', Infinity], ['table-60', 60], ['table-color', 100]]) assertFrameIntact(v[variant], width, `${name} ${variant}`);
    assert.ok(!v.table.includes(ESC) && !v['table-60'].includes(ESC));
    assert.ok(v['table-color'].includes(ESC), 'colour was asked for');
    const plain100 = joinChunks(formatTable(spec(name), value, { color: false, width: 100, pretty: false }));
    assert.equal(stripAnsi(v['table-color']), plain100, 'colour changes nothing but escape codes');
    for (const variant of ['text', 'json', 'json-pretty', 'yaml', 'csv', 'tsv']) assert.ok(!v[variant].includes(ESC), `${variant} has no escape codes`);
  });
}

test('a list of records prints one table row per record under the field names', () => {
  const rows = parseCompactTable(variants('status_list', fixtures.status_list).table);
  assert.deepEqual(rows[0], ['user', 'host', 'resource', 'priority', 'status']);
  assert.deepEqual(rows.slice(1), fixtures.status_list.map((r) => [r.user, r.host, r.resource, String(r.priority), visible(r.status)]));
});

test('numbers are right-aligned, text left-aligned', () => {
  const out = variants('connected_users_info', fixtures.connected_users_info).table;
  assert.match(out, /│ {7}-1 │/, 'priority -1 right-aligned in a column headed "priority"');
  assert.match(out, /│  86400 │/);
  assert.match(out, /│ c2s {8}│/, 'text padded on the right');
});

test('a record prints field/value rows, a list of scalars one column headed by the element name', () => {
  assert.deepEqual(parseCompactTable(variants('get_last', fixtures.get_last).table), [['timestamp', '2017-07-14T02:40:00Z'], ['status', 'Gone fishing, back at 5']]);
  const users = parseCompactTable(variants('registered_users', fixtures.registered_users).table);
  assert.deepEqual(users, [['username'], ...fixtures.registered_users.map((u) => [u])]);
  assert.deepEqual(parseCompactTable(variants('stats', 42).table), [['stat'], ['42']]);
});

test('rescode and restuple print data in rich formats', () => {
  assert.equal(variants('check_account', true).json, '{"ok":true}\n');
  assert.equal(variants('check_account', true).yaml, 'ok: true\n');
  assert.equal(variants('check_account', true).csv, 'ok\ntrue\n');
  assert.equal(variants('check_account', true).text, '');
  assert.deepEqual(JSON.parse(variants('register', fixtures.register).json), { ok: true, text: fixtures.register });
  assert.deepEqual(parseCompactTable(variants('register', fixtures.register).table), [['ok', 'true'], ['text', fixtures.register]]);
});

test('an empty list: a dimmed "(no results)" table, [] in JSON and YAML, a header in CSV/TSV', () => {
  for (const [name, value] of Object.entries(empties)) {
    const s = spec(name);
    assert.equal(joinChunks(formatTable(s, value, { color: false, width: 80, pretty: false })), '(no results)\n');
    assert.equal(joinChunks(formatTable(s, value, { color: true, width: 80, pretty: false })), '\x1b[2m(no results)\x1b[22m\n');
    assert.equal(formatJson(s, value, false), '[]');
    assert.equal(joinChunks(formatYaml(s, value)), '[]\n');
    assert.deepEqual(parseCsv(joinChunks(formatDelimited(s, value, 'csv'))), [expectedGrid(name, value)[0]]);
    assert.equal(joinChunks(formatDelimited(s, value, 'tsv')).split('\n').length, 2);
    assert.equal(formatText(s, value), '');
  }
});

test('colour marks headers and status words only', () => {
  const out = joinChunks(formatTable(spec('connected_users_info'), fixtures.connected_users_info, { color: true, width: Infinity, pretty: false }));
  assert.ok(out.includes('\x1b[1mjid\x1b[22m'), 'bold header');
  assert.ok(out.includes('\x1b[33mxa\x1b[39m'), 'away-like status yellow');
  assert.ok(out.includes('\x1b[32mchat\x1b[39m') && out.includes('\x1b[32mavailable\x1b[39m'), 'available-like status green');
  assert.ok(!out.includes('\x1b[32mc2s'), 'other values plain');
  const options = variants('get_room_options', fixtures.get_room_options)['table-color'];
  assert.ok(options.includes('\x1b[32mtrue\x1b[39m') && options.includes('\x1b[31mfalse\x1b[39m'));
});

test('control characters in data never reach the terminal as such', () => {
  const s = spec('get_vcard');
  const out = joinChunks(formatTable(s, 'evil\x1b[31mred\x07\ttab\r', { color: false, width: 80, pretty: false }));
  assert.ok(!/[\x00-\x09\x0b-\x1f]/.test(out), JSON.stringify(out));
  assert.match(out, /evil␛\[31mred␇␉tab␍/);
});

test('the streamed table body is what cli-table3 draws for the same layout', () => {
  let drawn = 0;
  for (const [name, value] of Object.entries(fixtures)) {
    for (const width of [Infinity, 60, 40]) {
      const s = spec(name);
      const source = tableSource(s, value);
      const layout = tableLayout(source, width);
      if (layout.vertical) continue; // no table at all (see the vertical layout's own test)
      drawn++;
      const table = new Table({
        head: layout.head ? layout.head.map((l) => l.join('\n')) : [],
        colWidths: layout.widths.map((w) => w + 2),
        colAligns: layout.right.map((r) => (r ? 'right' : 'left')),
        chars: TABLE_CHARS,
        style: { head: [], border: [], compact: layout.compact, 'padding-left': 1, 'padding-right': 1 },
      });
      for (let r = 0; r < source.rowCount; r++) {
        table.push(source.row(r).map((c, i) => ({ content: wrapCell(c.lines, layout.widths[i]).join('\n'), hAlign: c.right ? 'right' : 'left' })));
      }
      const ours = joinChunks(formatTable(s, value, { color: false, width, pretty: false }));
      assert.equal(ours, `${table.toString()}\n`, `${name} at width ${width}`);
    }
  }
  assert.ok(drawn >= 20, `only ${drawn} tables compared`);
});

test('chunked output is the same as unchunked, for every chunk size', () => {
  const users = Array.from({ length: 25 }, (_, i) => `user${i}`);
  for (const [name, value] of [['registered_users', users], ['get_user_subscriptions', fixtures.get_user_subscriptions], ['connected_users_info', fixtures.connected_users_info]]) {
    const s = spec(name);
    const whole = { table: joinChunks(formatTable(s, value, { color: true, width: 70, pretty: false, chunkRows: 1e9 })), yaml: joinChunks(formatYaml(s, value, { chunkRows: 1e9 })), csv: joinChunks(formatDelimited(s, value, 'csv', { chunkRows: 1e9 })) };
    for (const chunkRows of [1, 2, 7]) {
      const chunks = [...formatTable(s, value, { color: true, width: 70, pretty: false, chunkRows })];
      assert.equal(chunks.join(''), whole.table);
      assert.ok(chunks.every((c) => c.endsWith('\n')), 'chunks end at line ends');
      assert.equal(joinChunks(formatYaml(s, value, { chunkRows })), whole.yaml);
      assert.equal(joinChunks(formatDelimited(s, value, 'csv', { chunkRows })), whole.csv);
    }
  }
});

test('100,000 accounts in every rich format: one line (or row) per account', () => {
  const s = spec('registered_users');
  const users = Array.from({ length: 100_000 }, (_, i) => `user${String(i).padStart(6, '0')}`);
  const table = [...formatTable(s, users, { color: false, width: 80, pretty: false })];
  assert.ok(table.length > 50, 'the table is streamed in chunks');
  assert.equal(table.join('').split('\n').length - 1, 100_000 + 4);
  assert.equal(joinChunks(formatDelimited(s, users, 'csv')).split('\n').length - 1, 100_001);
  assert.deepEqual(parseYaml(joinChunks(formatYaml(s, users))), users);
});

test('YAML: plain only when no parser could read it as anything but that string', () => {
  const tricky = ['', ' ', 'a ', ' a', 'true', 'False', 'yes', 'No', 'on', 'OFF', 'y', 'N', 'null', 'Null', '~', '123', '-1', '+1', '0x1F', '0o17', '1e3', '1_000',
    '.inf', '-.inf', '.NaN', '2017-07-14T02:40:00Z', '12:30:00', 'a: b', 'a:b', ':a', '- x', '-x', '#c', 'a #b', 'a#b', '"q"', "'q'", '[x]', '{y}', '*a', '&a', '!t', '%x',
    '@x', '`x', '|', '>', '?', 'a\nb', 'a\tb', 'line\r\n', '\x00\x07\x1b\x7f\x85\x9f', '\u2028\u2029\ufeff', 'Zoë', '日本', '😀', 'a  b', 'a,b', 'x@y/z', 'a_b.c-d+e(f)'];
  const s = spec('registered_users');
  assert.deepEqual(parseYaml(joinChunks(formatYaml(s, tricky))), tricky);
  assert.deepEqual(parseYaml(joinChunks(formatYaml(spec('get_last'), { timestamp: 'yes', status: 'a: b' }))), { timestamp: 'yes', status: 'a: b' });
  assert.equal(yamlScalar('alice@localhost/laptop'), 'alice@localhost/laptop');
  assert.equal(yamlScalar('Gone fishing'), 'Gone fishing');
  assert.equal(yamlScalar('true'), '"true"');
  assert.equal(yamlScalar('0042'), '"0042"');
  assert.equal(yamlScalar(7), '7');
});

test('CSV quotes per RFC 4180; TSV escapes backslash, tab and line breaks', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('cr\r'), '"cr\r"');
  assert.equal(tsvField('a\tb\nc\rd\\e'), 'a\\tb\\nc\\rd\\\\e');
});

test('fitting: narrow columns keep their width, wide ones share the rest, the frame fits', () => {
  assert.deepEqual(fitWidths([5, 10], Infinity), [5, 10]);
  assert.deepEqual(fitWidths([5, 10], 22), [5, 10]);
  const w = fitWidths([3, 40, 50, 4], 60);
  assert.equal(w[0], 3);
  assert.equal(w[3], 4);
  assert.equal(w.reduce((a, b) => a + b, 0) + 3 * 4 + 1, 60);
  assert.ok(Math.abs(w[1] - w[2]) <= 1);
  assert.deepEqual(fitWidths([10, 1, 10], 5), [2, 1, 2], 'never below two columns (the widest character)');
  // Never below a column's widest word: the others give way.
  assert.deepEqual(fitWidths([22, 16, 30], 60, [22, 16, 10]), [22, 16, 12]);
  assert.deepEqual(fitWidths([30, 30], 40, [20, 5]), [20, 13]);
});

test('wrapping breaks at spaces and after , and ; only: a JID, an IP, a number or a header is never cut', () => {
  assert.deepEqual(wrapCell(['alice@localhost/laptop and bob@localhost'], 24), ['alice@localhost/laptop', 'and bob@localhost']);
  assert.deepEqual(wrapCell(['::ffff:127.0.0.1'], 5), ['::ffff:127.0.0.1'], 'wider than asked rather than cut');
  assert.deepEqual(wrapCell(['[moderator,participant,visitor]'], 14), ['[moderator,', 'participant,', 'visitor]']);
  assert.deepEqual(wrapCell(['a;b c'], 3), ['a;b', 'c']);
  assert.deepEqual(unbreakableWidth(['Back "soon", maybe there', 'x']), 7);
  assert.deepEqual(unbreakableWidth(['192.0.2.10']), 10);
});

test('a table that cannot fit without cutting a word is laid out vertically; -o vertical forces it', () => {
  const s = spec('connected_users_info');
  const value = fixtures.connected_users_info;
  const wide = joinChunks(formatTable(s, value, { color: false, width: 200, pretty: false }));
  assert.match(wide, /^┌/);
  for (const width of [80, 100]) {
    const out = joinChunks(formatTable(s, value, { color: false, width, pretty: false }));
    const lines = out.trimEnd().split('\n');
    assert.equal(lines[0], '-[ RECORD 1 ]-');
    assert.equal(lines[1], 'jid:        alice@localhost/laptop');
    assert.equal(lines[3], 'ip:         ::ffff:127.0.0.1');
    assert.equal(lines.filter((l) => l.startsWith('-[ RECORD ')).length, 3);
    assert.ok(lines.every((l) => displayWidth(l) <= width), out);
  }
  const forced = joinChunks(formatTable(s, value, { color: false, width: Infinity, pretty: false }, 'vertical'));
  assert.equal(forced, joinChunks(formatTable(s, value, { color: false, width: 80, pretty: false })));
  // One record: field: value lines, no record header; long values wrap under the value.
  const record = joinChunks(formatTable(spec('get_last'), fixtures.get_last, { color: false, width: 20, pretty: false }, 'vertical'));
  assert.equal(record, 'timestamp: 2017-07-14T02:40:00Z\nstatus:    Gone\n           fishing,\n           back at 5\n');
});

test('display width: wide characters and emoji take two columns; wrapping exceeds the width only for a word wider than it', () => {
  assert.equal(displayWidth('abc'), 3);
  assert.equal(displayWidth('日本'), 4);
  assert.equal(displayWidth('😀'), 2);
  assert.equal(displayWidth('Zoë'), 3);
  for (const text of ['Grüße aus 日本 😀 und mehr', 'Back "soon", maybe there', 'x'.repeat(50)]) {
    for (const width of [2, 3, 7, 12]) {
      const lines = wrapCell([text], width);
      assert.ok(lines.every((l) => displayWidth(l) <= Math.max(width, unbreakableWidth([l]))), `${text} at ${width}: ${JSON.stringify(lines)}`);
      const words = text.split(' ').filter((w) => !/[,;]/.test(w));
      assert.ok(words.every((w) => lines.some((l) => l.split(' ').includes(w))), `a word was cut: ${JSON.stringify(lines)}`);
      assert.equal(lines.join('').replace(/ /g, ''), text.replace(/ /g, ''), 'nothing lost but the spaces it broke at');
    }
  }
});

test('a terminal gets a table by default only for a list of records or a record', () => {
  const expected = { get_room_affiliations: true, connected_users_info: true, get_last: true, get_room_options: true, get_user_subscriptions: true, registered_users: false, stats: false, get_vcard: false, register: false, check_account: false };
  for (const [name, table] of Object.entries(expected)) assert.equal(prefersTable(spec(name).result.type), table, name);
});

// What Erlang/OTP's io_lib:format("~p", [list_to_atom(S)]) printed for each S (OTP 25 of 23.01
// and 24.12, and OTP 29 of 26.07, alike): ejabberdctl prints results declared as atoms so.
test('atoms in results print in text as ejabberdctl prints them: quoted only when Erlang must quote them', async () => {
  const { erlangAtom } = await import('../dist/format/text.js');
  const written = [
    ['ectl-x@localhost', "'ectl-x@localhost'"], ['ok', 'ok'], ['a b', "'a b'"], ["it's", "'it\\'s'"],
    ['back\\slash', "'back\\\\slash'"], ['nl\nx', "'nl\\nx'"], ['\x01\x02\x1b\x7f\x07\b\t\v\f\r', "'\\001\\002\\e\\d\\007\\b\\t\\v\\f\\r'"],
    ['Caps', "'Caps'"], ['end', "'end'"], ['and', "'and'"], ['receive', "'receive'"], ['', "''"], ['x.y', "'x.y'"],
    ['a@b.c', "'a@b.c'"], ['_u', "'_u'"], ['a1', 'a1'], ['ectl2607@localhost', 'ectl2607@localhost'], ['\u65e5', "'\\x{65E5}'"],
  ];
  for (const [atom, erlang] of written) assert.equal(erlangAtom(atom), erlang, JSON.stringify(atom));
  // Only the values declared as atoms: list_cluster's nodes, an affiliation in a tuple; not strings.
  assert.equal(formatText(spec('list_cluster'), ['ectl-a@h', 'b@h']), "'ectl-a@h'\nb@h");
  assert.equal(formatText(spec('get_room_affiliations'), [{ username: 'it-s', domain: 'x-y', affiliation: 'owner', reason: 'a-b' }]), 'it-s\tx-y\towner\ta-b');
  assert.equal(formatText(spec('registered_users'), ['with-hyphen']), 'with-hyphen');
});

test("srg_get_info's displayed_groups: the Erlang list ejabberdctl prints (~p), filled into lines of 78 columns when long", () => {
  const srgInfo = spec('srg_get_info');
  const info = (display) => [{ key: 'label', value: 'L' }, { key: 'displayed_groups', value: display }, { key: 'description', value: 'a\nb' }];
  // What the API sends and what ejabberdctl 24.12 printed for the same group (recorded on the test server).
  const names = Array.from({ length: 8 }, (_, i) => `p21longgroupname${i}x`);
  assert.equal(formatText(srgInfo, info(names.join('\n, \n'))),
    'label\tL\ndisplayed_groups\t["p21longgroupname0x",", ","p21longgroupname1x",", ","p21longgroupname2x",\n'
    + ' ", ","p21longgroupname3x",", ","p21longgroupname4x",", ",\n'
    + ' "p21longgroupname5x",", ","p21longgroupname6x",", ","p21longgroupname7x"]\ndescription\ta\nb');
  const one = (display) => formatText(srgInfo, [{ key: 'displayed_groups', value: display }]);
  assert.equal(one(''), 'displayed_groups\t[]');
  assert.equal(one('a\nb'), 'displayed_groups\t["a","b"]');
  // Quotes and backslashes escaped; UTF-8 kept, its bytes counted; a byte Erlang cannot print makes a list of bytes.
  assert.equal(one('q"u\\o\npü\nxā'), 'displayed_groups\t["q\\"u\\\\o","pü",[120,196,129]]');
  // 78 columns fit on one line, 79 do not.
  assert.equal(one(`${'a'.repeat(69)}\nbb`), `displayed_groups\t["${'a'.repeat(69)}","bb"]`);
  assert.equal(one(`${'a'.repeat(70)}\nbb`), `displayed_groups\t["${'a'.repeat(70)}",\n "bb"]`);
});
