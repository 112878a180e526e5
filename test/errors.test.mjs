// What ectl says when a call fails on a real server: ejabberd's reply read faithfully (a
// command's own "not found" is not a missing command), what was sent and what to do next for
// a refusal, where the log is for internal_error, and words instead of error codes for files,
// variables and a URL of the wrong scheme. Every release's test server.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ectl, uniqueName, liveServers, showRun, atLeast } from './helpers.mjs';

const oneLine = (r, code, pattern) => {
  assert.equal(r.code, code, showRun(r));
  assert.equal(r.stdout, '', showRun(r));
  assert.match(r.stderr, /^Error: [^\n]+\n$/, showRun(r));
  assert.match(r.stderr, pattern);
};

for (const s of liveServers()) {
  describe(`ejabberd ${s.release}: error messages`, () => {
    // ejabberdctl prints the reason's Erlang term as the server pretty-printed it (`~p`, broken
    // after commas and indented by up to 80 spaces); ectl prints the same reason with the term on
    // one line, and exits alike.
    for (const args of [['backup', '/nonexistent/ectl-test/x.backup'], ['install_fallback', '/nonexistent/ectl-test/x.backup'],
      ['dump', '/nonexistent/ectl-test/x.dump'], ['restore', '/nonexistent/ectl-test/x.backup']]) {
      test(`${args[0]} that fails: the server's reason with its Erlang term on one line, as ejabberdctl words it`, async () => {
        const [mine, oracle] = await Promise.all([ectl(args, { env: s.env() }), s.ejabberdctlAsync(...args)]);
        assert.equal(oracle.code, 1, showRun(oracle));
        const reason = oracle.stdout.replace(/^Error: \w+\n/, '').replace(/,\n +/g, ',');
        assert.equal(mine.stderr, `Error: ${reason}`, `ectl: ${showRun(mine)}\nejabberdctl: ${showRun(oracle)}`);
        assert.equal(mine.code, oracle.code);
        assert.equal(mine.stdout, '');
      });
    }

    test('a 404 naming the user is "no such account", and nothing is created', async () => {
      const u = uniqueName('nx');
      const r = await ectl(['change_password', u, s.host, '@-'], { env: s.env(), input: 'pw-nx-1\n' });
      oneLine(r, 1, new RegExp(`^Error: no such account ${u}@${s.host} \\(unknown_user\\)\\n$`));
      assert.doesNotMatch(r.stderr, /does not offer|module/);
      const check = await ectl(['check_account', u, s.host], { env: s.env() });
      assert.equal(check.code, 1, showRun(check));
    });

    test("a command the server lacks names its module and the server's release", async () => {
      // mod_admin_update_sql is loaded on no test server.
      const missing = new RegExp(`^Error: the server \\(ejabberd ${s.release.replace('.', '\\.')}\\) does not offer 'update_sql'; it comes with mod_admin_update_sql: add that module`);
      oneLine(await ectl(['update_sql'], { env: s.env() }), 1, missing);
      // Once the name is an atom in the server (ejabberdctl was asked for it), ejabberd answers
      // 400 "unknown_command" instead of 404 code 40: still a missing command.
      await s.ejabberdctlAsync('update_sql');
      oneLine(await ectl(['update_sql'], { env: s.env() }), 1, missing);
    });

    test('a wrong password says the user was sent and what to check', async () => {
      const r = await ectl(['registered_users', s.host], { env: s.env({ ECTL_PASSWORD: 'not-the-password' }) });
      oneLine(r, 4, new RegExp(`\\(sent: user ${s.admin} with a password\\); check the password \\(ECTL_PASSWORD, --password-file\\) and the user \\(ECTL_USER\\); 'ectl doctor' checks`));
      assert.doesNotMatch(r.stderr, /not-the-password/);
    });

    test('no credentials: says none were sent and how to give them', async () => {
      const r = await ectl(['registered_users', s.host], { env: s.env({ ECTL_USER: null, ECTL_PASSWORD: null }) });
      oneLine(r, 4, /\(sent: no credentials\); set ECTL_USER and ECTL_PASSWORD \(or run ectl login\)/);
    });

    test('a bad token: says a token was sent and to log in again', async () => {
      const r = await ectl(['registered_users', s.host], { env: s.env({ ECTL_USER: null, ECTL_PASSWORD: null, ECTL_TOKEN: 'NoSuchTok3n' }) });
      oneLine(r, 4, /\(sent: an OAuth token\); the token is wrong or has expired: get a new one with 'ectl login'/);
      assert.doesNotMatch(r.stderr, /NoSuchTok3n/);
    });

    test('an unserved host: internal_error says where the reason is logged (26.07 refuses it as not authorized)', async () => {
      const r = await ectl(['get_last', 'carol', 'nohost.example'], { env: s.env() });
      if (atLeast(s.release, '26.07')) oneLine(r, 4, /or the host 'nohost\.example' is not one this server serves/);
      else oneLine(r, 1, /^Error: ejabberd failed while running 'get_last' \(internal_error\): .*'REST API Error' line of ejabberd\.log/);
    });

    test('http:// to the HTTPS port and https:// to the HTTP port get a hint', async () => {
      const plain = await ectl(['registered_users', s.host], { env: s.env({ ECTL_URL: s.httpsUrl.replace('https:', 'http:') }) });
      oneLine(plain, 3, new RegExp(`if port ${s.httpsPort} serves HTTPS \\(TLS\\), use an https:// URL`));
      const tls = await ectl(['registered_users', s.host], { env: s.env({ ECTL_URL: s.url.replace('http:', 'https:') }) });
      oneLine(tls, 3, new RegExp(`if port ${s.httpPort} serves plain HTTP, use an http:// URL`));
    });
  });
}

const s = liveServers()[0];
test('a bad value in an environment variable blames the variable', async () => {
  for (const [name, value, pattern] of [
    ['ECTL_TIMEOUT', 'soon', /^Error: the environment variable ECTL_TIMEOUT must be a number of seconds in decimal digits \(e\.g\. 30 or 2\.5\), got 'soon'\n$/],
    ['ECTL_MAX_REPLY_SIZE', 'huge', /^Error: the environment variable ECTL_MAX_REPLY_SIZE must be a size/],
    ['ECTL_URL', 'ftp://x/api', /^Error: bad URL 'ftp:\/\/x\/api' in the environment variable ECTL_URL/],
    ['ECTL_INSECURE', 'maybe', /^Error: the environment variable ECTL_INSECURE must be true, false, 1 or 0, got 'maybe'\n$/],
  ]) {
    const r = await ectl(['registered_users', s.host], { env: s.env({ [name]: value }) });
    oneLine(r, 2, pattern);
  }
});

test('a file that cannot be read is described in words, not ENOENT', async () => {
  const r = await ectl(['--password-file', '/nonexistent/pw', 'registered_users', s.host], { env: s.env({ ECTL_PASSWORD: null }) });
  oneLine(r, 2, /^Error: cannot read the password file \/nonexistent\/pw: no such file or directory\n$/);
});
