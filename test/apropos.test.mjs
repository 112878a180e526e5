// Help that teaches: `ectl help -k` finds commands by what they do, `ectl help batch` explains
// batch mode; the batch example's lines run as written on the real server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ectl, uniqueName, liveServers, showRun, cleanEnv } from './helpers.mjs';

test('ectl help -k delete account finds unregister and delete_old_users', async () => {
  const r = await ectl(['help', '-k', 'delete', 'account'], { env: cleanEnv() });
  assert.equal(r.code, 0, showRun(r));
  assert.match(r.stdout, /^Commands about 'delete account':\n/);
  assert.match(r.stdout, /^  unregister +Delete an account/m);
  assert.match(r.stdout, /^  delete_old_users +/m);
  assert.doesNotMatch(r.stdout, /^  registered_users /m);
  const none = await ectl(['help', '-k', 'xyzzy'], { env: cleanEnv() });
  assert.equal(none.code, 2, showRun(none));
  assert.match(none.stderr, /^Error: no command is about 'xyzzy'/);
});

test('ectl help batch documents line syntax, JSON Lines, -j, ordering and has an example', async () => {
  const r = await ectl(['help', 'batch'], { env: cleanEnv() });
  assert.equal(r.code, 0, showRun(r));
  for (const part of [/^Usage: ectl batch/m, /JSON Lines/, /-j N lines are in flight/, /same account \(user\s+and host\)/, /input order/, /^Example:\n  printf/m]) assert.match(r.stdout, part);
  const b = await ectl(['batch', '--help'], { env: cleanEnv() });
  assert.equal(b.code, 0, showRun(b));
  assert.ok(b.stdout.includes(r.stdout.slice(r.stdout.indexOf('Input, one command'))), showRun(b));
});

const s = liveServers()[0];
const u = uniqueName('bh');
after(() => s.ejabberdctlAsync('unregister', u, s.host));
test("the batch help's lines (words and JSON Lines) run on the server", async () => {
  const input = [`register ${u} ${s.host} @-`].join('\n');
  const reg = await ectl(['register', u, s.host, '@-'], { env: s.env(), input: 'bh-pw-1\n' });
  assert.equal(reg.code, 0, showRun(reg) + input);
  const lines = [
    `set_vcard ${u} ${s.host} FN Ann`,
    `{"command":"get_vcard","args":["${u}","${s.host}","FN"]}`,
    `{"command":"get_vcard","args":{"user":"${u}","host":"${s.host}","name":"FN"}}`,
  ].join('\n');
  const r = await ectl(['batch', '-j', '8'], { env: s.env(), input: `${lines}\n` });
  assert.equal(r.code, 0, showRun(r));
  assert.equal(r.stdout, '2: Ann\n3: Ann\n');
});
