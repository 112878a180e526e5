// Invisible characters (format characters such as the bidi controls, zero-width characters, the
// BOM, the soft hyphen, tag characters, separators, lone surrogates, a run of variation
// selectors) are escaped in every human format, as control characters are, and written as \u
// escapes in JSON; ordinary text (letters, CJK, emoji sequences, flags, Persian with its
// zero-width non-joiner) stays byte for byte. A loopback server sends them in every place; the
// real servers keep them in a vCard field that is read back through every -o format.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import { ECTL, cleanEnv, ectl, liveServers, recordingServer, uniqueName } from './helpers.mjs';

/** Each invisible character and how ectl writes it in text (JSON writes \uXXXX, or a surrogate pair). */
const INVISIBLE = [
  ['\u202e', '\\u202e'], ['\u2066', '\\u2066'], ['\u2069', '\\u2069'], ['\u200b', '\\u200b'], ['\ufeff', '\\ufeff'],
  ['\u00ad', '\\xad'], ['\u2028', '\\u2028'], ['\u2060', '\\u2060'], ['\u{e0041}', '\\u{e0041}'], ['\u3164', '\\u3164'],
];
const ORDINARY = ['Zoë', '漢字', '👩\u200d💻', '🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}', '❤\ufe0f', 'می\u200cخواهم'];
const VALUE = `pay${INVISIBLE.map(([c]) => c).join('x')} ${ORDINARY.join(' ')}`;
const RAW = new RegExp(`[${INVISIBLE.map(([c]) => c).join('')}]|[^\\u200c\\u200d\\ufe0f\\u{e0062}-\\u{e007f}\\P{Default_Ignorable_Code_Point}]`, 'u');

/** No invisible character of the list raw, and every ordinary piece as it is. */
function assertSafeText(text, what, { ordinary = true } = {}) {
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: the joiners and U+FE0F are removed one by one
  const found = RAW.exec(text.replace(/[\u200c\u200d\ufe0f]/g, ''));
  assert.equal(found, null, `${what}: a raw invisible character U+${found?.[0].codePointAt(0).toString(16)}:\n${JSON.stringify(text)}`);
  for (const [c, shown] of INVISIBLE) assert.ok(text.includes(shown) || text.includes(`\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) || text.includes('\ufffd'), `${what}: ${shown} not shown escaped:\n${text}`);
  if (ordinary) for (const o of ORDINARY) assert.ok(text.includes(o), `${what}: ordinary text ${JSON.stringify(o)} changed:\n${JSON.stringify(text)}`);
}

/** Runs ectl with its standard output on a pseudo-terminal (util-linux script). */
function onTerminal(args, env) {
  return new Promise((resolve) => {
    const cmd = [ECTL, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...env, TERM: 'dumb' } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
    child.on('close', (code) => resolve({ code, out: out.replace(/\r\n/g, '\n') }));
    child.stdin.end();
  });
}

let server;
let env;
before(async () => {
  server = await recordingServer((req, body, res) => {
    const command = req.url.split('/').pop();
    const reply = (status, value) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(value)); };
    if (command === 'get_vcard') return reply(200, { content: VALUE });
    if (command === 'connected_users_info') return reply(200, [{ jid: `a@b/${VALUE}`, connection: 'c2s', ip: '::1', port: 1, priority: 0, node: 'n', uptime: 1, status: 'available', resource: VALUE, statustext: VALUE }]);
    if (command === 'status') return reply(200, 'The node ejabberd@localhost is started. Status: startedejabberd 23.01 is running in that node');
    return reply(409, { status: 'error', code: 10, message: VALUE });
  });
  env = cleanEnv({ ECTL_URL: server.url, ECTL_USER: 'admin@localhost', ECTL_PASSWORD: 'invisible-pw-secret' });
});
after(() => server.close());

test('a hostile server: invisible characters escaped in Error:, -v, batch, doctor, on a terminal, tables, vertical and YAML; \\u in JSON', async () => {
  const failed = await ectl(['register', 'bob', 'localhost', 'pw1234'], { env });
  assert.equal(failed.code, 1);
  assertSafeText(failed.stderr, 'Error: line');
  const verbose = await ectl(['-v', 'get_vcard', 'bob', 'localhost', 'FN'], { env });
  assertSafeText(verbose.stderr, '-v');
  const batch = await ectl(['batch'], { env, input: 'register bob localhost pw1234\n' });
  assertSafeText(batch.stderr, 'batch report');
  const doctor = await ectl(['doctor'], { env });
  assertSafeText(doctor.stdout + doctor.stderr, 'doctor', { ordinary: false });
  for (const format of ['table', 'vertical', 'yaml', 'csv', 'tsv']) {
    const r = await ectl(['-o', format, '--no-color', 'connected_users_info'], { env: { ...env, COLUMNS: '2000' } });
    assert.equal(r.code, 0, r.stderr);
    if (format === 'csv' || format === 'tsv') continue; // byte for byte into a pipe, as ejabberdctl; escaped on a terminal (below)
    assertSafeText(r.stdout, `-o ${format}`);
  }
  const json = await ectl(['-o', 'json', 'connected_users_info'], { env });
  assert.doesNotMatch(json.stdout, RAW, '-o json holds a raw invisible character');
  assert.equal(JSON.parse(json.stdout)[0].statustext, VALUE, 'JSON keeps the value exactly, as escapes');
  assert.match(json.stdout, /\\u202e.*\\udb40\\udc41/);
  for (const format of ['text', 'csv', 'tsv', 'table', 'vertical']) {
    const t = await onTerminal(['-o', format, '--no-color', 'connected_users_info'], { ...env, COLUMNS: '2000' });
    assert.equal(t.code, 0, t.out);
    assertSafeText(t.out, `-o ${format} on a terminal`);
  }
  // Into a pipe, text is what ejabberdctl prints: the value byte for byte.
  const piped = await ectl(['get_vcard', 'bob', 'localhost', 'FN'], { env });
  assert.equal(piped.stdout, `${VALUE}\n`);
});

test('real servers: a vCard field holding invisible characters reads back escaped in every human format, exactly in JSON and text into a pipe', async () => {
  for (const s of liveServers()) {
    const user = uniqueName('invis');
    const reg = s.ejabberdctl('register', user, s.host, 'invisible-pw-1');
    assert.equal((await reg).code ?? 0, 0);
    try {
      const set = await ectl(['set_vcard', user, s.host, 'FN', VALUE], { env: s.env() });
      assert.equal(set.code, 0, `${s.release}: ${set.stderr}`);
      const text = await ectl(['get_vcard', user, s.host, 'FN'], { env: s.env() });
      assert.equal(text.code, 0, text.stderr);
      const oracle = await s.ejabberdctl('get_vcard', user, s.host, 'FN');
      // Later releases' ejabberdctl writes characters beyond Latin-1 as \x{...}; where it writes UTF-8 ectl matches it.
      if (!oracle.stdout.includes('\\x{')) assert.equal(text.stdout, oracle.stdout, `${s.release}: text into a pipe is ejabberdctl's, byte for byte`);
      assert.equal(text.stdout, `${VALUE}\n`);
      const json = await ectl(['-o', 'json', 'get_vcard', user, s.host, 'FN'], { env: s.env() });
      assert.doesNotMatch(json.stdout, RAW, `${s.release}: -o json`);
      const parsed = JSON.parse(json.stdout);
      assert.equal(typeof parsed === 'string' ? parsed : Object.values(parsed)[0], VALUE, `${s.release}: JSON reads back exactly`);
      const yaml = await ectl(['-o', 'yaml', 'get_vcard', user, s.host, 'FN'], { env: s.env() });
      assertSafeText(yaml.stdout, `${s.release}: -o yaml`);
      const back = parseYaml(yaml.stdout);
      assert.equal(typeof back === 'string' ? back : Object.values(back)[0], VALUE, `${s.release}: YAML reads back exactly`);
      for (const format of ['table', 'vertical']) {
        const r = await ectl(['-o', format, '--no-color', 'get_vcard', user, s.host, 'FN'], { env: s.env({ COLUMNS: '2000' }) });
        assert.equal(r.code, 0, r.stderr);
        assertSafeText(r.stdout, `${s.release}: -o ${format}`);
      }
      const tty = await onTerminal(['get_vcard', user, s.host, 'FN'], s.env());
      assertSafeText(tty.out, `${s.release}: text on a terminal`);
    } finally {
      await s.ejabberdctl('unregister', user, s.host);
    }
  }
});
