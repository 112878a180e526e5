// ejabberdctl's argument rule on the real servers: the words after the command word fill its
// arguments in order whatever their first character; ectl's options only after them; `--` ends
// options. And what a wrong command line gets: the command's usage line, a suggestion.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ectl, uniqueName, liveServers, showRun } from './helpers.mjs';

for (const s of liveServers()) {
  describe(`ejabberd ${s.release}: arguments that start with '-'`, () => {
    const u = uniqueName('dash');
    after(() => s.ejabberdctlAsync('unregister', u, s.host));
    const run = (args, input) => ectl(args, { env: s.env(), input });
    const ok = async (args, input) => {
      const r = await run(args, input);
      assert.equal(r.code, 0, showRun(r));
      return r.stdout;
    };

    test("register dash localhost -secret: the password is '-secret'", async () => {
      await ok(['register', u, s.host, '-secret']);
      assert.equal((await s.ejabberdctlAsync('check_password', u, s.host, '-secret')).code, 0);
      await ok(['check_password', u, s.host, '-secret']);
    });

    test("set_last ... -v stores the status '-v' (no verbose trace)", async () => {
      const r = await run(['set_last', u, s.host, '1700000000', '-v']);
      assert.equal(r.code, 0, showRun(r));
      assert.equal(r.stderr, '', 'no -v trace');
      assert.match(await ok(['get_last', u, s.host, '-o', 'json']), /"status":"-v"/);
    });

    test("send_message chat a b '' -h sends the body '-h' instead of printing help", async () => {
      const r = await run(['send_message', 'chat', s.admin, `${u}@${s.host}`, '', '-h']);
      assert.equal(r.code, 0, showRun(r));
      assert.equal(r.stdout, '');
      assert.equal(await ok(['get_offline_count', u, s.host]), '1\n');
    });

    test('options after the arguments still work; -- ends options', async () => {
      assert.match(await ok(['registered_users', s.host, '-o', 'json']), /^\[.*\]\n$/);
      const extra = await run(['registered_users', s.host, '--', '-o']);
      assert.equal(extra.code, 2, showRun(extra));
      assert.match(extra.stderr, /too many arguments.*\(usage: ectl registered_users <host> \[options\]; see 'ectl registered_users --help'\)\n$/);
      // A `--` right after the command word is the older way: still accepted.
      await ok(['check_password', '--', u, s.host, '-secret']);
      // An option given twice: the last one counts, before or after the command.
      assert.match(await ok(['-o', 'json', 'registered_users', s.host, '-o', 'text']), /^[^[]/);
      assert.match(await ok(['-o', 'text', 'registered_users', s.host, '-o', 'json']), /^\[.*\]\n$/);
      // A `--` after the arguments ends the options and adds nothing.
      assert.match(await ok(['registered_users', s.host, '-o', 'json', '--']), /^\[.*\]\n$/);
    });

    test('a batch line takes the same words', async () => {
      const r = await run(['batch'], `check_password ${u} ${s.host} -secret\ncheck_password ${u} ${s.host} -wrong\n`);
      assert.equal(r.code, 1, showRun(r));
      assert.match(r.stderr, /^line 2: check_password answered no: the password does not match$/m);
      assert.doesNotMatch(r.stderr, /^line 1:/m);
    });
  });
}

const s = liveServers()[0];
test('ectl register with no arguments shows its usage line (exit 2)', async () => {
  const r = await ectl(['register'], { env: s.env() });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "Error: missing required argument 'user' (usage: ectl register <user> <host> [password] [options]; see 'ectl register --help')\n");
});

test('ectl <unknown> --help exits 2 with a suggestion; a help flag last on a short line asks for help', async () => {
  const r = await ectl(['registerr', '--help'], { env: s.env() });
  assert.equal(r.code, 2, showRun(r));
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^Error: unknown command 'registerr' \(did you mean register\?\)/);
  const help = await ectl(['register', 'bob', '--help'], { env: s.env() });
  assert.equal(help.code, 0, showRun(help));
  assert.match(help.stdout, /^Usage: ectl register /);
});

test('an unknown command in a batch line gets "did you mean"', async () => {
  const r = await ectl(['batch'], { env: s.env(), input: 'registerd_users localhost\n' });
  assert.equal(r.code, 2, showRun(r));
  assert.match(r.stderr, /^line 1: Error: unknown command 'registerd_users' \(did you mean registered_users\?\)\n/);
});
