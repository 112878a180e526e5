// npm run quickstart as a person uses it: re-running keeps the node and its data, `-- reset`
// wipes it, `-- stop` says what it stopped (or that nothing ran), and it says how to put ectl on
// the PATH (issue 12, item 8). Its own node and ports (50 above the suite's), never 5280.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ectl, cleanEnv, root, uniqueName } from './helpers.mjs';

const base = Number(process.env.ECTL_TEST_HTTP_PORT ?? 15280) + 50;
const node = `${(process.env.ECTL_TEST_NODE ?? 'ectltest@localhost').split('@')[0]}quick@localhost`;
const dir = `${process.env.ECTL_TEST_DIR ?? '/tmp/ectl-test-ejabberd'}-quickstart`;
const qsEnv = {
  PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: process.env.HOME, LANG: 'C.UTF-8',
  ECTL_TEST_NODE: node, ECTL_TEST_DIR: dir, ECTL_TEST_HTTP_PORT: String(base), ECTL_TEST_C2S_PORT: String(base + 1), ECTL_TEST_HTTPS_PORT: String(base + 2),
};
const url = `http://127.0.0.1:${base}/api`;

function quickstart(...args) {
  const path = typeof args.at(-1) === 'object' ? args.pop().path : qsEnv.PATH;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'quickstart.mjs'), ...args], { cwd: root, env: { ...qsEnv, PATH: path } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

const asAdmin = () => cleanEnv({ ECTL_URL: url, ECTL_USER: 'admin@localhost', ECTL_PASSWORD_FILE: join(dir, 'admin.pw') });

test('quickstart: keeps data on re-runs, stop says what it stopped, reset wipes; says how to put ectl on the PATH', { timeout: 600_000 }, async () => {
  try {
    await quickstart('stop');
    const none = await quickstart('stop');
    assert.equal(none.code, 0, none.out);
    assert.equal(none.out, `No quickstart ejabberd was running (node ${node}); nothing stopped.\n`);

    const first = await quickstart();
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /is started with status: started/);
    assert.ok(first.out.includes('ectl is not on your PATH yet: run `npm link` (or `npm install -g .`)'), first.out);
    assert.ok(first.out.includes(`export ECTL_URL=${url} ECTL_USER=admin@localhost ECTL_PASSWORD_FILE=${join(dir, 'admin.pw')}`), first.out);
    // It says where to reach it: ports, hosts, and an ejabberdctl line that works.
    assert.ok(first.out.includes(`its API on ${url}, XMPP clients\non 127.0.0.1:${base + 1} (C2S) and HTTPS on https://127.0.0.1:${base + 2}/api. It serves the hosts localhost and example.org`), first.out);
    const ctlLine = /reaches it with \(any command in place of status\):\n\n {2}(.+)\n/.exec(first.out)?.[1];
    assert.ok(ctlLine?.includes(`--node ${node}`), first.out);
    const ctl = spawnSync('sh', ['-c', ctlLine], { encoding: 'utf8' });
    assert.equal(ctl.status, 0, `${ctlLine}: ${ctl.stdout}${ctl.stderr}`);
    assert.match(ctl.stdout, new RegExp(`The node ${node} is started`));
    const u = uniqueName('qs');
    assert.equal((await ectl(['register', u, 'localhost', 'pw'], { env: asAdmin() })).code, 0);

    // Again while it runs: nothing restarted, the account is there, the same password works.
    const again = await quickstart();
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /already running: nothing was restarted/);
    // A short status: how many accounts each host has, not the accounts.
    assert.ok(again.out.includes('\n$ ectl stats_host registeredusers localhost\n2\n'), again.out);
    assert.ok(again.out.includes('\n$ ectl stats_host registeredusers example.org\n0\n'), again.out);
    assert.ok(!again.out.includes(u), again.out);
    assert.equal((await ectl(['check_account', u, 'localhost'], { env: asAdmin() })).code, 0);
    // As after `npm link`: ectl on the PATH, and it says where.
    const bin = join(root, 'test', '.tmp', 'quickstart-bin');
    mkdirSync(bin, { recursive: true });
    rmSync(join(bin, 'ectl'), { force: true });
    symlinkSync(join(root, 'bin', 'ectl'), join(bin, 'ectl'));
    const linked = await quickstart({ path: `${bin}:${qsEnv.PATH}` });
    assert.equal(linked.code, 0, linked.out);
    assert.ok(linked.out.includes(`ectl is on your PATH (${join(bin, 'ectl')}).`), linked.out);

    const stopped = await quickstart('stop');
    assert.equal(stopped.code, 0);
    assert.equal(stopped.out, `Stopped the quickstart ejabberd (node ${node}, API on ${url}).\nIts accounts and rooms stay in ${dir}: \`npm run quickstart\` starts it again with them, \`npm run quickstart -- reset\` wipes them.\n`);
    assert.notEqual((await ectl(['status'], { env: asAdmin() })).code, 0, 'it is stopped');

    // Started again on the same spool: same node, the account kept.
    const restarted = await quickstart();
    assert.equal(restarted.code, 0, restarted.out);
    assert.match(restarted.out, /runs on the data of the earlier run/);
    assert.ok(restarted.out.includes(`node ${node}`));
    assert.equal((await ectl(['check_account', u, 'localhost'], { env: asAdmin() })).code, 0);

    const reset = await quickstart('reset');
    assert.equal(reset.code, 0, reset.out);
    assert.match(reset.out, /Its data was wiped/);
    assert.equal((await ectl(['check_account', u, 'localhost'], { env: asAdmin() })).code, 1, 'the account is gone');
    assert.equal((await ectl(['check_account', 'admin', 'localhost'], { env: asAdmin() })).code, 0, 'with a new admin password in the file');

    const bad = await quickstart('wipe');
    assert.equal(bad.code, 2);
    assert.match(bad.out, /^usage: npm run quickstart/);
  } finally {
    await quickstart('stop');
  }
});
