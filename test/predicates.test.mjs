// Quiet predicates: a yes/no command's "no" (src/catalogue/predicates.ts) is exit status 1 with
// nothing on stdout or stderr (-v says it), on every release's real server, where that
// release's ejabberdctl prints "Error: false"; real errors (an unserved host, a bad hash method,
// no server, refused credentials, wrong arguments) still print. Batch and --all-nodes say a
// "no" the same way.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ectl, uniqueName, liveServers, showRun, cleanEnv, recordingServer } from './helpers.mjs';
import { allEntries } from '../dist/catalogue/commands.js';
import { PREDICATES } from '../dist/catalogue/predicates.js';

const rescodes = allEntries().filter((e) => e.definitions.some((d) => d.result.type === 'rescode'));

test('the predicates are the rescode commands whose result answers a question, on every release', () => {
  for (const name of Object.keys(PREDICATES)) {
    const entry = allEntries().find((e) => e.name === name);
    assert.ok(entry, name);
    for (const d of entry.definitions) assert.equal(d.result.type, 'rescode', `${name} on ${d.releases[0]}`);
  }
  // "0 if <something>, 1 otherwise / if it does not": an answer. module_check's 1 is ejabberdctl's
  // "Error: error" (a module that fails its checks), not "Error: false": left out on purpose.
  const answering = rescodes.filter((e) => e.definitions.every((d) => /^0 if /.test(d.result.description))).map((e) => e.name);
  assert.deepEqual(answering.filter((n) => n !== 'module_check').sort(), Object.keys(PREDICATES).sort());
  assert.ok(answering.includes('module_check'));
});

for (const s of liveServers()) {
  describe(`ejabberd ${s.release}: a "no" is exit 1 and quiet`, () => {
    const u = uniqueName('pq');
    const missing = uniqueName('pqm');
    after(() => s.ejabberdctlAsync('unregister', u, s.host));
    const noCases = [
      ['check_account', missing, s.host],
      ['check_password', u, s.host, 'not-the-pw'],
      ['check_password', missing, s.host, 'not-the-pw'],
      ['check_password_hash', u, s.host, 'c2e6ee2b0d0f2dd0a9d1d0e3a4e0a3f1', 'md5'],
    ];

    test('no: exit 1, nothing printed (as the oracle exits 1, printing "Error: false"); -v says it; yes: exit 0', async () => {
      const reg = await ectl(['register', u, s.host, '@-'], { env: s.env(), input: 'pq-pw-1\n' });
      assert.equal(reg.code, 0, showRun(reg));
      for (const args of noCases) {
        const oracle = await s.ejabberdctlAsync(...args);
        assert.deepEqual([oracle.code, oracle.stdout], [1, 'Error: false\n'], `ejabberdctl ${args.join(' ')}`);
        const r = await ectl(args, { env: s.env() });
        assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', ''], `ectl ${args.join(' ')}`);
        const json = await ectl(['-o', 'json', ...args], { env: s.env() });
        assert.deepEqual([json.code, json.stdout, json.stderr], [1, '', ''], `ectl -o json ${args.join(' ')}`);
        const v = await ectl(['-v', ...args], { env: s.env() });
        assert.equal(v.code, 1);
        assert.match(v.stderr, new RegExp(`^\\* ${args[0]} answered no: ${PREDICATES[args[0]]}$`, 'm'));
        assert.doesNotMatch(v.stderr, /Error:/);
      }
      for (const args of [['check_account', u, s.host], ['check_password', u, s.host, 'pq-pw-1']]) {
        const r = await ectl(args, { env: s.env() });
        assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', ''], `ectl ${args.join(' ')}`);
      }
    });

    test('real errors still print: an unserved host, a bad hash method, no server, refused credentials, wrong arguments', async () => {
      const unserved = await ectl(['check_account', missing, 'nohost.example'], { env: s.env() });
      // 26.07 refuses the host (403); older releases answer 1, and ectl asks registered_vhosts.
      if (s.release === '26.07') assert.equal(unserved.code, 4, showRun(unserved));
      else {
        assert.equal(unserved.code, 1, showRun(unserved));
        assert.equal(unserved.stderr, "Error: the server serves no host 'nohost.example' (registered_vhosts does not list it), so check_account cannot answer about it\n");
      }
      assert.match(unserved.stderr, /^Error: .*nohost\.example/);
      const hash = await ectl(['check_password_hash', 'admin', s.host, 'abc', 'nosuchmethod'], { env: s.env() });
      assert.deepEqual([hash.code, hash.stderr], [1, 'Error: unkown_hash_method\n'], showRun(hash));
      const down = await ectl(['check_account', missing, s.host], { env: s.env({ ECTL_URL: 'http://127.0.0.1:1/api' }) });
      assert.equal(down.code, 3, showRun(down));
      assert.match(down.stderr, /^Error: /);
      const refused = await ectl(['check_account', missing, s.host], { env: s.env({ ECTL_PASSWORD: 'wrong-pw' }) });
      assert.equal(refused.code, 4, showRun(refused));
      assert.match(refused.stderr, /^Error: not authorized/);
      const usage = await ectl(['check_account', missing], { env: s.env() });
      assert.equal(usage.code, 2, showRun(usage));
      assert.match(usage.stderr, /^Error: missing required argument 'host'/);
    });

    test('batch: a "no" line is said without Error:, counted apart, exit 1; JSON Lines the same', async () => {
      const input = [`check_account ${missing} ${s.host}`, `check_account admin ${s.host}`, `check_account ${missing} nohost.example`, `check_password ${missing} ${s.host} x`].join('\n');
      const r = await ectl(['batch', '-j', '1'], { env: s.env(), input });
      assert.equal(r.code, 1, showRun(r));
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines[0], 'line 1: check_account answered no: the account does not exist');
      assert.match(lines[1], /^line 3: Error: .*nohost\.example/);
      assert.equal(lines[2], 'line 4: check_password answered no: the password does not match');
      assert.equal(lines[3], '1 ok, 1 failed, 2 answered no');
      const json = await ectl(['-o', 'json', 'batch', '-j', '1'], { env: s.env(), input });
      const records = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(records[0], { line: 1, command: 'check_account', ok: false, result: null, error: 'check_account answered no: the account does not exist', exit: 1 });
      assert.equal(records[1].ok, true);
    });

    test('--all-nodes: nodes that say no give exit 1 and no Error: line; -v names them', async () => {
      const nodes = `one@x=${s.url},two@y=${s.url}`;
      const r = await ectl(['--all-nodes', 'check_account', missing, s.host], { env: s.env({ ECTL_NODES: nodes }) });
      assert.equal(r.code, 1, showRun(r));
      assert.equal(r.stdout, '');
      assert.doesNotMatch(r.stderr, /Error:|answered no/);
      const v = await ectl(['-v', '--all-nodes', 'check_account', missing, s.host], { env: s.env({ ECTL_NODES: nodes }) });
      assert.match(v.stderr, /^\* one@x: check_account answered no: the account does not exist$/m);
      assert.match(v.stderr, /^\* two@y: check_account answered no: the account does not exist$/m);
      const yes = await ectl(['--all-nodes', 'check_account', 'admin', s.host], { env: s.env({ ECTL_NODES: nodes }) });
      assert.equal(yes.code, 0, showRun(yes));
    });
  });
}

test('--stop-on-error does not stop at a "no": it is an answer', async () => {
  const server = await recordingServer((req, body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(req.url.endsWith('/check_account') ? '1' : req.url.endsWith('/registered_vhosts') ? '["example.com"]' : '0');
  });
  try {
    const input = ['check_account a example.com', 'gc', 'check_account b example.com'].join('\n');
    const r = await ectl(['batch', '-j', '1', '--stop-on-error'], { input, env: cleanEnv({ ECTL_URL: server.url }) });
    assert.equal(r.code, 1, showRun(r));
    assert.equal(r.stderr, 'line 1: check_account answered no: the account does not exist\nline 3: check_account answered no: the account does not exist\n1 ok, 0 failed, 2 answered no\n');
    // The "no" is about a served host: registered_vhosts (asked once) lists it.
    assert.deepEqual(server.requests.map((q) => q.url), ['/api/check_account', '/api/registered_vhosts', '/api/gc', '/api/check_account']);
  } finally {
    await server.close();
  }
});
