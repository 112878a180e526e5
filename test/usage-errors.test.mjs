// Bad input exits 2 with one line on stderr and sends nothing (a recording server counts requests).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ectl, cleanEnv, recordingServer, root } from './helpers.mjs';

let server;
let env;
const tmp = join(root, 'test', '.tmp', 'usage');
before(async () => {
  server = await recordingServer();
  env = cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: null });
  mkdirSync(tmp, { recursive: true });
});
after(() => server.close());

const cases = [
  ['unknown command', ['regster', 'bob', 'example.com', 'pw'], /unknown command 'regster' \(did you mean register\?\)/],
  ['too few arguments', ['register', 'bob', 'example.com'], /missing required argument 'password'/],
  ['too many arguments', ['registered_users', 'a', 'b'], /too many arguments/],
  ['non-integer', ['delete_old_users', 'ten'], /argument 'days' must be an integer, got 'ten'/],
  ['integer with junk', ['set_last', 'bob', 'example.com', '12x', 'gone'], /argument 'timestamp' must be an integer/],
  ['malformed JSON list', ['create_room_with_opts', 'r', 'conference.example.com', 'example.com', '[{"name":'], /argument 'options' is not valid JSON/],
  ['tuple with missing field', ['create_room_with_opts', 'r', 'conference.example.com', 'example.com', 'members_only'], /argument 'options' element 1 must have 2 fields \(name:value\)/],
  ['JSON of the wrong shape', ['subscribe_room_many', '{"user":"a"}', 'r', 'conference.example.com', 'messages'], /argument 'users' must be a list/],
  ['unreadable @file', ['send_message', 'chat', 'a@example.com', 'b@example.com', 'hi', '@/nonexistent/body'], /cannot read argument file \/nonexistent\/body: no such file or directory/],
  // A secret argument's @word is not echoed: it may be a password that starts with @.
  ['unreadable @file for a secret', ['register', 'bob', 'example.com', '@/nonexistent/pw'], /^Error: cannot read the argument file named by a secret argument \(no such file or directory\); a secret that starts with '@' is written '@@\.\.\.'\n$/],
  ['unknown option near a known one', ['--verbos', 'status'], /unknown option '--verbos' \(did you mean --verbose\?\)/],
  // One close to none may be a password typed as an argument: not echoed.
  ['unknown option', ['--colour', 'status'], /^Error: unknown option \(not shown, in case it is a secret\); ectl's options go before the command or after all of its arguments \(usage: ectl status \[options\]; see 'ectl status --help'\)\n$/],
  ['bad output format', ['-o', 'xml', 'status'], /argument 'xml' is invalid/],
  // Options after the arguments: one that lacks its value, one that took the command's name, words after a '--'.
  ['an option last without its value', ['stats', 'abc', '-o'], /^Error: option '-o' lacks its value: give it one \(-o VALUE\) or leave it out \(usage: ectl stats <name> \[options\]; see 'ectl stats --help'\)\n$/],
  ['--columns last without its value', ['registered_users', 'example.com', '-o', 'json', '--columns'], /^Error: option '--columns' lacks its value/],
  ['an option without its value and no command', ['--url', 'http://127.0.0.1:1/api', '-o'], /^Error: option '-o' lacks its value: give it one \(-o VALUE\) or leave it out\n$/],
  ['an option without its value before the command', ['--columns', 'stats', 'abc'], /^Error: option '--columns' took the command name 'stats' as its value: give --columns a value of its own before the command \(--columns VALUE stats \.\.\.\)\n$/],
  ["words after a '--' that follows the arguments", ['stats', 'abc', '--', '-o', 'json'], /^Error: too many arguments: 'stats' takes 1 \(name\); the words after a '--' are arguments, not options \(usage: ectl stats <name> \[options\]/],
  ['bad timeout', ['--timeout', 'soon', 'status'], /--timeout must be a number/],
  ['bad URL', ['--url', 'ftp://x/api', 'status'], /bad URL 'ftp:\/\/x\/api'/],
];

for (const [name, args, message] of cases) {
  test(`usage error: ${name} exits 2, one line, nothing sent`, async () => {
    const before = server.requests.length;
    const r = await ectl(args, { env });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^Error: /);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line expected, got: ${r.stderr}`);
    assert.equal(r.stdout, '');
    // A command whose arguments differ between releases has its line read in the server's
    // release: `status` may be asked first, the command is not sent.
    assert.deepEqual(server.requests.slice(before).map((q) => q.url).filter((u) => u !== '/api/status'), [], 'a request was sent');
  });
}

test('a malformed config file is a usage error naming file and line; nothing sent', async () => {
  const before = server.requests.length;
  const file = join(tmp, 'bad.yaml');
  writeFileSync(file, 'url: http://127.0.0.1:1/api\nprofiles:\n  a: [unclosed\n');
  const r = await ectl(['--config', file, 'status'], { env });
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`bad config file ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} line \\d+`));
  assert.equal(server.requests.length, before);
});

test('a user without a password is a usage error, nothing sent', async () => {
  const before = server.requests.length;
  const r = await ectl(['--user', 'admin@localhost', 'status'], { env });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no password for admin@localhost/);
  assert.equal(server.requests.length, before);
});

test('no command prints usage on stderr and exits 2', async () => {
  const r = await ectl([], { env });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Usage: ectl/);
});
