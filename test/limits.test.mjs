// Bounded memory for what the user hands ectl to read: argument files (`@path`, `@-`) and batch
// input. Peak memory is measured on the ectl process itself (its maxRSS at exit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readlinkSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, ectl, ectlPeakMemory, recordingServer, root } from './helpers.mjs';

const tmp = join(root, 'test', '.tmp', 'limits');
mkdirSync(tmp, { recursive: true });
const GB = 1024 ** 3;

const noServer = cleanEnv({ ECTL_URL: 'http://127.0.0.1:9/api' });

/** ectlPeakMemory, timed. */
async function measured(args, { env = noServer, ...options } = {}) {
  const started = Date.now();
  const r = await ectlPeakMemory(args, { env, ...options });
  return { ...r, ms: Date.now() - started };
}

/** Calls `then` once the child process has `path` open (Linux: its /proc/PID/fd links). */
function whenOpen(child, path, then) {
  const { pid } = child;
  const poll = () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    let open = false;
    try {
      open = readdirSync(`/proc/${pid}/fd`).some((fd) => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`) === path; } catch { return false; } });
    } catch {}
    if (open) then();
    else setTimeout(poll, 20);
  };
  poll();
}

/** Writes `total` bytes of `byte` into the pipe, stopping quietly when the reader goes away. */
function endless(byte, total) {
  return (pipe) => {
    const chunk = Buffer.alloc(1024 * 1024, byte);
    let sent = 0;
    pipe.on('error', () => {});
    const more = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!pipe.write(chunk)) return void pipe.once('drain', more);
      }
      pipe.end();
    };
    more();
  };
}

test('a 1 GB argument file is refused as too large without being read, nothing sent', async (t) => {
  const server = await recordingServer();
  try {
    const big = join(tmp, 'one-gb.txt');
    writeFileSync(big, '');
    truncateSync(big, GB); // sparse: takes no disk space
    const r = await measured(['check_account', 'bob', `@${big}`], { env: cleanEnv({ ECTL_URL: server.url }) });
    rmSync(big);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `Error: cannot read argument file ${big}: too large (over 16 MiB)\n`);
    assert.equal(server.requests.length, 0);
    assert.ok(r.peakMB > 0 && r.peakMB < 400, `peak memory ${r.peakMB} MB`);
    t.diagnostic(`1 GB argument file: peak memory ${r.peakMB.toFixed(0)} MB, ${r.ms} ms`);
  } finally {
    await server.close();
  }
});

test('@/dev/zero and @- fed without end stop at the limit: exit 2 "too large", bounded memory', async (t) => {
  const zero = await measured(['stats', '@/dev/zero']);
  assert.equal(zero.code, 2);
  assert.equal(zero.stderr, 'Error: cannot read argument file /dev/zero: too large (over 16 MiB)\n');
  assert.ok(zero.peakMB < 400, `peak memory ${zero.peakMB} MB`);
  const piped = await measured(['stats', '@-'], { input: endless(0x61, GB) });
  assert.equal(piped.code, 2);
  assert.equal(piped.stderr, "Error: cannot read standard input ('@-'): too large (over 16 MiB)\n");
  assert.ok(piped.peakMB < 400, `peak memory ${piped.peakMB} MB`);
  const fromDevice = await measured(['stats', '@-'], { input: { path: '/dev/zero' } });
  assert.equal(fromDevice.code, 2);
  assert.match(fromDevice.stderr, /too large \(over 16 MiB\)/);
  t.diagnostic(`@/dev/zero: peak memory ${zero.peakMB.toFixed(0)} MB; @- with 1 GB piped: ${piped.peakMB.toFixed(0)} MB`);
});

test('an argument file just under the limit is read whole; one over it is refused', async () => {
  const under = join(tmp, 'under.txt');
  const over = join(tmp, 'over.txt');
  writeFileSync(under, `${'x'.repeat(16 * 1024 * 1024 - 1)}\n`);
  writeFileSync(over, 'x'.repeat(16 * 1024 * 1024 + 1));
  const ok = await measured(['-o', 'json', '--dry-run', 'registered_users', `@${under}`]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(ok.stdout.includes(`{"host":"${'x'.repeat(1000)}`));
  // A word of a fixed set checked before sending: the error shows the start of such a value only.
  const unknownStat = await measured(['--dry-run', 'stats', `@${under}`]);
  assert.equal(unknownStat.code, 2);
  assert.match(unknownStat.stderr, /^Error: argument 'name' must be one of [a-z, ]+; got 'x{32}\.\.\. \(16777215 characters\)' \(usage: [^\n]*\)\n$/);
  // Looking for a close word must not build anything of the value's size (it took 4 GB and
  // minutes on Node 20 when each known word was compared through a table of that length).
  for (const r of [ok, unknownStat]) assert.ok(r.peakMB < 600, `peak memory ${r.peakMB.toFixed(0)} MB`);
  const bad = await measured(['--dry-run', 'registered_users', `@${over}`]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^Error: cannot read argument file .*over\.txt: too large \(over 16 MiB\)\n$/);
  rmSync(under);
  rmSync(over);
});

test('a FIFO argument is read once its writer comes; Ctrl-C while it waits exits 130 at once', async () => {
  const fifo = join(tmp, 'arg.fifo');
  rmSync(fifo, { force: true });
  const mk = spawn('mkfifo', [fifo]);
  await new Promise((r) => mk.on('close', r));
  try {
    const reading = measured(['--dry-run', 'stats', `@${fifo}`]);
    setTimeout(() => writeFileSync(fifo, 'registeredusers\n'), 300);
    const r = await reading;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\n\{"name":"registeredusers"\}\n/);
    // Ctrl-C once ectl has the FIFO open and waits for data (its handler is installed by then).
    const started = Date.now();
    const w = await ectl(['--dry-run', 'stats', `@${fifo}`], { env: noServer, onSpawn: (child) => whenOpen(child, fifo, () => child.kill('SIGINT')) });
    w.ms = Date.now() - started;
    assert.equal(w.code, 130, w.stderr);
    assert.ok(w.ms < 5000, `took ${w.ms} ms`);
  } finally {
    rmSync(fifo, { force: true });
  }
});

test('readRegularFileSync (config, password and token files): FIFOs and devices refused without waiting, size bounded', async () => {
  const { readRegularFileSync } = await import('../dist/bounded-read.js');
  const fifo = join(tmp, 'secret.fifo');
  rmSync(fifo, { force: true });
  await new Promise((r) => spawn('mkfifo', [fifo]).on('close', r));
  try {
    // Would hang here if the open waited for a writer.
    assert.throws(() => readRegularFileSync(fifo, 1024), { message: 'a FIFO, not a regular file' });
  } finally {
    rmSync(fifo, { force: true });
  }
  assert.throws(() => readRegularFileSync('/dev/zero', 1024), { message: 'a character device, not a regular file' });
  assert.throws(() => readRegularFileSync(tmp, 1024), { code: 'EISDIR' });
  assert.throws(() => readRegularFileSync(join(tmp, 'none'), 1024), { code: 'ENOENT' });
  const file = join(tmp, 'small.txt');
  writeFileSync(file, 'é'.repeat(512)); // 1024 bytes
  assert.equal(readRegularFileSync(file, 1024), 'é'.repeat(512));
  assert.throws(() => readRegularFileSync(file, 1023), { message: 'too large (over 1023 bytes)' });
  rmSync(file);
});

test('batch of a 1 GB file with no newline: exit 2 at line 1 (line too long), nothing sent, bounded memory', async (t) => {
  const server = await recordingServer();
  const big = join(tmp, 'one-gb-line.txt');
  try {
    // 2 MiB of text, then a hole up to 1 GB: a real 1 GB file with no newline, cheap to make.
    writeFileSync(big, 'a'.repeat(2 * 1024 * 1024));
    truncateSync(big, GB);
    const r = await measured(['batch', big], { env: cleanEnv({ ECTL_URL: server.url }) });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'line 1: Error: line too long (over 1 MiB; larger arguments can be read from files with @path and --allow-files); nothing after it was read\n0 ok, 1 failed (stopped early)\n');
    assert.equal(server.requests.length, 0);
    assert.ok(r.peakMB > 0 && r.peakMB < 400, `peak memory ${r.peakMB} MB`);
    const piped = await measured(['batch', '-'], { env: cleanEnv({ ECTL_URL: server.url }), input: endless(0x61, GB) });
    assert.equal(piped.code, 2);
    assert.match(piped.stderr, /^line 1: Error: line too long/);
    assert.ok(piped.peakMB < 400, `peak memory ${piped.peakMB} MB`);
    t.diagnostic(`batch, 1 GB file with no newline: peak memory ${r.peakMB.toFixed(0)} MB, ${r.ms} ms; 1 GB piped: ${piped.peakMB.toFixed(0)} MB`);
  } finally {
    rmSync(big, { force: true });
    await server.close();
  }
});

test('batch /dev/zero and a binary file end with exit 2 and the line of the first NUL byte', async (t) => {
  const zero = await measured(['batch', '/dev/zero']);
  assert.equal(zero.code, 2);
  assert.equal(zero.stderr, 'line 1: Error: binary data (a NUL byte): not batch input; nothing after this line was read\n0 ok, 1 failed (stopped early)\n');
  assert.ok(zero.peakMB < 400, `peak memory ${zero.peakMB} MB`);
  const server = await recordingServer();
  try {
    const file = join(tmp, 'binary.bin');
    writeFileSync(file, Buffer.concat([Buffer.from('status\n# fine so far\n\x7fELF\x02\x01'), Buffer.alloc(8), Buffer.from('\nstatus\n')]));
    const r = await measured(['batch', file], { env: cleanEnv({ ECTL_URL: server.url }) });
    rmSync(file);
    assert.equal(r.code, 2);
    assert.deepEqual(server.requests.map((q) => q.url), ['/api/status']);
    assert.match(r.stderr, /^line 3: Error: binary data \(a NUL byte\)/m);
    assert.match(r.stderr, /\n1 ok, 1 failed \(stopped early\)\n$/);
    t.diagnostic(`batch /dev/zero: peak memory ${zero.peakMB.toFixed(0)} MB`);
  } finally {
    await server.close();
  }
});

test('batch: a line over 1 MiB stops the input there; a line that is not UTF-8 is one failed line', async () => {
  const server = await recordingServer();
  try {
    // Line 2 is Latin-1 ("café"), not UTF-8.
    const input = Buffer.concat([Buffer.from('status\nstats caf'), Buffer.from([0xe9, 0x0a]),
      Buffer.from(`connected_users_number\nstats ${'x'.repeat(1024 * 1024)}\nstatus\n`)]);
    const file = join(tmp, 'long-line.txt');
    writeFileSync(file, input);
    const r = await measured(['batch', '-j', '1', file], { env: cleanEnv({ ECTL_URL: server.url }) });
    rmSync(file);
    assert.equal(r.code, 2);
    assert.deepEqual(server.requests.map((q) => q.url), ['/api/status', '/api/connected_users_number']);
    assert.equal(r.stderr, [
      'line 2: Error: not valid UTF-8 text',
      'line 4: Error: line too long (over 1 MiB; larger arguments can be read from files with @path and --allow-files); nothing after it was read',
      '2 ok, 2 failed (stopped early)', ''].join('\n'));
  } finally {
    await server.close();
  }
});
