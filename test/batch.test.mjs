// ectl batch against the real test server (and a recording server for ordering under delays).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IN_FLIGHT_BATCH, ectl, cleanEnv, liveEnv, recordingServer, uniqueName, root, plausibleReply } from './helpers.mjs';

const tmp = join(root, 'test', '.tmp', 'batch');
mkdirSync(tmp, { recursive: true });

test('text input: quoting, comments, blank lines; results prefixed with line numbers in order', async () => {
  const u = uniqueName('bq');
  const input = [
    `# create an account whose vCard name has spaces`,
    `register ${u} localhost 'pass word'`,
    '',
    `check_password ${u} localhost "pass word"   # trailing comment`,
    `set_vcard ${u} localhost FN "Zoë \\"Z\\" Example"`,
    `get_vcard ${u} localhost FN`,
    `get_vcard2 ${u} localhost N FAMILY`,
    `get_last ${u} localhost`,
  ].join('\n');
  // Lines depend on earlier ones here, so one at a time (-j 1).
  const r = await ectl(['batch', '-j', '1'], { input });
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], `2: User ${u}@localhost successfully registered`);
  assert.equal(lines[1], '6: Zoë "Z" Example');
  assert.match(lines[2], /^8: \d{4}-\d\d-\d\dT[\d:]+Z\tRegistered but didn't login$/);
  assert.equal(lines.length, 3);
  assert.equal(r.stderr, 'line 7: Error: error_no_value_found_in_vcard\n5 ok, 1 failed\n');
  assert.equal(r.code, 1);
});

test('JSON Lines input with named or positional args; -o json prints one JSON record per line', async () => {
  const u = uniqueName('bj');
  const input = [
    JSON.stringify({ command: 'register', args: { user: u, host: 'localhost', password: 'pw' } }),
    JSON.stringify({ command: 'check_account', args: [u, 'localhost'] }),
    `stats registeredusers`,
    JSON.stringify({ command: 'check_account', args: { user: `${u}-none`, host: 'localhost' } }),
  ].join('\n');
  const file = join(tmp, 'lines.jsonl');
  writeFileSync(file, input);
  const r = await ectl(['-o', 'json', 'batch', '-j', '1', file]);
  assert.equal(r.code, 1);
  const records = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(records.map((x) => [x.line, x.command, x.ok]), [[1, 'register', true], [2, 'check_account', true], [3, 'stats', true], [4, 'check_account', false]]);
  assert.deepEqual(records[0].result, { ok: true, text: `User ${u}@localhost successfully registered` });
  assert.deepEqual(records[1].result, { ok: true });
  assert.equal(typeof records[2].result, 'number');
  assert.equal(records[3].exit, 1);
  // A yes/no command's "no" (test/predicates.test.mjs): not a failure, counted apart.
  assert.equal(records[3].error, 'check_account answered no: the account does not exist');
  assert.equal(r.stderr, '3 ok, 0 failed, 1 answered no\n');
});

test('parse errors are reported with their line number and not sent; the rest still runs', async () => {
  const server = await recordingServer();
  try {
    const input = ['status', 'register only-two args', 'bogus_command x', "register 'unterminated", 'delete_old_users ten', '{"command": 5}', 'connected_users_number'].join('\n');
    const r = await ectl(['batch'], { input, env: cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: '23.01' }) });
    assert.equal(r.code, 2);
    assert.deepEqual(server.requests.map((q) => q.url), ['/api/status', '/api/connected_users_number']);
    const errs = r.stderr.trimEnd().split('\n');
    assert.match(errs[0], /^line 2: Error: 'register' takes 3 arguments/);
    assert.match(errs[1], /^line 3: Error: unknown command 'bogus_command'/);
    assert.match(errs[2], /^line 4: Error: unterminated single quote/);
    assert.match(errs[3], /^line 5: Error: argument 'days' must be an integer/);
    assert.match(errs[4], /^line 6: Error: a JSON line needs a "command" string/);
    assert.equal(errs[5], '2 ok, 5 failed');
  } finally {
    await server.close();
  }
});

test('results come out in input order even when later requests finish first', async () => {
  const server = await recordingServer((req, body, res) => {
    const n = Number(JSON.parse(body).user.slice(1));
    // Earlier lines answer later: line 1 after 200 ms, the last almost at once.
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ value: n }));
    }, 200 - n * 10);
  });
  try {
    const input = Array.from({ length: 20 }, (_, i) => `get_offline_count s${i} h`).join('\n');
    const r = await ectl(['batch', '-j', '20'], { input, env: cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: '23.01' }) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, Array.from({ length: 20 }, (_, i) => `${i + 1}: ${i}\n`).join(''));
    // All 20 were in flight together: the server saw them before the first answer went out.
    assert.equal(server.requests.length, 20);
  } finally {
    await server.close();
  }
});

test('concurrency against the real server: 300 independent lines, -j 8, every result in order', async () => {
  const p = uniqueName('bc');
  const n = 150;
  const reg = await ectl(['batch', '-j', '8'], { input: Array.from({ length: n }, (_, i) => `register ${p}n${i} localhost pw${i}`).join('\n') });
  assert.equal(reg.code, 0, reg.stderr);
  assert.equal(reg.stdout, Array.from({ length: n }, (_, i) => `${i + 1}: User ${p}n${i}@localhost successfully registered\n`).join(''));
  const lines = [];
  for (let i = 0; i < n; i++) lines.push(`check_password ${p}n${i} localhost pw${i}`, `get_last ${p}n${i} localhost`);
  const r = await ectl(['batch', '-j', '8'], { input: lines.join('\n') });
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.trimEnd().split('\n');
  assert.deepEqual(out.map((l) => Number(l.split(':')[0])), Array.from({ length: n }, (_, i) => 2 * i + 2));
  for (const l of out) assert.match(l, /^\d+: \S+Z\tRegistered but didn't login$/);
  assert.equal(r.stderr, '300 ok, 0 failed\n');
});

test('-j 64 starts with 4 lines in flight and grows by one per finished line up to 64', async () => {
  // No reply goes out until 4 lines are in (or 5 s after the first) and 300 ms more: until the
  // first reply only the first 4 lines may be out, however long ectl took to start.
  let inFlight = 0;
  let firstWave = 0;
  let most = 0;
  let replied = false;
  let open;
  const gate = new Promise((resolve) => { open = resolve; });
  const server = await recordingServer(async (req, body, res) => {
    inFlight++;
    most = Math.max(most, inFlight);
    if (!replied) firstWave = Math.max(firstWave, inFlight);
    setTimeout(open, inFlight >= 4 ? 300 : 5000).unref();
    await gate;
    setTimeout(() => {
      replied = true;
      inFlight--;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(plausibleReply(req.url)));
    }, 300);
  });
  try {
    const input = Array.from({ length: 300 }, () => 'connected_users_number').join('\n');
    const r = await ectl(['batch', '-j', '64'], { input, env: cleanEnv({ ECTL_URL: server.url }) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(server.requests.length, 300);
    assert.equal(firstWave, 4, 'lines in flight before any reply');
    assert.ok(most > 32 && most <= 64, `at most ${most} lines in flight`);
  } finally {
    await server.close();
  }
});

test('-j 64 against the real server (23.01 queues only 5 connections not yet accepted): every line answers', async () => {
  const users = Array.from({ length: 64 }, () => uniqueName('bj'));
  const lines = [];
  for (let i = 0; i < 1000; i++) lines.push(`check_account ${users[i % 64]} localhost`);
  const r = await ectl(['--timeout', '20', 'batch', '-j', '64'], { input: lines.join('\n') });
  // Unknown accounts: check_account answers no (exit 1) on every line, and every line gets its answer.
  assert.equal(r.code, 1, r.stderr.slice(-300));
  assert.doesNotMatch(r.stderr, /no answer|Error:/);
  assert.ok(r.stderr.endsWith('0 ok, 0 failed, 1,000 answered no\n'), r.stderr.slice(-200));
});

test('--stop-on-error with -j above 1: lines sent before the failure came back still run and are reported; later ones are not sent', async () => {
  // The failing line answers after 500 ms, every other line after 200 ms: with -j 2, lines 3 and 4
  // go out while line 2 is pending; once its failure is known nothing more is sent.
  const server = await recordingServer((req, body, res) => {
    const fail = req.url.endsWith('/gc'); // a rescode of 1 that is a failure (check_account's would be a "no")
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(fail ? '1' : JSON.stringify(plausibleReply(req.url)));
    }, fail ? 500 : 200);
  });
  try {
    const input = ['connected_users_number', 'gc', ...Array.from({ length: 20 }, () => 'connected_users_number')].join('\n');
    const r = await ectl(['batch', '-j', '2', '--stop-on-error'], { input, env: cleanEnv({ ECTL_URL: server.url }) });
    assert.equal(r.code, 1);
    const sent = server.requests.length;
    assert.ok(sent >= 3 && sent < 22, `${sent} lines sent`);
    // Every line that was sent is reported, in input order; none after them.
    const reported = r.stdout.trimEnd().split('\n').map((l) => Number(l.split(':')[0]));
    assert.deepEqual(reported, Array.from({ length: sent }, (_, i) => i + 1).filter((n) => n !== 2));
    assert.match(r.stderr, /^line 2: Error: 'gc' failed/);
    assert.ok(r.stderr.endsWith(`${sent - 1} ok, 1 failed (stopped early)\n`), r.stderr);
  } finally {
    await server.close();
  }
});

test('Ctrl-C: lines in flight are reported as interrupted (not done, not failed); exit 130', async () => {
  // status answers at once; registered_users never does, so lines 2-4 are in flight when Ctrl-C comes.
  const server = await recordingServer((req, body, res) => {
    if (req.url.endsWith('/status')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(plausibleReply(req.url)));
    }
  });
  const whenSent = (n) => (child) => {
    const poll = setInterval(() => {
      if (server.requests.length >= n) {
        clearInterval(poll);
        child.kill('SIGINT');
      }
    }, 20);
    child.on('close', () => clearInterval(poll));
  };
  try {
    const { input } = IN_FLIGHT_BATCH;
    const env = cleanEnv({ ECTL_URL: server.url });
    const r = await ectl(['batch', '-j', '3'], { input, env, onSpawn: whenSent(4) });
    assert.equal(r.code, 130, r.stderr);
    assert.equal(server.requests.length, 4);
    assert.match(r.stdout, /^(1: .*\n)+$/); // line 1's result, and nothing else
    assert.equal(r.stderr, IN_FLIGHT_BATCH.report);
    server.requests.length = 0;
    const j = await ectl(['-o', 'json', 'batch', '-j', '3'], { input, env, onSpawn: whenSent(4) });
    assert.equal(j.code, 130, j.stderr);
    const records = j.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(records.map((x) => [x.line, x.ok, x.interrupted ?? false, 'exit' in x]), [[1, true, false, false], [2, null, true, false], [3, null, true, false], [4, null, true, false]]);
  } finally {
    await server.close();
  }
});

test('--stop-on-error sends nothing after the first failure and exits with its code', async () => {
  const server = await recordingServer((req, body, res) => {
    const fail = req.url.endsWith('/gc');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(fail ? '1' : JSON.stringify(plausibleReply(req.url)));
  });
  try {
    const input = ['status', 'gc', 'status', 'status'].join('\n');
    const r = await ectl(['batch', '-j', '1', '--stop-on-error'], { input, env: cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: '23.01' }) });
    assert.equal(r.code, 1);
    assert.deepEqual(server.requests.map((q) => q.url), ['/api/status', '/api/gc']);
    assert.match(r.stderr, /^line 2: Error: 'gc' failed/);
    assert.match(r.stderr, /1 ok, 1 failed \(stopped early\)\n$/);
    const all = await ectl(['batch', '-j', '1'], { input, env: cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: '23.01' }) });
    assert.equal(all.code, 1);
    assert.match(all.stderr, /3 ok, 1 failed\n$/);
  } finally {
    await server.close();
  }
});

test('an unreadable batch file is a usage error', async () => {
  const r = await ectl(['batch', join(tmp, 'missing.txt')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^Error: cannot read batch file .*missing\.txt: no such file or directory\n$/);
});

test('-j must be a sensible number', async () => {
  const r = await ectl(['batch', '-j', '0'], { input: 'status\n' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--jobs must be a whole number/);
});

test('a summary with thousands separators', async () => {
  const server = await recordingServer();
  try {
    const input = Array.from({ length: 1200 }, () => 'connected_users_number').join('\n');
    const r = await ectl(['batch', '-j', '8'], { input, env: cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: '23.01' }) });
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '1,200 ok, 0 failed\n');
    assert.equal(r.stdout.split('\n').length, 1201);
  } finally {
    await server.close();
  }
});

test('batch takes -o text or -o json only; ECTL_OUTPUT and the config file choose as -o does', async () => {
  const r = await ectl(['-o', 'csv', 'batch'], { input: 'status\n' });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'Error: batch prints text or JSON Lines (-o json), not csv\n');
  const env = await ectl(['batch'], { input: 'status\n', env: liveEnv({ ECTL_OUTPUT: 'yaml' }) });
  assert.equal(env.code, 2);
  assert.equal(env.stderr, 'Error: batch prints text or JSON Lines (-o json), not yaml (from ECTL_OUTPUT)\n');
  const config = join(tmp, 'table.yaml');
  writeFileSync(config, 'output: table\n');
  const fromConfig = await ectl(['--config', config, 'batch'], { input: 'status\n' });
  assert.equal(fromConfig.code, 2);
  assert.equal(fromConfig.stderr, 'Error: batch prints text or JSON Lines (-o json), not table (from the config file)\n');
  const u = uniqueName('bo');
  const json = await ectl(['batch'], { input: `check_account ${u} localhost\nstats registeredusers\n`, env: liveEnv({ ECTL_OUTPUT: 'json' }) });
  assert.equal(json.code, 1);
  const records = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(records.map((x) => [x.line, x.command, x.ok]), [[1, 'check_account', false], [2, 'stats', true]]);
  // -o on the command line wins over ECTL_OUTPUT.
  const text = await ectl(['-o', 'text', 'batch'], { input: 'stats registeredusers\n', env: liveEnv({ ECTL_OUTPUT: 'json' }) });
  assert.match(text.stdout, /^1: \d+\n$/);
});

test('--dry-run batch shows every request and sends none; login refuses --dry-run', async () => {
  const server = await recordingServer();
  try {
    const env = cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: '23.01', ECTL_USER: 'admin@example.com', ECTL_PASSWORD: 'batch-dry-secret' });
    const r = await ectl(['--dry-run', 'batch'], { input: 'register a example.com pw-a-secret\nregistered_users example.com\n', env, secrets: ['pw-a-secret'] });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(server.requests.length, 0);
    assert.match(r.stdout, /^# line 1\nPOST http:\/\/127\.0\.0\.1:\d+\/api\/register\n/);
    assert.match(r.stdout, /# line 2\nPOST http:\/\/127\.0\.0\.1:\d+\/api\/registered_users\n/);
    assert.ok(!r.stdout.includes('pw-a-secret') && !r.stdout.includes('batch-dry-secret'), 'a secret was printed');
    // -o json: JSON Lines only, one record per line, the request inside; secrets still hidden.
    const j = await ectl(['-o', 'json', '--dry-run', 'batch'], { input: 'register a example.com pw-a-secret\nbogus\nregistered_users example.com\n', env, secrets: ['pw-a-secret'] });
    assert.equal(j.code, 2);
    assert.equal(server.requests.length, 0);
    const records = j.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(records.map((x) => [x.line, x.command, x.ok]), [[1, 'register', true], [2, 'bogus', false], [3, 'registered_users', true]]);
    assert.equal(records[0].request.method, 'POST');
    assert.equal(records[0].request.url, `${server.url}/register`);
    assert.deepEqual(records[0].request.body, { user: 'a', host: 'example.com', password: '***' });
    assert.equal(records[0].request.headers.authorization, 'Basic ***');
    assert.match(records[0].request.curl, /^curl .*\$ECTL_PASSWORD/);
    assert.ok(!j.stdout.includes('pw-a-secret') && !j.stdout.includes('batch-dry-secret'), 'a secret was printed');
    assert.equal(j.stderr, '2 ok, 1 failed\n');
    const login = await ectl(['--dry-run', 'login'], { env });
    assert.equal(login.code, 2);
    assert.equal(server.requests.length, 0);
  } finally {
    await server.close();
  }
});
