// Batch lines about the same account, room or shared roster group run in input order, one at a
// time, whatever -j; other lines still run beside them (issue 12, item 6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ectl, cleanEnv, recordingServer, uniqueName, plausibleReply } from './helpers.mjs';
import { conflictKeys } from '../dist/cli/batch-keys.js';
import { KeyedQueue } from '../dist/cli/keyed-queue.js';
import { entryFor, specFor } from '../dist/catalogue/releases.js';

const spec = (name, release = '26.07', apiVersion) => specFor(entryFor(name), release, apiVersion);

test('keys come from the argument names of the definition in use, in every release', () => {
  assert.deepEqual(conflictKeys(spec('register'), { user: 'Bob', host: 'LocalHost', password: 'x' }), ['account:bob@localhost']);
  assert.deepEqual(conflictKeys(spec('get_roster', '23.01'), { user: 'bob', server: 'localhost' }), ['account:bob@localhost']);
  // The roster's owner is keyed, not the contact (many lines adding one contact stay concurrent).
  assert.deepEqual(conflictKeys(spec('add_rosteritem', '23.01'), { localuser: 'ann', localhost: 'h', user: 'bob', host: 'h', nick: 'B', group: 'g', subs: 'both' }), ['account:ann@h']);
  // 23.01's room `name`, 24.12's `room`, and v3's user+host beside the room.
  assert.deepEqual(conflictKeys(spec('destroy_room', '23.01'), { name: 'r1', service: 'conference.h' }), ['room:r1@conference.h']);
  assert.deepEqual(conflictKeys(spec('destroy_room', '24.12'), { room: 'R1', service: 'conference.h' }), ['room:r1@conference.h']);
  assert.deepEqual(conflictKeys(spec('set_room_affiliation', '23.01'), { name: 'r1', service: 'c.h', jid: 'bob@h', affiliation: 'member' }).sort(), ['account:bob@h', 'room:r1@c.h']);
  assert.deepEqual(conflictKeys(spec('set_room_affiliation', '24.12'), { room: 'r1', service: 'c.h', user: 'bob', host: 'h', affiliation: 'member' }).sort(), ['account:bob@h', 'room:r1@c.h']);
  // JIDs: a full JID counts as its bare JID; a room JID on its own; JIDs inside a list argument.
  assert.deepEqual(conflictKeys(spec('subscribe_room', '23.01'), { user: 'bob@h/phone', nick: 'b', room: 'r1@c.h', nodes: 'n' }).sort(), ['account:bob@h', 'room:r1@c.h']);
  assert.deepEqual(conflictKeys(spec('subscribe_room_many', '23.01'), { users: [{ user: 'a@h', nick: 'a' }, { user: 'b@h', nick: 'b' }], room: 'r1@c.h', nodes: 'n' }).sort(), ['account:a@h', 'account:b@h', 'room:r1@c.h']);
  assert.deepEqual(conflictKeys(spec('send_message'), { type: 'chat', from: 'a@h', to: 'b@h/r', subject: '', body: 'x' }), ['account:b@h']);
  // Shared roster groups: group and host, or group and grouphost beside an account.
  assert.deepEqual(conflictKeys(spec('srg_create', '23.01'), { group: 'Team', host: 'h', label: 'l', description: 'd', display: '' }), ['group:team@h']);
  assert.deepEqual(conflictKeys(spec('srg_user_add'), { user: 'bob', host: 'h', group: 'team', grouphost: 'g.h' }).sort(), ['account:bob@h', 'group:team@g.h']);
  // Nothing to key: may run beside anything.
  assert.deepEqual(conflictKeys(spec('status'), {}), []);
  assert.deepEqual(conflictKeys(spec('registered_users'), { host: 'h' }), []);
  assert.deepEqual(conflictKeys(spec('get_vcard'), { user: 'bob', host: 'h', name: 'FN' }), ['account:bob@h']);
});

test('KeyedQueue: same key in order and one at a time, other keys beside, never above the limit', async () => {
  const queue = new KeyedQueue(3);
  const log = [];
  let running = 0;
  let peak = 0;
  const task = (name, ms) => async () => {
    running++;
    peak = Math.max(peak, running);
    log.push(`start ${name}`);
    await new Promise((r) => setTimeout(r, ms));
    log.push(`end ${name}`);
    running--;
    return name;
  };
  const results = await Promise.all([
    queue.run(['a'], task('a1', 40)),
    queue.run(['a'], task('a2', 5)),
    queue.run(['b'], task('b1', 5)),
    queue.run(['a', 'b'], task('ab', 5)),
    queue.run([], task('x1', 5)),
    queue.run([], task('x2', 5)),
    queue.run([], task('x3', 5)),
  ]);
  assert.deepEqual(results, ['a1', 'a2', 'b1', 'ab', 'x1', 'x2', 'x3']);
  assert.ok(peak <= 3, `peak ${peak}`);
  const at = (s) => log.indexOf(s);
  assert.ok(at('end a1') < at('start a2'), log.join(', '));
  assert.ok(at('end a2') < at('start ab') && at('end b1') < at('start ab'), log.join(', '));
  // b1 and the keyless lines did not wait for a1.
  assert.ok(at('start b1') < at('end a1') && at('start x1') < at('end a1'), log.join(', '));
});

test('on the wire: lines about one account never overlap and keep input order; others overlap (-j 8)', async () => {
  const inflight = new Map();
  const overlaps = [];
  let peak = 0;
  let open = 0;
  const order = [];
  const server = await recordingServer((req, body, res) => {
    const args = JSON.parse(body);
    const key = args.user ? `${args.user}@${args.host}` : null;
    if (key) {
      if (inflight.get(key)) overlaps.push(key);
      inflight.set(key, true);
      order.push(`${key} ${req.url.split('/').pop()} ${args.content ?? ''}`);
    }
    open++;
    peak = Math.max(peak, open);
    setTimeout(() => {
      if (key) inflight.set(key, false);
      open--;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(plausibleReply(req.url)));
    }, 300); // long enough for a loaded machine to send every line that may go
  });
  try {
    const users = ['u1', 'u2', 'u3'];
    const lines = [];
    for (const u of users) lines.push(`set_vcard ${u} h FN one`, `set_vcard ${u} h FN two`, `set_vcard ${u} h FN three`);
    for (let i = 0; i < 6; i++) lines.push(`registered_users h${i}`); // no account, room or group: keyless
    const r = await ectl(['batch', '-j', '8'], { input: lines.join('\n'), env: cleanEnv({ ECTL_URL: server.url }) });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(overlaps, []);
    for (const u of users) assert.deepEqual(order.filter((o) => o.startsWith(`${u}@`)), ['one', 'two', 'three'].map((c) => `${u}@h set_vcard ${c}`));
    assert.ok(peak >= 6, `only ${peak} requests at once: independent lines should run together`);
  } finally {
    await server.close();
  }
});

test('real server: register / set_vcard / set_vcard / get_vcard / unregister for 12 users at -j 8 is the sequential result', async () => {
  const p = uniqueName('bo');
  const users = Array.from({ length: 12 }, (_, i) => `${p}n${i}`);
  const script = (u) => [`register ${u} localhost pw`, `set_vcard ${u} localhost FN first`, `set_vcard ${u} localhost FN 'second ${u}'`, `get_vcard ${u} localhost FN`, `unregister ${u} localhost`];
  const input = users.flatMap(script).join('\n');
  const expected = users.flatMap((u, i) => {
    const n = i * 5;
    return [`${n + 1}: User ${u}@localhost successfully registered`, `${n + 4}: second ${u}`];
  }).join('\n') + '\n';
  const r = await ectl(['batch', '-j', '8'], { input });
  assert.equal(r.stderr, '60 ok, 0 failed\n');
  assert.equal(r.stdout, expected);
  // The sequential run (-j 1) on the same input gives the same bytes.
  const seq = await ectl(['batch', '-j', '1'], { input });
  assert.equal(seq.stdout, r.stdout);
  assert.equal(seq.stderr, r.stderr);
  const left = await ectl(['check_account', users[0], 'localhost']);
  assert.equal(left.code, 1, 'unregistered at the end');
});

test('real server: two `register u1` lines at -j 4 leave one working account', async () => {
  const u = uniqueName('br');
  const r = await ectl(['batch', '-j', '4'], { input: `register ${u} localhost pw1\nregister ${u} localhost pw2\ncheck_password ${u} localhost pw1\n` });
  assert.equal(r.stdout, `1: User ${u}@localhost successfully registered\n`);
  assert.match(r.stderr, /^line 2: Error: .*already registered/m);
  assert.match(r.stderr, /2 ok, 1 failed\n$/);
  for (const args of [['check_password', u, 'localhost', 'pw1'], ['get_roster', u, 'localhost'], ['unregister', u, 'localhost']]) {
    const c = await ectl(args);
    assert.equal(c.code, 0, `${args[0]}: ${c.stderr}`);
  }
});
