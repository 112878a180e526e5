// The exact requests ectl sends, recorded by a local HTTP server: commands that would harm the
// real test server, list/tuple shorthand and JSON, auth headers, aliases and API versions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ectl, cleanEnv, recordingServer } from './helpers.mjs';

let server;
before(async () => { server = await recordingServer(); });
after(() => server.close());

// The release is given: these are 23.01's requests, and nothing asks the server which it runs.
async function sent(args, extraEnv = {}) {
  const n = server.requests.length;
  const r = await ectl(args, { env: cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: '23.01', ...extraEnv }) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(server.requests.length, n + 1, 'exactly one request');
  const req = server.requests[n];
  return { ...req, json: req.method === 'POST' ? JSON.parse(req.body) : undefined };
}

// Commands that stop, wipe or rewrite the server: only their request is checked.
const harmful = [
  [['stop'], 'stop', {}],
  [['restart'], 'restart', {}],
  [['stop_kindly', '60', 'Back soon'], 'stop_kindly', { delay: 60, announcement: 'Back soon' }],
  [['restore', '/var/backups/ejabberd.bak'], 'restore', { file: '/var/backups/ejabberd.bak' }],
  [['delete_mnesia', 'example.com'], 'delete_mnesia', { host: 'example.com' }],
  [['mnesia_change_nodename', 'a@h', 'b@h', 'in.bak', 'out.bak'], 'mnesia_change_nodename', { oldnodename: 'a@h', newnodename: 'b@h', oldbackup: 'in.bak', newbackup: 'out.bak' }],
  [['leave_cluster', 'ejabberd@other'], 'leave_cluster', { node: 'ejabberd@other' }],
  [['join_cluster', 'ejabberd@other'], 'join_cluster', { node: 'ejabberd@other' }],
  [['install_fallback', '/tmp/x.bak'], 'install_fallback', { file: '/tmp/x.bak' }],
  [['load', '/tmp/dump.txt'], 'load', { file: '/tmp/dump.txt' }],
  [['delete_old_users', '365'], 'delete_old_users', { days: 365 }],
  [['delete-old-messages', '0'], 'delete_old_messages', { days: 0 }],
  [['set_master', 'self'], 'set_master', { nodename: 'self' }],
];

for (const [args, command, body] of harmful) {
  test(`${args.join(' ')} sends POST /api/${command} with ${JSON.stringify(body)}`, async () => {
    const req = await sent(args);
    assert.equal(req.method, 'POST');
    assert.equal(req.url, `/api/${command}`);
    assert.equal(req.headers['content-type'], 'application/json');
    assert.deepEqual(req.json, body);
  });
}

test('register sends the named arguments in a JSON body', async () => {
  const req = await sent(['register', 'bob', 'example.com', 'secret']);
  assert.equal(req.body, '{"user":"bob","host":"example.com","password":"secret"}');
});

test('list of tuples: shorthand and JSON give the same body', async () => {
  const a = await sent(['create_room_with_opts', 'r', 'conference.example.com', 'example.com', 'members_only:true,persistent:true']);
  const b = await sent(['create_room_with_opts', 'r', 'conference.example.com', 'example.com', '[{"name":"members_only","value":"true"},{"name":"persistent","value":"true"}]']);
  const expected = [{ name: 'members_only', value: 'true' }, { name: 'persistent', value: 'true' }];
  assert.deepEqual(a.json.options, expected);
  assert.deepEqual(b.json.options, expected);
});

test('a tuple field keeps the rest of its text after the last separator; backslash escapes', async () => {
  // affiliations as a room option: from 23.04 (23.01 refuses it, and so does ectl for 23.01).
  const a = await sent(['create_room_with_opts', 'r', 'c.example.com', 'example.com', 'affiliations:owner:bob@example.com,title:a\\,b'], { ECTL_RELEASE: '23.04' });
  assert.deepEqual(a.json.options, [{ name: 'affiliations', value: 'owner:bob@example.com' }, { name: 'title', value: 'a,b' }]);
});

test('list of two-field tuples (subscribe_room_many users) and list of scalars (set_vcard2_multi)', async () => {
  const a = await sent(['subscribe_room_many', 'a@example.com:Ann,b@example.com:Bo', 'r@conference.example.com', 'urn:xmpp:mucsub:nodes:messages']);
  assert.deepEqual(a.json.users, [{ jid: 'a@example.com', nick: 'Ann' }, { jid: 'b@example.com', nick: 'Bo' }]);
  const b = await sent(['set_vcard2_multi', 'bob', 'example.com', 'TEL', 'NUMBER', '+1 555,+2 666']);
  assert.deepEqual(b.json.contents, ['+1 555', '+2 666']);
  const c = await sent(['set_vcard2_multi', 'bob', 'example.com', 'TEL', 'NUMBER', '["x,y"]']);
  assert.deepEqual(c.json.contents, ['x,y']);
});

test('string arguments are sent literally, backslashes and commas included', async () => {
  const req = await sent(['change_password', 'bob', 'example.com', 'a\\,b:c']);
  assert.equal(req.json.newpass, 'a\\,b:c');
});

test('Basic auth only when a user is set; a token is sent as Bearer', async () => {
  const none = await sent(['status']);
  assert.equal(none.headers.authorization, undefined);
  const basic = await sent(['status'], { ECTL_USER: 'admin@example.com', ECTL_PASSWORD: 'pw' });
  assert.equal(basic.headers.authorization, `Basic ${Buffer.from('admin@example.com:pw').toString('base64')}`);
  const bearer = await sent(['status'], { ECTL_TOKEN: 'tok123' });
  assert.equal(bearer.headers.authorization, 'Bearer tok123');
});

test('flags beat the environment', async () => {
  const req = await sent(['--user', 'flag@example.com', 'status'], { ECTL_USER: 'env@example.com', ECTL_PASSWORD: 'pw' });
  assert.equal(req.headers.authorization, `Basic ${Buffer.from('flag@example.com:pw').toString('base64')}`);
});

test('from 24.02 the API version of the definition follows the command in the path; before, none', async () => {
  assert.equal((await sent(['registered_users', 'example.com'], { ECTL_RELEASE: '24.12' })).url, '/api/registered_users/v0');
  assert.equal((await sent(['--api-version', '0', 'registered_users', 'example.com'], { ECTL_RELEASE: '26.07' })).url, '/api/registered_users/v0');
  assert.equal((await sent(['--api-version', '2', 'registered_users', 'example.com'])).url, '/api/registered_users');
  assert.equal((await sent(['--release', '23.10', 'registered_users', 'example.com'], { ECTL_RELEASE: '26.07' })).url, '/api/registered_users');
});

// Their args_rename turns host into service before the arguments are read, so their host can
// only come as a second `host` of a query (the first is renamed); a JSON object cannot hold both.
test('muc_register_nick and muc_unregister_nick v3 (24.12 on) are a GET naming host twice: the service, then the host', async () => {
  const a = await sent(['muc_register_nick', 'Tim nick', 'tim', 'example.org', 'conference.example.org'], { ECTL_RELEASE: '24.12' });
  assert.equal(a.method, 'GET');
  assert.equal(a.body, '');
  assert.equal(a.headers['content-type'], undefined);
  assert.equal(a.url, '/api/muc_register_nick/v3?host=conference.example.org&nick=Tim%20nick&user=tim&host=example.org');
  const b = await sent(['muc_unregister_nick', 'tim&x=1', 'example.org', 'conference.example.org'], { ECTL_RELEASE: '26.07' });
  assert.equal(b.url, '/api/muc_unregister_nick/v3?host=conference.example.org&user=tim%26x%3D1&host=example.org');
  // The JID definition (24.12's v0, all of 23.01) is a POST as usual.
  const c = await sent(['--api-version', '0', 'muc_unregister_nick', 'tim@example.org', 'conference.example.org'], { ECTL_RELEASE: '24.12' });
  assert.equal(c.method, 'POST');
  assert.deepEqual(c.json, { jid: 'tim@example.org', service: 'conference.example.org' });
});

test('--dry-run shows such a GET and an equivalent curl command', async () => {
  const r = await ectl(['--dry-run', 'muc_unregister_nick', 'tim', 'example.org', 'conference.example.org'], { env: cleanEnv({ ECTL_URL: 'http://127.0.0.1:9/api', ECTL_RELEASE: '26.07', ECTL_USER: 'admin@example.org', ECTL_PASSWORD: 'pw-dry-1' }) });
  assert.equal(r.code, 0, r.stderr);
  const url = 'http://127.0.0.1:9/api/muc_unregister_nick/v3?host=conference.example.org&user=tim&host=example.org';
  assert.equal(r.stdout, `GET ${url}\naccept: application/json\nauthorization: Basic ***\n\ncurl -sS -u 'admin@example.org':"$ECTL_PASSWORD" '${url}'\n`);
});

test("ejabberd's @all@ and @online@ are sent literally, not read as files", async () => {
  const a = await sent(['srg_user_add', '@all@', 'example.com', 'g', 'example.com']);
  assert.equal(a.json.user, '@all@');
  const b = await sent(['srg_user_add', '@online@', 'example.com', 'g', 'example.com']);
  assert.equal(b.json.user, '@online@');
});
