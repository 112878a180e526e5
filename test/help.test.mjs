// `ectl help` in all its forms and `ectl <command> --help`, run as the real binary; a sample of
// command help compared with committed files (test/expected/help/, reviewed by hand); every
// command's help and example checked against its catalogue record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ectl, cleanEnv, recordingServer, root, showRun, liveServers } from './helpers.mjs';
import { matchesExpected } from './output-helpers.mjs';
import { catalogueFor, helpSpecFor } from '../dist/catalogue/releases.js';

// Help, the man page and completion show the newest release unless one is given or cached.
const commands = catalogueFor();
import { renderHelp, renderCommandHelp, exampleLine, exampleWords, tagIndex } from '../dist/cli/help.js';
import { main } from '../dist/cli/main.js';
import { summaryRule } from '../dist/cli/summary-lines.js';
import { extraCommands, globalOptions } from '../dist/cli/program.js';

const env = cleanEnv({ ECTL_URL: 'http://127.0.0.1:1/api', ECTL_RELEASE: null });
/** Compares with test/expected/help/NAME.txt (ECTL_UPDATE_EXPECTED=1 writes it: review the diff). */
const matchesHelp = (text, name) => matchesExpected(text, join('..', 'help', `${name}.txt`));
const SAMPLE = ['register', 'registered_users', 'create_room_with_opts', 'get_user_subscriptions', 'get_last', 'status',
  'delete_old_users', 'connected_users_info', 'set_presence', 'abort_delete_old_mam_messages'];

/** The command names of a listing: lines of two spaces, a name, then its summary. */
function listedNames(text) {
  return text.split('\n').filter((l) => /^ {2}[a-z0-9_]+( |$)/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
}

async function ok(args) {
  const r = await ectl(args, { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout;
}

async function usageError(args, message) {
  const r = await ectl(args, { env });
  assert.equal(r.code, 2, `exit code of ectl ${args.join(' ')}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^Error: /);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line expected, got: ${r.stderr}`);
  assert.match(r.stderr, message);
}

for (const name of SAMPLE) {
  test(`ectl help ${name} and ectl ${name} --help print the committed text`, async () => {
    const want = await ok(['help', name]);
    matchesHelp(want, name);
    assert.equal(await ok([name, '--help']), want);
    assert.equal(await ok([name.replace(/_/g, '-'), '-h']), want, 'the dashed spelling and -h');
  });
}

test('ectl register --help: synopsis, arguments in order with types, result, tags, example', async () => {
  const out = await ok(['register', '--help']);
  assert.match(out, /^Usage: ectl register <user> <host> <password>\n/);
  assert.match(out, /\n {2}user {6}string {2}Account name[^\n]*\n {2}host {6}string {2}[^\n]*\n {2}password {2}string {2}/);
  assert.match(out, /\nResult: res restuple\n/);
  assert.match(out, /-o text: +the server's text/);
  assert.match(out, /\nTags: +accounts\n/);
  assert.match(out, /\nExample:\n {2}ectl register bob example\.com\n/);
  // Global options are described once, by `ectl help`, not in every command's help.
  for (const flag of ['--timeout', '--password-file', '--config', '--ca-file', '--api-version']) assert.doesNotMatch(out, new RegExp(flag));
  assert.match(out, /see 'ectl help'/);
});

test("--help after a command's arguments or global options still shows that command's help", async () => {
  assert.equal(await ok(['-o', 'json', 'register', 'bob', '--help']), await ok(['help', 'register']));
});

test('every command: synopsis, each argument with its type, result, tags, module, example', () => {
  for (const spec of commands) {
    const out = renderCommandHelp(spec);
    assert.ok(out.startsWith(`Usage: ectl ${spec.name}${spec.args.map((a) => ` <${a.name}>`).join('')}\n`), spec.name);
    let at = out.indexOf('\nArguments:');
    for (const arg of spec.args) {
      const type = typeof arg.type === 'string' ? arg.type : 'list' in arg.type ? 'list' : 'tuple';
      const line = new RegExp(`\\n  ${arg.name} +${type} +${arg.description.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
      const m = line.exec(out.slice(at));
      assert.ok(m, `${spec.name}: argument ${arg.name} with its type and description`);
      at += m.index + 1; // arguments appear in order
    }
    assert.match(out, new RegExp(`\\nResult: ${spec.result.name} `), spec.name);
    assert.match(out, /\n {2}-o text: {2}\S/, spec.name);
    assert.match(out, new RegExp(`\\nTags: +${spec.tags.join(', ')}\\n`), spec.name);
    if (spec.module) assert.match(out, new RegExp(`\\nModule: +${spec.module} \\(must be loaded on the server\\)\\n`), spec.name);
    else assert.doesNotMatch(out, /\nModule:/, spec.name);
    assert.ok(out.includes(`\nExample:\n  ${exampleLine(spec)}\n`), spec.name);
    if (spec.details) assert.ok(out.replace(/\s+/g, ' ').includes(spec.details.replace(/\s+/g, ' ')), `${spec.name}: details`);
    for (const line of out.split('\n')) {
      if (!/^(Usage: |  ectl )/.test(line)) assert.ok(line.length <= 80 || !line.includes(' ', 2), `${spec.name}: line over 80 columns: ${line}`);
    }
  }
});

test("every command's example is a shell command line that ectl accepts and sends", async () => {
  // A real shell splits the example lines; each command then runs in-process against a
  // recording server that answers like ejabberd.
  const script = commands.map((c) => `set -- ${exampleLine(c)}; printf '%s\\0' "$@"; printf '\\1'`).join('\n');
  const split = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' });
  assert.equal(split.status, 0, split.stderr);
  const lines = split.stdout.split('\x01').slice(0, -1).map((s) => s.split('\0').slice(0, -1));
  assert.equal(lines.length, commands.length);
  const server = await recordingServer();
  const tmp = join(root, 'test', '.tmp', 'help-examples');
  mkdirSync(tmp, { recursive: true });
  try {
    for (const [i, spec] of commands.entries()) {
      const argv = lines[i];
      assert.deepEqual(argv.slice(0, 2), ['ectl', spec.name]);
      assert.deepEqual(argv.slice(2).filter((w) => w !== '--').map((w) => (w.startsWith('@@') ? w.slice(1) : w)), [...exampleWords(spec)], spec.name);
      assert.doesNotMatch(exampleLine(spec), /s3cret/, `${spec.name}: a password on the command line`);
      let stderr = '';
      const io = {
        stdout: { write: () => true }, stderr: { write: (s) => { stderr += s; return true; } },
        readStdin: async () => '', openStdin: () => { throw new Error('no stdin'); }, promptSecret: async () => 's3cret',
        env: cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: '26.07', XDG_CONFIG_HOME: tmp }), cwd: tmp,
      };
      const before = server.requests.length;
      const code = await main(argv.slice(1), io);
      assert.equal(code, 0, `${argv.join(' ')}: ${stderr}`);
      // A command with a summary line in text makes its read-only calls first (summary-lines.ts).
      const extra = summaryRule(spec.name, '26.07')?.whole.map((c) => `/api/${c.command}`) ?? [];
      assert.equal(server.requests.length, before + 1 + extra.length, spec.name);
      assert.deepEqual(server.requests.slice(before, before + extra.length).map((r) => r.url.replace(/\?.*/, '').replace(/\/v\d+$/, '')).sort(), extra.sort(), spec.name);
      // A definition whose args_rename hides an argument goes as a query (request-shapes.test.mjs).
      assert.equal(server.requests.at(-1).url.replace(/\?.*/, ''), `/api/${spec.name}/v${spec.version}`);
    }
  } finally {
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("ectl help 'regist*' lists exactly the matching commands", async () => {
  const out = await ok(['help', 'regist*']);
  assert.deepEqual(listedNames(out), commands.map((c) => c.name).filter((n) => n.startsWith('regist')));
  assert.deepEqual(listedNames(out), ['register', 'registered_users', 'registered_vhosts']);
  matchesHelp(out, 'pattern-regist');
  assert.deepEqual(listedNames(await ok(['help', '?et_last'])), ['get_last', 'set_last']);
  assert.deepEqual(listedNames(await ok(['help', '*vcard2*'])), commands.map((c) => c.name).filter((n) => n.includes('vcard2')));
});

test('ectl help accounts lists the commands of the tag with their summaries', async () => {
  const out = await ok(['help', 'accounts']);
  assert.deepEqual(listedNames(out), commands.filter((c) => c.tags.includes('accounts')).map((c) => c.name));
  assert.match(out, /\n {2}register +Create an account on a virtual host\n/);
  matchesHelp(out, 'tag-accounts');
  assert.equal(await ok(['help', 'muc-room']), await ok(['help', 'muc_room']));
});

test('ectl help register shows the command', async () => {
  matchesHelp(await ok(['help', 'register']), 'register');
});

test(`ectl help tags lists every tag with all ${commands.length} commands`, async () => {
  const out = await ok(['help', 'tags']);
  const sections = out.trim().split('\n\n');
  const byTag = tagIndex(commands);
  assert.equal(sections.length, byTag.size);
  const seen = new Set();
  for (const section of sections) {
    const [head, ...rest] = section.split('\n');
    const [, tag, count] = /^(\S+) \((\d+)\):$/.exec(head);
    const names = rest.join(' ').trim().split(/\s+/);
    assert.deepEqual(names, byTag.get(tag).map((c) => c.name), tag);
    assert.equal(Number(count), names.length);
    for (const n of names) seen.add(n);
  }
  assert.deepEqual([...seen].sort(), commands.map((c) => c.name).sort());
});

test('ectl help: usage, every global option once, the help forms, every tag', async () => {
  const out = await ok(['help']);
  assert.match(out, /^Usage: ectl \[options\] <command> \[arguments\.\.\.\]\n/);
  for (const opt of [...globalOptions(), { flags: '-V, --version' }, { flags: '-h, --help' }]) {
    const lines = out.split('\n').filter((l) => l.startsWith(`  ${opt.flags}`));
    assert.equal(lines.length, 1, `${opt.flags} once`);
  }
  assert.match(out, /ectl help tags/);
  assert.match(out, /ectl completion bash\|zsh\|fish/);
  const tagBlock = out.split(`\nTags (${commands.length} commands):\n`)[1].split('\n\n')[0];
  assert.deepEqual(tagBlock.trim().split(/\s+/), [...tagIndex(commands).keys()]);
  assert.equal(await ok(['--help']), out);
  assert.equal(await ok(['-h']), out);
});

test('ectl with no command prints the overview on stderr and exits 2', async () => {
  const r = await ectl([], { env });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, await ok(['help']));
});

test('help for help, completion and batch', async () => {
  assert.match(await ok(['help', 'help']), /^Usage: ectl help /);
  assert.match(await ok(['help', 'completion']), /^Usage: ectl completion bash\|zsh\|fish\n/);
  assert.equal(await ok(['completion', '--help']), await ok(['help', 'completion']));
  assert.match(await ok(['help', 'batch']), /^Usage: ectl batch /);
});

test("every one of ectl's own subcommands shows its help for --help, and runs nothing", async () => {
  // A server that must hear nothing: --help on cluster or rolling-restart once ran them.
  const server = await recordingServer();
  try {
    const names = extraCommands({ stdout: process.stdout, stderr: process.stderr }).map((c) => c.name);
    assert.deepEqual([...names].sort(), ['batch', 'cluster', 'doctor', 'login', 'logout', 'rolling-restart']);
    for (const name of names) {
      const nodes = `a=${server.url},b=${server.url}`;
      const r = await ectl([name, '--help'], { env: { ...env, ECTL_URL: server.url, ECTL_NODES: nodes } });
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: ectl ${name} `), name);
      // 'help cluster' also lists the commands tagged cluster, before the same text.
      assert.ok((await ok(['help', name])).endsWith(r.stdout), name);
    }
    assert.equal(server.requests.length, 0);
  } finally {
    await server.close();
  }
});

test('unknown words exit 2 with one line on stderr naming the closest', async () => {
  await usageError(['help', 'regster'], /^Error: no command or tag 'regster' \(did you mean register\?\)$/m);
  await usageError(['help', 'acounts'], /did you mean accounts\?/);
  await usageError(['help', 'tag'], /did you mean tags\?/);
  await usageError(['help', 'vcard2'], /did you mean vcard\?/);
  const rooms = commands.filter((c) => c.name.includes('rooms')).length;
  await usageError(['help', 'rooms'], new RegExp(`'ectl help \\*rooms\\*' lists the ${rooms} commands containing it`));
  await usageError(['help', 'xyzzyq'], /no command or tag 'xyzzyq'; 'ectl help tags' lists them all/);
  await usageError(['help', 'zz*'], /no command matches 'zz\*'/);
  await usageError(['help', 'register', 'nosuchthing'], /no command or tag 'nosuchthing'/);
});

test('a word that is both a tag and a command shows both', () => {
  // The catalogue has no such word today; the rule is checked on a small catalogue of its own.
  const base = commands.find((c) => c.name === 'get_roster');
  const roster = { ...base, name: 'roster', summary: 'Show a roster', tags: ['roster'] };
  const ctx = { commands: [base, roster], options: [] };
  const out = renderHelp(['roster'], ctx);
  assert.match(out, /^Commands tagged roster:\n {2}get_roster +\S.*\n {2}roster +Show a roster\n/);
  assert.ok(out.includes(`\n${renderCommandHelp(roster)}`), 'then the command help');
});

// Help always shows: a command the release in use lacks is described as the release that has it
// defines it, with one line saying which release the server runs; running it is still refused.
const lacking23 = ['add_blocked_domain', 'get_room_history', 'muc_online_rooms_count', 'unban_account'];

test('help for a command the given release lacks: exit 0, the definition of the release that added it, one line saying so; nothing is sent', async () => {
  const server = await recordingServer();
  try {
    const given = cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: '23.01' });
    for (const name of lacking23) {
      const added = catalogueFor().find((c) => c.name === name).added;
      const asked = await ectl(['--release', added, 'help', name], { env: cleanEnv({ ECTL_URL: server.url, ECTL_RELEASE: null }) });
      assert.equal(asked.code, 0, asked.stderr);
      const line = `This server runs ejabberd 23.01; this command needs ${added} or newer.`;
      for (const args of [['help', name], [name, '--help'], [name, '-h'], [name.replace(/_/g, '-'), '-h'], ['-o', 'json', name, '--help']]) {
        const r = await ectl(args, { env: given });
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr, '', args.join(' '));
        // The same text as that release's own help, with the line after the usage line.
        const [usage, ...rest] = asked.stdout.split('\n\n');
        assert.equal(r.stdout, [usage, line, ...rest].join('\n\n'), args.join(' '));
      }
      const run = await ectl([name, ...Array.from({ length: 5 }, (_, i) => `a${i}`).slice(0, catalogueFor('26.07').find((c) => c.name === name).args.length)], { env: given });
      assert.equal(run.code, 2, showRun(run));
      assert.equal(run.stderr.split('\n')[0], `Error: ${name} was added in ejabberd ${added}; this server runs 23.01${run.stderr.includes('provided by') ? run.stderr.slice(run.stderr.indexOf(' (')).trimEnd() : ''}`);
    }
    assert.equal(server.requests.length, 0);
  } finally {
    await server.close();
  }
});

test('help for an API version the release lacks shows the lowest it has and says so', async () => {
  const r = await ectl(['--release', '24.12', '--api-version', '0', 'unban_account', '--help'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: ectl unban_account <user> <host>\n\nThis server runs ejabberd 24\.12, which has this command at API v2, not v0 or older\.\n/);
  assert.match(r.stdout, /^Shown: +API v2 of ejabberd 24\.12$/m);
  const run = await ectl(['--release', '24.12', '--api-version', '0', 'unban_account', 'bob', 'example.com'], { env });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /has no definition of API version 0 or older in ejabberd 24\.12/);
});

test('a removed command (or one missing between releases) is shown as the nearest release that has it', () => {
  const definition = (releases) => ({ version: 0, releases, args: [{ name: 'host', type: 'string', description: 'A host' }], result: { name: 'res', type: 'rescode', description: 'Status' }, example: ['example.com'], tags: ['server'], module: null, policy: 'admin' });
  const removed = { name: 'old_thing', summary: 'Do an old thing', details: '', definitions: [definition(['23.01', '23.04'])] };
  const later = helpSpecFor(removed, '24.12');
  assert.deepEqual(later.absence, { kind: 'removed', release: '23.04' });
  assert.equal(later.spec.release, '23.04');
  const text = renderCommandHelp(later.spec, { release: '24.12' }, later.absence);
  assert.match(text, /^Usage: ectl old_thing <host>\n\nThis server runs ejabberd 24\.12; this command was removed after 23\.04\.\n\nDo an old thing\.\n/);
  assert.match(text, /^Shown: +API v0 of ejabberd 23\.04$/m);
  const gap = { ...removed, name: 'gap_thing', definitions: [definition(['23.01']), definition(['25.03', '25.04'])] };
  assert.deepEqual(helpSpecFor(gap, '24.12').absence, { kind: 'needs', release: '25.03' });
  assert.equal(helpSpecFor(gap, '25.04').absence, undefined);
});

// With a real server configured, help follows the release ectl detected and cached for it.
for (const s of liveServers()) {
  test(`ejabberd ${s.release} configured: help shows every command it lacks (exit 0) and says so; running one is refused`, async () => {
    const cache = mkdtempSync(join(root, 'test', '.tmp', 'help-cache-'));
    try {
      const detected = s.env({ ECTL_RELEASE: null, XDG_CACHE_HOME: cache });
      const first = await ectl(['registered_vhosts'], { env: detected });
      assert.equal(first.code, 0, showRun(first));
      const have = new Set(catalogueFor(s.release).map((c) => c.name));
      const lacking = commands.filter((c) => !have.has(c.name));
      assert.equal(lacking.length, commands.length - have.size);
      for (const c of lacking) {
        const r = await ectl([c.name, '--help'], { env: detected });
        assert.equal(r.code, 0, showRun(r));
        assert.match(r.stdout, new RegExp(`^Usage: ectl ${c.name}[^\\n]*\\n\\nThis server runs ejabberd ${s.release.replace('.', '\\.')}; this command needs ${c.added.replace('.', '\\.')} or newer\\.\\n`), c.name);
      }
      // A command it has: its own definition, no such line; at an API version below what it has: the lowest it has.
      const own = await ectl(['help', 'registered_vhosts'], { env: detected });
      assert.equal(own.code, 0, showRun(own));
      assert.doesNotMatch(own.stdout, /This server runs/);
      const v0 = await ectl(['--api-version', '0', 'help', 'unban_account'], { env: detected });
      assert.equal(v0.code, 0, showRun(v0));
      assert.match(v0.stdout, have.has('unban_account') ? /This server runs ejabberd [\d.]+, which has this command at API v2, not v0 or older\./ : /this command needs 24\.06 or newer\./);
      if (lacking.length) {
        const c = lacking[0];
        const run = await ectl(['-v', c.name, ...c.example], { env: detected });
        assert.equal(run.code, 2, showRun(run));
        assert.match(run.stderr, new RegExp(`Error: ${c.name} was added in ejabberd ${c.added.replace('.', '\\.')}; this server runs ${s.release.replace('.', '\\.')}`));
        // The cached release lacks it: only `status` may be asked (has the server been upgraded?), never the command.
        assert.doesNotMatch(run.stderr, /> POST (?!\S*\/status\n)/);
        assert.doesNotMatch(run.stderr, new RegExp(`> POST \\S*/${c.name}\\b`));
      }
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
}
