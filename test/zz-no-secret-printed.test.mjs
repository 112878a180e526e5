// The last test of the suite: every stream the secret-handling tests captured (recorded by
// helpers.mjs's ectl() when given `secrets`) is searched for every password, token, cookie and
// room password any of them used, as typed and in the encodings ectl could have written them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ectl, ejabberdctl, liveEnv, STREAMS_DIR } from './helpers.mjs';

function readRecords() {
  if (!existsSync(STREAMS_DIR)) return [];
  return readdirSync(STREAMS_DIR).flatMap((f) => readFileSync(join(STREAMS_DIR, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
}

const jsonEscaped = (s) => JSON.stringify(s).slice(1, -1);
const lowerHex = (s) => s.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
const html = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The forms a secret could take in output, as ectl or a server echoing it could write it: as is,
 * JSON-escaped (once, or inside JSON again), URL-encoded (either case of hex, or twice), as HTML,
 * and in Base64 (alone or as Basic user:secret; padding dropped; also URL-encoded, as a query
 * or a JSON string would carry it).
 */
function forms(secret, users) {
  const base64s = [secret, ...users.map((u) => `${u}:${secret}`)].map((s) => Buffer.from(s).toString('base64').replace(/=+$/, ''));
  const out = [secret, jsonEscaped(secret), jsonEscaped(jsonEscaped(secret)), encodeURIComponent(secret), lowerHex(encodeURIComponent(secret)),
    encodeURIComponent(encodeURIComponent(secret)), html(secret), html(jsonEscaped(secret))];
  for (const b of base64s) out.push(b, encodeURIComponent(b), lowerHex(encodeURIComponent(b)), jsonEscaped(b), b.replace(/\+/g, '-').replace(/\//g, '_'));
  return [...new Set(out)];
}

/** Every place one of the records' secrets shows in one of their streams. */
export function findLeaks(records) {
  const secrets = [...new Set(records.flatMap((r) => r.secrets))];
  const users = [...new Set(records.map((r) => r.user).filter(Boolean))];
  const leaks = [];
  for (const r of records) {
    for (const [stream, text] of Object.entries(r.streams)) {
      for (const secret of secrets) {
        const form = forms(secret, users).find((f) => text.includes(f));
        if (form) leaks.push(`${r.test} ${stream}: a secret of ${secret.length} characters (as ${form === secret ? 'typed' : 'encoded'})`);
      }
    }
  }
  return leaks;
}

test('no captured output of the secret-handling tests holds any of their passwords, tokens or room passwords', () => {
  const records = readRecords();
  assert.ok(records.length > 0, `no streams recorded in ${STREAMS_DIR}: run this with the other tests (npm test)`);
  const secrets = new Set(records.flatMap((r) => r.secrets));
  assert.ok(secrets.size > 0, 'the recorded runs name no secrets');
  assert.deepEqual(findLeaks(records), []);
});

test('the search finds a secret that was printed: a real get_cookie, whose result is the cookie', async () => {
  const cookie = (await ejabberdctl('get_cookie')).stdout.trim();
  assert.ok(cookie.length >= 6, 'the test node has a cookie');
  const r = await ectl(['get_cookie'], { env: liveEnv() });
  assert.equal(r.code, 0, r.stderr);
  const record = { test: 'get_cookie', user: 'admin@localhost', secrets: [cookie], streams: { stdout: r.stdout, stderr: r.stderr } };
  assert.deepEqual(findLeaks([record]), [`get_cookie stdout: a secret of ${cookie.length} characters (as typed)`]);
  // And in an encoded form: the Basic credentials of a -v trace that forgot to hide them.
  const basic = { ...record, secrets: ['ectl-admin-pw-x'], streams: { stderr: `> authorization: Basic ${Buffer.from('admin@localhost:ectl-admin-pw-x').toString('base64')}\n` } };
  assert.equal(findLeaks([basic]).length, 1);
});

test('the search finds a secret in the spellings a server may echo it in: JSON inside JSON, lower-case or double percent-encoding, HTML, Base64 percent-encoded', () => {
  const secret = 'Echo-pw/+"é <x>';
  const basic = Buffer.from(`admin@localhost:${secret}`).toString('base64');
  const spellings = [JSON.stringify(JSON.stringify(secret)),
    lowerHex(encodeURIComponent(secret)), encodeURIComponent(encodeURIComponent(secret)), html(secret), encodeURIComponent(basic)];
  for (const text of spellings) {
    const record = { test: 'spelling', user: 'admin@localhost', secrets: [secret], streams: { stderr: `echo=${text}\n` } };
    assert.equal(findLeaks([record]).length, 1, `not found in ${text}`);
  }
});
