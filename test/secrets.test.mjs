// No secret printed: room passwords, the Erlang cookie, OAuth tokens, passwords typed where an
// option or a file name was expected, and batch lines that do not parse. Against the real test
// server; every run passes its secrets to ectl() so that the last test of the suite searches
// what it printed (test/zz-no-secret-printed.test.mjs).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ectl, ejabberdctl, liveEnv, live, recordingServer, cleanEnv, requireLiveServer, uniqueName, MUC } from './helpers.mjs';

const tag = `${process.pid}${Date.now() % 100000}`;

before(() => requireLiveServer());

/** A room option as the server keeps it, read with ejabberdctl (the oracle). */
async function roomOption(room, option) {
  const r = await ejabberdctl('get_room_options', room, MUC);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').map((l) => l.split('\t')).find(([k]) => k === option)?.[1];
}

test('room passwords are *** in -v and --dry-run: create_room_with_opts in shorthand and JSON, change_room_option', async () => {
  const pwShort = `roompw-short-${tag}`;
  const pwJson = `roompw-json-${tag}`;
  const pwChanged = `roompw-changed-${tag}`;
  const secrets = [pwShort, pwJson, pwChanged];
  const [a, b] = [uniqueName('rooma'), uniqueName('roomb')];
  try {
    const dryShort = await ectl(['--dry-run', 'create_room_with_opts', a, MUC, 'localhost', `persistent:true,password_protected:true,password:${pwShort}`], { secrets });
    assert.equal(dryShort.code, 0, dryShort.stderr);
    assert.match(dryShort.stdout, /\{"name":"password","value":"\*\*\*"\}/);
    assert.match(dryShort.stdout, /"value":'"\$\(node -p 'JSON\.stringify\(process\.env\.ECTL_ARG_OPTIONS_PASSWORD\)'\)"'/, 'the curl line takes it from a variable');

    const short = await ectl(['-v', 'create_room_with_opts', a, MUC, 'localhost', `persistent:true,password_protected:true,password:${pwShort}`], { secrets });
    assert.equal(short.code, 0, short.stderr);
    assert.match(short.stderr, /\{"name":"password","value":"\*\*\*"\}/);
    assert.equal(await roomOption(a, 'password'), pwShort, 'the server got the real password');

    const json = JSON.stringify([{ name: 'persistent', value: 'true' }, { name: 'password_protected', value: 'true' }, { name: 'password', value: pwJson }]);
    const viaJson = await ectl(['-v', 'create_room_with_opts', b, MUC, 'localhost', json], { secrets });
    assert.equal(viaJson.code, 0, viaJson.stderr);
    assert.equal(await roomOption(b, 'password'), pwJson);

    const dryChange = await ectl(['--dry-run', 'change_room_option', a, MUC, 'password', pwChanged], { secrets });
    assert.equal(dryChange.code, 0, dryChange.stderr);
    assert.match(dryChange.stdout, /"option":"password","value":"\*\*\*"/);
    assert.match(dryChange.stdout, /"value":'"\$\(node -p 'JSON\.stringify\(process\.env\.ECTL_ARG_PASSWORD\)'\)"'/);
    const change = await ectl(['-v', 'change_room_option', a, MUC, 'password', pwChanged], { secrets });
    assert.equal(change.code, 0, change.stderr);
    assert.match(change.stderr, /"option":"password","value":"\*\*\*"/);
    assert.equal(await roomOption(a, 'password'), pwChanged);

    // get_room_options prints the password as its result (asked for), never in the -v trace.
    const options = await ectl(['-v', 'get_room_options', a, MUC], { secrets, publicStdout: true });
    assert.equal(options.code, 0, options.stderr);
    assert.match(options.stdout, new RegExp(`^password\\t${pwChanged}$`, 'm'));
    assert.match(options.stderr, /"password":"\*\*\*"/, 'the reply (a name-to-value object) is shown, redacted');
    // A batch line with a room password is shown redacted too.
    const batch = await ectl(['--dry-run', 'batch'], { input: `change_room_option ${a} ${MUC} password ${pwChanged}\n`, secrets });
    assert.equal(batch.code, 0, batch.stderr);
    assert.match(batch.stdout, /"value":"\*\*\*"/);
  } finally {
    for (const room of [a, b]) await ejabberdctl('destroy_room', room, MUC);
  }
});

test('get_cookie -v prints the cookie as the result only, never in the trace', async () => {
  const cookie = (await ejabberdctl('get_cookie')).stdout.trim();
  assert.ok(cookie.length >= 6);
  const r = await ectl(['-v', 'get_cookie'], { secrets: [cookie], publicStdout: true });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${cookie}\n`);
  assert.match(r.stderr, /^< \S*\*\*\*/m, 'the reply is shown, redacted');
});

test('-v oauth_list_tokens: a reply longer than -v shows is redacted before it is shortened', async () => {
  const tokens = [];
  for (let i = 0; i < 25; i++) {
    const r = await ectl(['oauth_issue_token', live.admin, '600', 'ejabberd:admin'], { env: liveEnv() });
    assert.equal(r.code, 0, r.stderr);
    tokens.push(r.stdout.split('\t')[0]);
  }
  try {
    const r = await ectl(['-v', 'oauth_list_tokens'], { secrets: tokens, publicStdout: true });
    assert.equal(r.code, 0, r.stderr);
    for (const t of tokens) assert.ok(r.stdout.includes(t), 'the result lists the token');
    const reply = r.stderr.split('\n').find((l) => l.startsWith('< ['));
    assert.ok(reply?.endsWith('...'), `the reply is shortened: ${reply?.slice(-40)}`);
    assert.match(reply, /"token":"\*\*\*"/);
  } finally {
    for (const t of tokens) await ectl(['oauth_revoke_token', t], { env: liveEnv() });
  }
});

test('a password typed where an option goes, or starting with @, is not echoed', async () => {
  const dash = `-Secr3t${tag}`;
  const at = `@Secr3t${tag}`;
  const u = uniqueName('echo');
  // As for ejabberdctl, a word in an argument's place is that argument whatever it starts with.
  const option = await ectl(['register', u, 'localhost', dash], { secrets: [dash] });
  assert.equal(option.code, 0, option.stderr);
  assert.equal((await ejabberdctl('check_password', u, 'localhost', dash)).code, 0);
  // An unknown option after the arguments is not echoed: it may be a secret typed one word too far.
  const extra = await ectl(['check_password', u, 'localhost', 'pw', dash], { secrets: [dash] });
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /^Error: unknown option \(not shown, in case it is a secret\); ectl's options go before the command or after all of its arguments/);
  const file = await ectl(['change_password', u, 'localhost', at], { secrets: [at.slice(1)] });
  assert.equal(file.code, 2);
  assert.match(file.stderr, /^Error: cannot read the argument file named by a secret argument \(no such file or directory\); a secret that starts with '@' is written '@@\.\.\.'\n$/);
  const literal = await ectl(['change_password', u, 'localhost', `@${at}`], { secrets: [at.slice(1)] });
  assert.equal(literal.code, 0, literal.stderr);
  assert.equal((await ejabberdctl('check_password', u, 'localhost', at)).code, 0);
  await ejabberdctl('unregister', u, 'localhost');
});

test('batch lines that do not parse are reported without their text', async () => {
  const pw = `batchpw-${tag}`;
  const u = uniqueName('bp');
  const input = [
    `{"command":"register","args":["${u}","localhost","${pw}"]`, // JSON cut short
    `{"command":"register","args":["${u}","localhost",${pw}]}`, // a bare word in JSON
    `register ${u} localhost '${pw}`, // unterminated quote
    `create_room_with_opts r ${MUC} localhost password:${pw}:x,oops`, // a malformed option list
    `change_password ${u} localhost @${pw}`, // a password that looks like a file
  ].join('\n');
  const r = await ectl(['batch'], { input: `${input}\n`, secrets: [pw] });
  assert.equal(r.code, 2);
  const errors = r.stderr.split('\n').filter((l) => l.includes('Error:'));
  assert.equal(errors.length, 5, r.stderr);
  assert.match(errors[0], /^line 1: Error: not valid JSON \(expected ',' or '\}' after property value at character \d+\)$/);
  assert.match(errors[1], /^line 2: Error: not valid JSON \(unexpected character\)$/);
  assert.match(errors[2], /^line 3: Error: unterminated single quote$/);
  assert.match(errors[3], /^line 4: Error: argument 'options' element 2 must have 2 fields \(name:value\), got 1$/);
  // A batch line reads no file without --allow-files (test/batch-files.test.mjs): refused without its word.
  assert.match(errors[4], /^line 5: Error: '@path' in a batch line reads a local file: allowed only with 'ectl batch --allow-files'/);
  const json = await ectl(['-o', 'json', 'batch'], { input: `${input}\n`, secrets: [pw] });
  assert.equal(json.stdout.trim().split('\n').length, 5);
});

test("a server error message that repeats a secret argument shows it as ***", async () => {
  const pw = `echoed-pw-${tag}`;
  const server = await recordingServer((req, body, res) => {
    res.writeHead(409, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'error', code: 10090, message: `cannot set ${JSON.parse(body).newpass} for bob` }));
  });
  try {
    const r = await ectl(['change_password', 'bob', 'localhost', pw], { env: cleanEnv({ ECTL_URL: server.url }), secrets: [pw] });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error: cannot set *** for bob\n');
  } finally {
    await server.close();
  }
});
