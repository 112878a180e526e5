// The release before the arguments: a command line for a server whose release is not given is
// read with that server's release, against the real 23.01, 24.12 and 26.07 servers: with an
// empty cache (asked first), with a cache that names the wrong release (asked again before the
// line is read), and without any writable cache (asked on every call). A cache that fits costs
// no request of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { atLeast, ectl, liveServers, root, showRun, uniqueName } from './helpers.mjs';

const tmp = join(root, 'test', '.tmp');
mkdirSync(tmp, { recursive: true });
const servers = liveServers();
const byRelease = (r) => servers.find((s) => s.release === r);

/** A cache directory for XDG_CACHE_HOME: empty, or naming `release` for the server's URL. */
function cacheDir(server, release) {
  const dir = mkdtempSync(join(tmp, 'release-first-'));
  if (release) {
    mkdirSync(join(dir, 'ectl'));
    writeFileSync(join(dir, 'ectl', 'releases.json'), JSON.stringify({ [server.url]: { at: Date.now(), release } }));
  }
  return dir;
}
const cachedRelease = (dir, server) => JSON.parse(readFileSync(join(dir, 'ectl', 'releases.json'), 'utf8'))[server.url]?.release;
/** A cache base ectl cannot write in (root writes through any mode bits: a file is no directory). */
function unwritableCache() {
  const file = join(mkdtempSync(join(tmp, 'release-first-ro-')), 'not-a-directory');
  writeFileSync(file, '');
  return file;
}
const envFor = (server, cache) => server.env({ ECTL_RELEASE: null, XDG_CACHE_HOME: cache });
const statusAsked = (stderr) => stderr.split('\n').filter((l) => /^> POST \S+\/status$/.test(l)).length;

/** set_room_affiliation's words as the server's own release has them: the member as one JID (23.01) or as user and host (24.12 on). */
const affiliationWords = (server, room, user) => (atLeast(server.release, '24.12')
  ? ['set_room_affiliation', room, 'conference.localhost', user, 'localhost', 'member']
  : ['set_room_affiliation', room, 'conference.localhost', `${user}@localhost`, 'member']);

async function newRoom(server) {
  const room = uniqueName('relroom');
  const made = await ectl(['create_room', room, 'conference.localhost', 'localhost'], { env: server.env() });
  assert.equal(made.code, 0, showRun(made));
  return room;
}

/** The room's members as the server's own ejabberdctl lists them. */
async function members(server, room) {
  const r = await server.ejabberdctlAsync('get_room_affiliations', room, 'conference.localhost');
  return r.stdout;
}

for (const server of servers) {
  test(`${server.release}: with an empty cache the first call reads its arguments in the server's release`, async () => {
    const room = await newRoom(server);
    const user = uniqueName('relbob');
    const cache = cacheDir(server);
    const r = await ectl(['-v', ...affiliationWords(server, room, user)], { env: envFor(server, cache) });
    assert.equal(r.code, 0, showRun(r));
    assert.equal(statusAsked(r.stderr), 1, 'one status, asked before the line was read');
    assert.match(r.stderr, new RegExp(`\\* ejabberd ${server.release.replace('.', '\\.')}\\S* \\(detected\\)`));
    assert.match(await members(server, room), new RegExp(user));
    assert.equal(cachedRelease(cache, server), server.release);

    // srg_create's display is a text in 23.01 and a list from 24.02: the right one reaches the server.
    const group = uniqueName('relgrp');
    const g = await ectl(['srg_create', group, 'localhost', 'Label', 'Desc', group], { env: envFor(server, cacheDir(server)) });
    assert.equal(g.code, 0, showRun(g));
    const info = await ectl(['srg_get_info', group, 'localhost'], { env: server.env() });
    assert.match(info.stdout, new RegExp(`displayed_groups\\t\\["${group}"\\]\\n`), showRun(info));
  });
}

for (const [serverRelease, cached] of [['23.01', '26.07'], ['26.07', '23.01'], ['24.12', '23.01']]) {
  test(`a cache that says ${cached} for a ${serverRelease} server: the line is read after asking again, and the cache is put right`, async () => {
    const server = byRelease(serverRelease);
    const room = await newRoom(server);
    const user = uniqueName('relcar');
    const cache = cacheDir(server, cached);
    const r = await ectl(['-v', ...affiliationWords(server, room, user)], { env: envFor(server, cache) });
    assert.equal(r.code, 0, showRun(r));
    assert.equal(statusAsked(r.stderr), 1);
    assert.match(await members(server, room), new RegExp(user));
    assert.equal(cachedRelease(cache, server), server.release);

    // A command the cached release lacks (muc_online_rooms_count, added in 26.01) when the server has it, and the other way round.
    const count = await ectl(['muc_online_rooms_count', 'conference.localhost'], { env: envFor(server, cacheDir(server, cached)) });
    if (atLeast(server.release, '26.01')) assert.equal(count.code, 0, showRun(count));
    else assert.match(count.stderr, /^Error: muc_online_rooms_count was added in ejabberd 26\.01; this server runs 2[34]\.\d\d/, showRun(count));

    // unsubscribe_room's arguments went from 2 to 4: a line of the server's own release is read as such.
    const words = atLeast(server.release, '24.12') ? ['unsubscribe_room', user, 'localhost', room, 'conference.localhost'] : ['unsubscribe_room', `${user}@localhost`, `${room}@conference.localhost`];
    const u = await ectl(words, { env: envFor(server, cacheDir(server, cached)) });
    assert.notEqual(u.code, 2, showRun(u));
    assert.doesNotMatch(u.stderr, /argument/, showRun(u));
  });
}

test('a batch whose lines do not read in the cached release asks the server again, once', async () => {
  const server = byRelease('23.01');
  const room = await newRoom(server);
  const users = [uniqueName('relbat'), uniqueName('relbat')];
  const input = users.map((u) => affiliationWords(server, room, u).join(' ')).join('\n');
  const r = await ectl(['-v', 'batch'], { env: envFor(server, cacheDir(server, '26.07')), input });
  assert.equal(r.code, 0, showRun(r));
  assert.match(r.stderr, /2 ok, 0 failed/);
  assert.equal(statusAsked(r.stderr), 1);
  for (const u of users) assert.match(await members(server, room), new RegExp(u));
});

test('without a writable cache every call asks first, and reads its arguments in the server\'s release', async () => {
  const server = byRelease('23.01');
  const room = await newRoom(server);
  const cache = unwritableCache();
  for (const user of [uniqueName('relro'), uniqueName('relro')]) {
    const r = await ectl(['-v', ...affiliationWords(server, room, user)], { env: envFor(server, cache) });
    assert.equal(r.code, 0, showRun(r));
    assert.equal(statusAsked(r.stderr), 1);
    assert.match(await members(server, room), new RegExp(user));
  }
  // HOME read-only too: no cache at all.
  const r = await ectl([...affiliationWords(server, room, uniqueName('relro'))], { env: server.env({ ECTL_RELEASE: null, XDG_CACHE_HOME: null, HOME: cache }) });
  assert.equal(r.code, 0, showRun(r));
});

test('a cache that fits costs no request of its own, and neither does a given release', async () => {
  for (const server of servers) {
    const room = await newRoom(server);
    const cached = await ectl(['-v', ...affiliationWords(server, room, uniqueName('relfit'))], { env: envFor(server, cacheDir(server, server.release)) });
    assert.equal(cached.code, 0, showRun(cached));
    assert.equal(statusAsked(cached.stderr), 0, showRun(cached));
    assert.match(cached.stderr, /\(cached\)/);
    const given = await ectl(['-v', ...affiliationWords(server, room, uniqueName('relfit'))], { env: server.env({ XDG_CACHE_HOME: cacheDir(server) }) });
    assert.equal(given.code, 0, showRun(given));
    assert.equal(statusAsked(given.stderr), 0);
  }
});

test('a line that fits neither release is refused after one question, in the server\'s terms', async () => {
  const server = byRelease('23.01');
  const r = await ectl(['-v', 'set_room_affiliation', 'r', 'conference.localhost', 'member'], { env: envFor(server, cacheDir(server, '26.07')) });
  assert.equal(r.code, 2, showRun(r));
  assert.equal(statusAsked(r.stderr), 1);
  assert.match(r.stderr, /^Error: .*usage: ectl set_room_affiliation <name> <service> <jid> <affiliation>/m);
});

test('--dry-run and help ask nothing, even with an empty cache', async () => {
  const server = byRelease('23.01');
  const cache = cacheDir(server);
  const dry = await ectl(['-v', '--dry-run', 'set_room_affiliation', 'r', 'conference.localhost', 'bob', 'localhost', 'member'], { env: envFor(server, cache) });
  assert.equal(dry.code, 0, showRun(dry));
  assert.equal(statusAsked(dry.stderr), 0);
  const help = await ectl(['set_room_affiliation', '--help'], { env: envFor(server, cache) });
  assert.equal(help.code, 0, showRun(help));
  assert.equal(statusAsked(help.stderr), 0);
});

test('while the first node cannot be reached, the release is asked of the next one before the line is read', async () => {
  const { recordingServer, cleanEnv } = await import('./helpers.mjs');
  const { createServer } = await import('node:net');
  // A port with nothing listening: bound, then closed.
  const closed = await new Promise((ok) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); }); });
  const node2 = await recordingServer((req, body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url.endsWith('/status') ? 'The node n2@localhost is started. Status: startedejabberd 23.01 is running in that node' : 0));
  });
  try {
    const env = cleanEnv({ ECTL_RELEASE: null, ECTL_NODES: `n1=http://127.0.0.1:${closed}/api,n2=${node2.url}`, XDG_CACHE_HOME: unwritableCache() });
    const r = await ectl(['set_room_affiliation', 'r', 'conference.localhost', 'bob@localhost', 'member'], { env });
    assert.equal(r.code, 0, showRun(r));
    const sent = node2.requests.filter((q) => !q.url.endsWith('/status'));
    assert.deepEqual(sent.map((q) => [q.url, JSON.parse(q.body)]), [['/api/set_room_affiliation', { name: 'r', service: 'conference.localhost', jid: 'bob@localhost', affiliation: 'member' }]]);
  } finally {
    await node2.close();
  }
});

test('options after the arguments (--url...) are found where the server\'s release has its arguments end', async () => {
  const server = byRelease('23.01');
  const room = await newRoom(server);
  const user = uniqueName('reltrail');
  const env = server.env({ ECTL_RELEASE: null, ECTL_URL: null, XDG_CACHE_HOME: cacheDir(server) });
  const r = await ectl([...affiliationWords(server, room, user), '--url', server.url, '-v'], { env });
  assert.equal(r.code, 0, showRun(r));
  assert.equal(statusAsked(r.stderr), 1);
  assert.match(await members(server, room), new RegExp(user));
});
