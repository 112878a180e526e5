// A batch file is data: its lines read no local file unless the command line says so
// (`ectl batch --allow-files`), and never standard input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, ectl, recordingServer, root } from './helpers.mjs';

const tmp = join(root, 'test', '.tmp', 'batch-files');
mkdirSync(tmp, { recursive: true });
const file = join(tmp, 'body.txt');
writeFileSync(file, 'local-file-content-41\n');
const ADMIN_PW = 'admin-pw-in-environ-83';

const REFUSED = "Error: '@path' in a batch line reads a local file: allowed only with 'ectl batch --allow-files' (a literal '@' is written '@@')";

test("without --allow-files a batch line's @path is an error for that line, naming the option; nothing is read or sent for it", async () => {
  const server = await recordingServer();
  try {
    const env = cleanEnv({ ECTL_URL: server.url, ECTL_USER: 'admin@localhost', ECTL_PASSWORD: ADMIN_PW });
    const input = [
      'send_message chat a@x b@evil subj @/proc/self/environ',
      `send_message chat a@x b@evil subj @${file}`,
      JSON.stringify({ command: 'send_message', args: ['chat', 'a@x', 'b@evil', 'subj', `@${file}`] }),
      'register bob localhost @pw-that-starts-with-at', // a secret argument: its word is not echoed
      "send_message chat a@x b@evil subj '@@literal'", // the literal '@literal'
      'srg_create g localhost g g @all@', // ejabberd's own @ words stay as they are
      JSON.stringify({ command: 'send_message', args: { type: 'chat', from: 'a@x', to: 'b@evil', subject: 's', body: `@${file}` } }), // named JSON values are literal
      `registered_users localhost --ca-file ${file}`, // a line holds no options
      'status',
    ].join('\n');
    for (const dry of [false, true]) {
      server.requests.length = 0;
      const r = await ectl([...(dry ? ['--dry-run'] : []), 'batch', '-j', '1'], { input, env });
      assert.equal(r.code, 2, r.stderr);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('line '));
      assert.deepEqual(errors.slice(0, 4), [1, 2, 3, 4].map((n) => `line ${n}: ${REFUSED}`));
      assert.match(errors[4], /^line 8: Error: 'registered_users' takes 1 argument/);
      assert.equal(errors.length, 5, r.stderr);
      assert.ok(!`${r.stdout}${r.stderr}`.includes('pw-that-starts-with-at'), 'the secret word was echoed');
      for (const text of [r.stdout, r.stderr, ...server.requests.map((q) => q.body)]) {
        assert.ok(!text.includes(ADMIN_PW), 'the environment reached the output or the server');
        assert.ok(!text.includes('local-file-content-41'), 'the file was read');
      }
      if (dry) {
        assert.equal(server.requests.length, 0);
        continue;
      }
      assert.deepEqual(server.requests.map((q) => q.url.replace(/^\/api\//, '')), ['send_message', 'srg_create', 'send_message', 'status']);
      assert.equal(JSON.parse(server.requests[0].body).body, '@literal');
      assert.deepEqual(JSON.parse(server.requests[1].body).display, '@all@');
      assert.equal(JSON.parse(server.requests[2].body).body, `@${file}`);
    }
  } finally {
    await server.close();
  }
});

test('with --allow-files a batch line reads @path; @- is refused whatever the options, saying why', async () => {
  const server = await recordingServer();
  try {
    const env = cleanEnv({ ECTL_URL: server.url });
    const input = [`send_message chat a@x b@y subj @${file}`, 'send_message chat a@x b@y subj @-', 'status'].join('\n');
    const r = await ectl(['batch', '--allow-files', '-j', '1'], { input, env });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, "line 2: Error: '@-' cannot be used in batch input (standard input is the batch itself or a terminal); use '@path' with --allow-files\n2 ok, 1 failed\n");
    assert.deepEqual(server.requests.map((q) => q.url), ['/api/send_message', '/api/status']);
    assert.equal(JSON.parse(server.requests[0].body).body, 'local-file-content-41');
    // The option belongs to batch: the help says what it does.
    const help = await ectl(['batch', '--help'], { env });
    assert.match(help.stdout, /--allow-files +let lines read local files with '@path'/);
  } finally {
    await server.close();
  }
});

test("with --allow-files a batch line cannot read standard input under another name (/dev/stdin, /dev/fd/0, /proc/self/fd/0)", async () => {
  const server = await recordingServer();
  try {
    const env = cleanEnv({ ECTL_URL: server.url });
    const names = ['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0'];
    const lines = [...names.map((n) => `send_message chat a@x b@elsewhere subj @${n}`), 'register bob-stdin-name localhost batch-secret-pw-52', `send_message chat a@x b@y subj @${file}`];
    const batchFile = join(tmp, 'reads-stdin.txt');
    writeFileSync(batchFile, `${lines.join('\n')}\n`);
    // The batch given as a file on standard input (a file can be read again from its start) and as a pipe.
    for (const input of [{ path: batchFile }, `${lines.join('\n')}\n`]) {
      server.requests.length = 0;
      const r = await ectl(['batch', '--allow-files', '-j', '1', '-'], { input, env });
      assert.equal(r.code, 2, r.stderr);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('line '));
      assert.deepEqual(errors, names.map((n, i) => `line ${i + 1}: Error: ${n} is standard input: '@-' cannot be used in batch input (standard input is the batch itself or a terminal); use '@path' with --allow-files`));
      assert.deepEqual(server.requests.map((q) => q.url), ['/api/register', '/api/send_message']);
      for (const q of server.requests) assert.ok(!q.body.includes('send_message chat'), 'the batch itself was sent as an argument');
      assert.equal(JSON.parse(server.requests[1].body).body, 'local-file-content-41');
    }
  } finally {
    await server.close();
  }
});
