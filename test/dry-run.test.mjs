// --dry-run's curl line does the same call when run by sh with the same environment, whatever
// the source of the password or token, and never prints the secret (issue 12, item 7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ectl, cleanEnv, live, requireLiveServer, root, uniqueName } from './helpers.mjs';
import { main } from '../dist/cli/main.js';

const tmp = join(root, 'test', '.tmp', 'dry-run');
mkdirSync(tmp, { recursive: true });

/** The notes (`# ...`) and the curl line that --dry-run printed last. */
function curlOf(stdout) {
  const lines = stdout.trimEnd().split('\n');
  const curl = lines.at(-1);
  assert.match(curl, /^curl /);
  const notes = [];
  for (let i = lines.length - 2; i >= 0 && lines[i].startsWith('# '); i--) notes.unshift(lines[i].slice(2));
  return { curl, notes };
}

/** Runs the curl line with sh, in a clean environment plus `vars`; its stdout. */
function runCurl(curl, vars = {}) {
  const r = spawnSync('sh', ['-c', curl], { env: { PATH: process.env.PATH, ...vars }, encoding: 'utf8', cwd: '/' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const secretFile = (name, text) => {
  const file = join(tmp, name);
  writeFileSync(file, text, { mode: 0o600 });
  return file;
};

/** The dry run of `registered_users localhost` as the admin, its curl line run: the list of accounts. */
async function checkSource(label, args, env, { notes = [], vars = {}, secret = live.password } = {}) {
  const r = await ectl(['--dry-run', ...args, 'registered_users', 'localhost'], { env, cwd: tmp });
  assert.equal(r.code, 0, `${label}: ${r.stderr}`);
  assert.ok(!(r.stdout + r.stderr).includes(secret), `${label}: the secret was printed`);
  const line = curlOf(r.stdout);
  assert.deepEqual(line.notes, notes, label);
  const users = JSON.parse(runCurl(line.curl, vars));
  assert.ok(users.includes('admin'), `${label}: ${JSON.stringify(users)}`);
  return line.curl;
}

test('the curl line runs as the admin with the password from ECTL_PASSWORD, ECTL_PASSWORD_FILE, --password-file or a profile', async () => {
  requireLiveServer();
  const base = { ECTL_URL: live.url, ECTL_USER: live.admin };
  const envLine = await checkSource('ECTL_PASSWORD', [], cleanEnv({ ...base, ECTL_PASSWORD: live.password }), { vars: { ECTL_PASSWORD: live.password } });
  assert.match(envLine, /-u 'admin@localhost':"\$ECTL_PASSWORD"/);
  // One trailing newline in the file, as an editor leaves it.
  const pw = secretFile('admin.pw', `${live.password}\n`);
  const fileLine = await checkSource('ECTL_PASSWORD_FILE', [], cleanEnv({ ...base, ECTL_PASSWORD_FILE: pw }));
  assert.ok(fileLine.includes(`"$(cat '${pw}')"`), fileLine);
  // A relative path is read again from anywhere: the line names the file by its absolute path.
  await checkSource('--password-file', ['--password-file', 'admin.pw'], cleanEnv(base));
  const config = join(tmp, 'config.yaml');
  writeFileSync(config, `profiles:\n  here:\n    url: ${live.url}\n    user: ${live.admin}\n    password-file: ${pw}\n`);
  await checkSource('profile', ['--config', config, '-P', 'here'], cleanEnv());
  // A file whose name needs quoting.
  const odd = secretFile("it's a pw", live.password);
  await checkSource('quoted file name', ['--password-file', odd], cleanEnv(base));
});

test('a password typed at the prompt: the line names the variable to set', async () => {
  requireLiveServer();
  let out = '';
  let err = '';
  const io = {
    stdout: { write: (s) => { out += s; return true; }, isTTY: false },
    stderr: { write: (s) => { err += s; return true; }, isTTY: false },
    readStdin: async () => '', openStdin: () => { throw new Error('no stdin'); },
    promptSecret: async () => live.password,
    env: cleanEnv({ ECTL_URL: live.url, ECTL_USER: live.admin }), cwd: tmp,
  };
  const code = await main(['--dry-run', 'registered_users', 'localhost'], io);
  assert.equal(code, 0, err);
  assert.ok(!out.includes(live.password) && !err.includes(live.password));
  const { curl, notes } = curlOf(out);
  assert.deepEqual(notes, ['set ECTL_PASSWORD to the password of admin@localhost first (it was typed at the prompt)']);
  assert.ok(JSON.parse(runCurl(curl, { ECTL_PASSWORD: live.password })).includes('admin'));
});

test('a token from ECTL_TOKEN, a token file (bare or as ectl login writes it) or --token', async () => {
  requireLiveServer();
  const issued = await ectl(['oauth_issue_token', live.admin, '600', 'ejabberd:admin']);
  assert.equal(issued.code, 0, issued.stderr);
  const token = issued.stdout.split('\t')[0];
  assert.match(token, /^\w{20,}$/);
  const base = { ECTL_URL: live.url };
  const opts = { secret: token };
  await checkSource('ECTL_TOKEN', [], cleanEnv({ ...base, ECTL_TOKEN: token }), { ...opts, vars: { ECTL_TOKEN: token } });
  await checkSource('bare token file', [], cleanEnv({ ...base, ECTL_TOKEN_FILE: secretFile('bare.token', `${token}\n`) }), opts);
  const saved = secretFile('saved.json', JSON.stringify({ token, expires_at: new Date(Date.now() + 600e3).toISOString(), user: live.admin, url: live.url }));
  const json = await checkSource('ectl login token file', ['--token-file', saved], cleanEnv(base), opts);
  assert.match(json, /Authorization: Bearer \$\(node -e /);
  await checkSource('--token', ['--token', token], cleanEnv(base), { secret: `no such secret ${uniqueName()}`, notes: ['set ECTL_TOKEN to the token first (it was given by --token)'], vars: { ECTL_TOKEN: token } });
});

test('secret arguments come from the variables the notes name', async () => {
  requireLiveServer();
  const u = uniqueName('dr');
  assert.equal((await ectl(['register', u, 'localhost', 'arg pw \'"$x'])).code, 0);
  const r = await ectl(['--dry-run', 'check_password', u, 'localhost', 'arg pw \'"$x']);
  assert.ok(!r.stdout.includes('arg pw'));
  const { curl, notes } = curlOf(r.stdout);
  assert.deepEqual(notes, ["export ECTL_ARG_PASSWORD holding the secret argument's value first"]);
  assert.equal(runCurl(curl, { ECTL_PASSWORD: live.password, ECTL_ARG_PASSWORD: 'arg pw \'"$x' }), '0');
  assert.equal(runCurl(curl, { ECTL_PASSWORD: live.password, ECTL_ARG_PASSWORD: 'wrong' }), '1');
});

test('-o json, yaml, table and csv status carry the text that text mode prints', async () => {
  requireLiveServer();
  const text = (await ectl(['status'])).stdout.replace(/\n$/, '');
  assert.match(text, /^The node \S+ is started with status: started\nejabberd /);
  assert.equal(JSON.parse((await ectl(['-o', 'json', 'status'])).stdout).text, text);
  const { parse } = await import('yaml');
  assert.equal(parse((await ectl(['-o', 'yaml', 'status'])).stdout).text, text);
  const { parse: parseCsv } = await import('csv-parse/sync');
  assert.equal(parseCsv((await ectl(['-o', 'csv', 'status'])).stdout, { columns: true })[0].text, text);
  const batch = await ectl(['-o', 'json', 'batch'], { input: 'status\n' });
  assert.equal(JSON.parse(batch.stdout).result.text, text);
});
