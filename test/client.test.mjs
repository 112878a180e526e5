// The typed client: compile-time argument checking, and calls against the real test server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, } from 'node:fs';
import { join } from 'node:path';
import { createClient, UsageError, CommandFailedError, NoAnswer, UnauthorizedError } from 'ectl';
import { live, requireLiveServer, root, uniqueName } from './helpers.mjs';

test('the typed client rejects a missing argument at compile time', () => {
  const dir = join(root, 'test', '.tmp', 'tsc');
  mkdirSync(dir, { recursive: true });
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(tsconfig, JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', skipLibCheck: true, types: ['node'], typeRoots: [join(root, 'node_modules', '@types')] },
    files: [join(root, 'test', 'fixtures', 'typed-client.ts')],
  }));
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', tsconfig], { encoding: 'utf8', cwd: root });
  // Every @ts-expect-error line must really be an error, or tsc reports "Unused '@ts-expect-error' directive".
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('the typed client calls the real server and normalises results', async () => {
  requireLiveServer();
  const client = createClient({ url: live.url, user: live.admin, password: live.password });
  try {
    const u = uniqueName('tc');
    assert.equal(await client.register({ user: u, host: 'localhost', password: 'pw' }), `User ${u}@localhost successfully registered`);
    assert.ok((await client.registered_users({ host: 'localhost' })).includes(u));
    assert.equal(await client.check_account({ user: u, host: 'localhost' }), true);
    assert.equal(typeof await client.call('stats', { name: 'registeredusers' }), 'number');
    assert.deepEqual(Object.keys(await client.get_last({ user: u, host: 'localhost' })), ['timestamp', 'status']);
    await assert.rejects(client.check_account({ user: `${u}-missing`, host: 'localhost' }), CommandFailedError);
    // A yes/no command's "no" is its own kind of CommandFailedError.
    await assert.rejects(client.check_account({ user: `${u}-missing`, host: 'localhost' }), (e) => e instanceof NoAnswer && e.command === 'check_account');
    await assert.rejects(client.register({ user: u, host: 'localhost', password: 'pw' }), (e) => e instanceof CommandFailedError && /already registered/.test(e.message));
    await assert.rejects(client.call('register', { user: u }), UsageError);
  } finally {
    await client.close();
  }
  const wrong = createClient({ url: live.url, user: live.admin, password: 'wrong' });
  await assert.rejects(wrong.registered_users({ host: 'localhost' }), UnauthorizedError);
  await wrong.close();
});
