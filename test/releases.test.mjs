// The server's release: given (--release, ECTL_RELEASE, release:), or detected from `status`
// once and cached per URL; explicit API versions on the wire; commands a release lacks; help
// per release; ejabberdctl's text rules per release.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ectl, cleanEnv, live, liveServers, recordingServer, requireLiveServer, root, showRun, uniqueName } from './helpers.mjs';
import { formatText } from '../dist/format/text.js';
import { nestedListSeparator, specFor, entryFor } from '../dist/catalogue/releases.js';
import { createClient } from '../dist/index.js';

const tmp = join(root, 'test', '.tmp');
mkdirSync(tmp, { recursive: true });
const freshCache = () => mkdtempSync(join(tmp, 'release-cache-'));
const cacheOf = (dir) => JSON.parse(readFileSync(join(dir, 'ectl', 'releases.json'), 'utf8'));
const liveEnvWith = (extra) => cleanEnv({ ECTL_URL: live.url, ECTL_USER: live.admin, ECTL_PASSWORD: live.password, ECTL_RELEASE: null, ...extra });
const statusRequests = (stderr) => stderr.split('\n').filter((l) => /^> POST \S+\/status$/.test(l)).length;

let fake;
before(async () => {
  // Answers status without naming a release (what a server whose status the account may not call amounts to).
  fake = await recordingServer((req, body, res) => {
    const command = req.url.split('/')[2];
    if (command === 'muc_online_rooms_count') {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ status: 'error', code: 44, message: 'Command not found.' }));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(command === 'status' ? 'no release here' : 0));
  });
});
after(() => fake.close());

test('a bad --release, ECTL_RELEASE or release: is a usage error; nothing is sent', async () => {
  const n = fake.requests.length;
  const flag = await ectl(['--release', 'latest', 'status'], { env: cleanEnv({ ECTL_URL: fake.url, ECTL_RELEASE: null }) });
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /^Error: --release must be an ejabberd release like 24\.12 or 25\.03\.1, got 'latest'\n$/);
  const env = await ectl(['status'], { env: cleanEnv({ ECTL_URL: fake.url, ECTL_RELEASE: '24' }) });
  assert.equal(env.code, 2);
  assert.equal(fake.requests.length, n);
});

test('the release given by flag, environment or profile picks the definition and the path; nothing is asked', async () => {
  const dir = mkdtempSync(join(tmp, 'release-cfg-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `profiles:\n  old:\n    url: ${fake.url}\n    release: "23.01"\n  new:\n    url: ${fake.url}\n    release: "24.12"\n`);
  const env = cleanEnv({ ECTL_CONFIG: config, XDG_CACHE_HOME: freshCache(), ECTL_RELEASE: null });
  const n = fake.requests.length;
  const old = await ectl(['-P', 'old', '--dry-run', 'set_room_affiliation', 'r', 'conference.example.com', 'bob@example.com', 'member'], { env });
  assert.equal(old.code, 0, old.stderr);
  assert.match(old.stdout, /^POST http:\/\/127\.0\.0\.1:\d+\/api\/set_room_affiliation\n/);
  assert.match(old.stdout, /\{"name":"r","service":"conference\.example\.com","jid":"bob@example\.com","affiliation":"member"\}/);
  const recent = await ectl(['-P', 'new', '--dry-run', 'set_room_affiliation', 'r', 'conference.example.com', 'bob', 'example.com', 'member'], { env });
  assert.equal(recent.code, 0, recent.stderr);
  assert.match(recent.stdout, /^POST http:\/\/127\.0\.0\.1:\d+\/api\/set_room_affiliation\/v3\n/);
  assert.match(recent.stdout, /\{"room":"r","service":"conference\.example\.com","user":"bob","host":"example\.com","affiliation":"member"\}/);
  // The flag beats the profile, the old arguments with --api-version 0.
  const v0 = await ectl(['-P', 'new', '--release', '26.07', '--api-version', '0', '--dry-run', 'set_room_affiliation', 'r', 'c', 'bob@example.com', 'member'], { env });
  assert.equal(v0.code, 0, v0.stderr);
  assert.match(v0.stdout, /\/api\/set_room_affiliation\/v0\n/);
  const wrong = await ectl(['-P', 'old', 'set_room_affiliation', 'r', 'conference.example.com', 'bob', 'example.com', 'member'], { env });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /too many arguments/);
  assert.equal(fake.requests.length, n, 'nothing sent, not even status');
});

test('the real 23.01 server: detected once with status, cached per URL, then never asked again; none with --release', async () => {
  requireLiveServer();
  const cache = freshCache();
  const env = liveEnvWith({ XDG_CACHE_HOME: cache });
  const first = await ectl(['-v', 'registered_vhosts'], { env });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(statusRequests(first.stderr), 1, first.stderr);
  assert.match(first.stderr, /^\* ejabberd 23\.01 \(detected\), API v0$/m);
  assert.match(first.stderr, new RegExp(`^> POST ${live.url}/registered_vhosts$`, 'm'));
  assert.equal(cacheOf(cache)[live.url].release, '23.01');
  const second = await ectl(['-v', 'registered_vhosts'], { env });
  assert.equal(statusRequests(second.stderr), 0, second.stderr);
  assert.match(second.stderr, /^\* ejabberd 23\.01 \(cached\), API v0$/m);
  assert.equal(second.stdout, first.stdout);
  const given = await ectl(['-v', '--release', '23.01', 'registered_vhosts'], { env: liveEnvWith({ XDG_CACHE_HOME: freshCache() }) });
  assert.equal(statusRequests(given.stderr), 0);
  assert.match(given.stderr, /^\* ejabberd 23\.01 \(given\), API v0$/m);
});

test('an expired cache entry is detected again', async () => {
  requireLiveServer();
  const cache = freshCache();
  mkdirSync(join(cache, 'ectl'), { recursive: true });
  writeFileSync(join(cache, 'ectl', 'releases.json'), JSON.stringify({ [live.url]: { at: Date.now() - 2 * 86_400_000, release: '26.07' } }));
  const r = await ectl(['-v', 'registered_vhosts'], { env: liveEnvWith({ XDG_CACHE_HOME: cache }) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(statusRequests(r.stderr), 1);
  assert.equal(cacheOf(cache)[live.url].release, '23.01');
});

test('a reply that does not fit the cached release (an upgrade or downgrade) detects it again and resends', async () => {
  requireLiveServer();
  const cache = freshCache();
  mkdirSync(join(cache, 'ectl'), { recursive: true });
  writeFileSync(join(cache, 'ectl', 'releases.json'), JSON.stringify({ [live.url]: { at: Date.now(), release: '26.07' } }));
  const env = liveEnvWith({ XDG_CACHE_HOME: cache });
  const r = await ectl(['-v', 'registered_vhosts'], { env });
  assert.equal(r.code, 0, r.stderr);
  // 23.01 refuses the versioned path (400 Missing command name), then status, then the plain path.
  assert.match(r.stderr, new RegExp(`> POST ${live.url}/registered_vhosts/v0\\n[^]*< HTTP 400[^]*> POST ${live.url}/status\\n[^]*> POST ${live.url}/registered_vhosts\\n`));
  assert.equal(cacheOf(cache)[live.url].release, '23.01');
  const plain = await ectl(['registered_vhosts'], { env });
  assert.equal(r.stdout, plain.stdout);
});

test('a command the known release lacks exits 2 naming the release that added it; nothing is sent', async () => {
  const n = fake.requests.length;
  const r = await ectl(['--release', '23.01', 'muc_online_rooms_count', 'conference.example.com'], { env: cleanEnv({ ECTL_URL: fake.url }) });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'Error: muc_online_rooms_count was added in ejabberd 26.01; this server runs 23.01 (muc_online_rooms_count is provided by mod_muc_admin)\n');
  assert.equal(fake.requests.length, n);
  // Its help still shows (test/help.test.mjs): the definition of the release that added it.
  const help = await ectl(['help', '--release', '23.01', 'muc_online_rooms_count'], { env: cleanEnv({ ECTL_URL: fake.url, ECTL_RELEASE: null }) });
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^This server runs ejabberd 23\.01; this command needs 26\.01 or newer\.$/m);
  assert.equal(fake.requests.length, n);
});

test('on the real 23.01 server a command added in 26.01 fails before it is sent', async () => {
  requireLiveServer();
  const r = await ectl(['-v', 'muc_online_rooms_count', 'conference.localhost'], { env: liveEnvWith({ XDG_CACHE_HOME: freshCache() }) });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /Error: muc_online_rooms_count was added in ejabberd 26\.01; this server runs 23\.01/);
  assert.doesNotMatch(r.stderr, /> POST \S+muc_online_rooms_count/);
});

test('a server that does not say its release is spoken to as the newest, cached; its refusal exits 1', async () => {
  const cache = freshCache();
  const env = cleanEnv({ ECTL_URL: fake.url, XDG_CACHE_HOME: cache, ECTL_RELEASE: null });
  const n = fake.requests.length;
  const r = await ectl(['-v', 'muc_online_rooms_count', 'conference.example.com'], { env });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /\* ejabberd 26\.07 \(not detected: the newest ectl knows\), API v0/);
  assert.match(r.stderr, /Error: the server does not offer 'muc_online_rooms_count'/);
  assert.equal(cacheOf(cache)[fake.url].release, null);
  const again = await ectl(['check_account', 'bob', 'example.com'], { env });
  assert.equal(again.code, 0, again.stderr);
  const urls = fake.requests.slice(n).map((q) => q.url);
  assert.deepEqual(urls, ['/api/status', '/api/muc_online_rooms_count/v0', '/api/status', '/api/check_account/v0'],
    'status once, the command, status once more after the refusal, then no more');
});

test('help follows the release: ectl help --release 23.01 shows the old arguments and the later change', async () => {
  const env = cleanEnv({ ECTL_URL: 'http://127.0.0.1:1/api', XDG_CACHE_HOME: freshCache(), ECTL_RELEASE: null });
  const old = await ectl(['help', '--release', '23.01', 'set_room_affiliation'], { env });
  assert.equal(old.code, 0, old.stderr);
  assert.match(old.stdout, /^Usage: ectl set_room_affiliation <name> <service> <jid> <affiliation>$/m);
  assert.match(old.stdout, /^History: +arguments changed in 24\.12, API v3 \(after 23\.01\)$/m);
  const now = await ectl(['set_room_affiliation', '--help'], { env });
  assert.match(now.stdout, /^Usage: ectl set_room_affiliation <room> <service> <user> <host> <affiliation>$/m);
  assert.match(now.stdout, /^Shown: +API v3 of ejabberd 26\.07/m);
  const added = await ectl(['help', 'muc_online_rooms_count'], { env });
  assert.match(added.stdout, /^History: +added in ejabberd 26\.01$/m);
});

test("ejabberdctl's nested-list rule per release: one per line (23.01), ';' (23.10), ',' (24.02 on), ';' at API version 0", () => {
  assert.equal(nestedListSeparator('23.01'), '\n');
  assert.equal(nestedListSeparator('23.04'), '\n');
  assert.equal(nestedListSeparator('23.10'), ';');
  assert.equal(nestedListSeparator('24.02'), ',');
  assert.equal(nestedListSeparator('26.07'), ',');
  assert.equal(nestedListSeparator('26.07', 0), ';');
  assert.equal(nestedListSeparator('26.07', 1), ',');
  const spec = specFor(entryFor('get_user_subscriptions'), '23.01');
  const value = [{ roomjid: 'r@conference.example.com', usernick: 'bob', nodes: ['urn:a', 'urn:b'] }];
  assert.equal(formatText(spec, value, { listSeparator: '\n' }), 'r@conference.example.com\tbob\turn:a\nurn:b');
  assert.equal(formatText(spec, value, { listSeparator: ',' }), 'r@conference.example.com\tbob\turn:a,urn:b');
  // The top-level list is always one element per line.
  assert.equal(formatText(spec, [...value, ...value], { listSeparator: ';' }).split('\n').length, 2);
});

test("status prints as ejabberdctl prints it whatever separates the API's two sentences (23.01, 24.12, 25.03)", () => {
  const spec = specFor(entryFor('status'), '26.07');
  const want = 'The node ejabberd@localhost is started with status: started\nejabberd 25.03 is running in that node';
  for (const sep of ['', '  ', '\n']) {
    assert.equal(formatText(spec, `The node ejabberd@localhost is started. Status: started${sep}ejabberd 25.03 is running in that node`), want);
  }
});

test('the library speaks the release it is given; an unknown patch level speaks its release', async () => {
  requireLiveServer();
  const client = createClient({ url: live.url, user: live.admin, password: live.password, release: '23.01' });
  try {
    assert.equal(client.release, '23.01');
    const hosts = await client.registered_vhosts({});
    assert.ok(hosts.includes('localhost'));
    await assert.rejects(client.call('muc_online_rooms_count', { service: 'x' }), /added in ejabberd 26\.01/);
  } finally {
    await client.close();
  }
  assert.equal(createClient({ url: live.url, release: '25.03.1' }).release, '25.03');
  assert.equal(createClient({ url: live.url }).release, '26.07');
});

// The real 24.12 and 26.07 servers: detection, and commands whose arguments or results changed,
// at the newest API version and at --api-version 0, against that release's own ejabberdctl.
for (const s of process.env.ECTL_TEST_SERVERS ? liveServers().filter((x) => x.release !== '23.01') : []) {
  const same = async (args, ctlArgs = args) => {
    const pending = ectl(args, { env: s.env({ XDG_CACHE_HOME: sharedCache, ECTL_RELEASE: null }) });
    const oracle = s.ejabberdctl(...ctlArgs);
    const mine = await pending;
    assert.equal(oracle.code, 0, `ejabberdctl ${ctlArgs.join(' ')}: ${showRun(oracle)}`);
    assert.equal(mine.stdout, oracle.stdout, `ectl ${args.join(' ')}: ${showRun(mine)}`);
    assert.equal(mine.code, oracle.code);
  };
  const run = async (args) => {
    const r = await ectl(args, { env: s.env({ XDG_CACHE_HOME: sharedCache, ECTL_RELEASE: null }) });
    assert.equal(r.code, 0, `ectl ${args.join(' ')}: ${showRun(r)}`);
    return r;
  };
  const sharedCache = freshCache();

  test(`${s.release}: detected from status; status prints as its ejabberdctl prints it`, async () => {
    const r = await ectl(['-v', 'status'], { env: s.env({ XDG_CACHE_HOME: sharedCache, ECTL_RELEASE: null }) });
    assert.equal(r.code, 0, showRun(r));
    const m = /^\* ejabberd (\S+) .*\(detected\), API v\d+$/m.exec(r.stderr);
    assert.ok(m?.[1].startsWith(s.release), r.stderr);
    assert.equal(cacheOf(sharedCache)[s.url].release.slice(0, 5), s.release);
    assert.equal(r.stdout, s.ejabberdctl('status').stdout);
  });

  test(`${s.release}: set_room_affiliation and get_room_affiliations, API v3 and --api-version 0, as its ejabberdctl`, async () => {
    const room = uniqueName('relroom');
    const service = 'conference.localhost';
    await run(['create_room', room, service, 'localhost']);
    try {
      await run(['set_room_affiliation', room, service, 'alice', 'localhost', 'member']);
      await same(['get_room_affiliations', room, service]);
      await run(['--api-version', '0', 'set_room_affiliation', room, service, 'bob@localhost', 'admin']);
      await same(['--api-version', '0', 'get_room_affiliations', room, service], ['--version', '0', 'get_room_affiliations', room, service]);
      await same(['get_room_affiliations', room, service]);
    } finally {
      await ectl(['destroy_room', room, service], { env: s.env({ XDG_CACHE_HOME: sharedCache, ECTL_RELEASE: null }) });
    }
  });

  test(`${s.release}: roster groups as a list (add_rosteritem v1); get_roster joins them with ',' (';' at --api-version 0) as its ejabberdctl`, async () => {
    const user = uniqueName('relu');
    await run(['register', user, 'localhost', 'pw-rel-1']);
    try {
      await run(['add_rosteritem', user, 'localhost', 'carol', 'localhost', 'Carol', 'friends,work', 'both']);
      await run(['--api-version', '0', 'add_rosteritem', user, 'localhost', 'dave', 'localhost', 'Dave', 'team', 'to']);
      await same(['get_roster', user, 'localhost']);
      await same(['--api-version', '0', 'get_roster', user, 'localhost'], ['--version', '0', 'get_roster', user, 'localhost']);
      await same(['kick_user', user, 'localhost']);
    } finally {
      await ectl(['unregister', user, 'localhost'], { env: s.env({ XDG_CACHE_HOME: sharedCache, ECTL_RELEASE: null }) });
    }
  });
}

test("a command's own failure after a stale cached release (404 not found, a message naming an argument) is not sent again; the API's refusal of the arguments is", async () => {
  // The server runs 23.01; the cache says 26.07. Each kick_user reply below is what the server answers.
  const replies = [
    [404, 'User bob-a20@localhost not found'], // the command ran and said so (ejabberd's not_exists)
    [400, 'Invalid argument: the reason was too long'], // the command's own words
    [400, 'Request have unknown arguments: [extra]'], // mod_http_api's refusal: nothing ran
  ];
  for (const [status, message] of replies) {
    const server = await recordingServer((req, body, res) => {
      const status200 = req.url === '/api/status';
      res.writeHead(status200 ? 200 : (req.url.endsWith('/v2') ? status : 200), { 'content-type': 'application/json' });
      res.end(JSON.stringify(status200 ? 'The node ejabberd@x is started. Status: startedejabberd 23.01 is running in that node' : (req.url.endsWith('/v2') ? message : 0)));
    });
    try {
      const cache = freshCache();
      mkdirSync(join(cache, 'ectl'), { recursive: true });
      writeFileSync(join(cache, 'ectl', 'releases.json'), JSON.stringify({ [server.url]: { at: Date.now(), release: '26.07' } }));
      const r = await ectl(['kick_user', 'bob-a20', 'localhost'], { env: cleanEnv({ ECTL_URL: server.url, XDG_CACHE_HOME: cache, ECTL_RELEASE: null }) });
      const sent = server.requests.filter((q) => q.url.startsWith('/api/kick_user'));
      if (message.startsWith('Request have')) {
        assert.equal(r.code, 0, showRun(r));
        assert.deepEqual(sent.map((q) => q.url), ['/api/kick_user/v2', '/api/kick_user'], 'refused unrun: sent again in 23.01 terms');
      } else {
        assert.equal(r.code, 1, showRun(r));
        assert.deepEqual(sent.map((q) => q.url), ['/api/kick_user/v2'], `${status} ${message}: the command may have run, it was sent again`);
      }
    } finally {
      await server.close();
    }
  }
});
