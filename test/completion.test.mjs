// Shell completion in the real shells: bash (its `complete` function called the way readline
// calls it), zsh (an interactive zsh on a pseudo-terminal, Tab pressed) and fish
// (`complete -C`), with static names and with vhosts, users and rooms of the live test
// server; and the hidden `ectl __complete` on its own: settings, cache, an absent or stalled
// server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ectl, cleanEnv, liveEnv, liveServers, recordingServer, requireLiveServer, root, uniqueName } from './helpers.mjs';
import { OUTPUT_FORMATS } from '../dist/config/settings.js';
import { RELEASES } from '../dist/catalogue/releases.js';

const tmp = join(root, 'test', '.tmp', 'completion');
const PATH = `${join(root, 'bin')}${delimiter}${process.env.PATH}`;
let caches = 0;
/** A fresh, empty completion cache directory. */
const freshCache = () => join(tmp, `cache-${process.pid}-${++caches}`);
/** Live-server settings, ectl on PATH, its own cache. */
const shellEnv = (extra = {}) => liveEnv({ PATH, XDG_CACHE_HOME: freshCache(), ...extra });
/** No server at all (nothing listens on port 1). */
const awayEnv = (extra = {}) => cleanEnv({ PATH, ECTL_URL: 'http://127.0.0.1:1/api', XDG_CACHE_HOME: freshCache(), ...extra });

const sorted = (a) => [...a].sort();
const sh = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
const REGIS = ['register', 'registered_users', 'registered_vhosts'];

function run(cmd, args, { env, input, timeout = 30_000 } = {}) {
  const r = spawnSync(cmd, args, { cwd: root, env, input, encoding: 'utf8', timeout });
  assert.equal(r.error, undefined, `${cmd} must be installed (npm test installs it): ${r.error?.message}`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// bash

/** COMP_WORDS as readline makes them: split at blanks, and = and : as words of their own. */
function compWords(line) {
  const words = line.split(/\s+/).filter(Boolean).flatMap((w) => w.split(/([=:]+)/).filter(Boolean));
  if (/\s$/.test(line)) words.push('');
  return words;
}

/** Sources the bash script, then calls the function `complete -p ectl` names, as readline would. */
function bashComplete(line, env, { loader = false } = {}) {
  const words = compWords(line);
  const load = loader
    ? 'source /usr/share/bash-completion/bash_completion && __load_completion ectl'
    : 'source completions/ectl.bash';
  const script = `${load} || exit 9
spec=$(complete -p ectl) || exit 8
fn=\${spec#*-F }; fn=\${fn%% *}
COMP_LINE=${sh(line)}; COMP_POINT=\${#COMP_LINE}
COMP_WORDS=(${words.map(sh).join(' ')}); COMP_CWORD=${words.length - 1}
COMP_TYPE=9; COMP_KEY=9
COMPREPLY=()
"$fn" ectl "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = run('bash', ['--norc', '--noprofile', '-c', script], { env });
  assert.equal(r.status, 0, `bash: ${r.stderr}`);
  assert.equal(r.stderr, '', 'bash printed errors');
  return r.stdout.split('\n').filter(Boolean);
}

test('bash: the script registers a completion function for ectl without errors', () => {
  const r = run('bash', ['--norc', '--noprofile', '-c', 'source completions/ectl.bash && complete -p ectl'], { env: awayEnv() });
  assert.equal(r.status, 0);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'complete -F _ectl ectl\n');
});

test('bash: command names, options and their values, help topics', () => {
  const env = awayEnv();
  assert.deepEqual(bashComplete('ectl regis', env), REGIS);
  assert.deepEqual(bashComplete('ectl -o json regis', env), REGIS);
  assert.deepEqual(bashComplete('ectl -o ', env), [...OUTPUT_FORMATS]);
  assert.deepEqual(bashComplete('ectl --output=j', env), ['json']);
  assert.deepEqual(bashComplete('ectl --output=', env), [...OUTPUT_FORMATS]);
  assert.deepEqual(bashComplete('ectl --outp', env), ['--output']);
  assert.deepEqual(bashComplete('ectl --release ', env), [...RELEASES]);
  assert.deepEqual(bashComplete('ectl --release=24.1', env), ['24.10', '24.12']);
  assert.deepEqual(bashComplete('ectl help acc', env), ['accounts']);
  assert.deepEqual(bashComplete('ectl help regis', env), REGIS);
  assert.deepEqual(bashComplete('ectl completion ', env), ['bash', 'zsh', 'fish']);
  assert.deepEqual(bashComplete('ectl register bob example.com ', env), [], 'a password is not completed');
  assert.ok(bashComplete('ectl ', env).length > 167);
});

test('bash: a path argument completes files', () => {
  mkdirSync(join(tmp, 'backups'), { recursive: true });
  writeFileSync(join(tmp, 'backups', 'db.backup'), '');
  assert.deepEqual(bashComplete(`ectl backup ${tmp}/backups/d`, awayEnv()), [`${tmp}/backups/db.backup`]);
});

test('bash: loaded on demand by bash-completion from the user completions directory', () => {
  const data = join(tmp, 'xdg-data');
  mkdirSync(join(data, 'bash-completion', 'completions'), { recursive: true });
  writeFileSync(join(data, 'bash-completion', 'completions', 'ectl'), readFileSync(join(root, 'completions', 'ectl.bash')));
  assert.deepEqual(bashComplete('ectl regis', awayEnv({ XDG_DATA_HOME: data }), { loader: true }), REGIS);
});

test('bash: the host of registered_users offers the live server vhosts', async () => {
  const vhosts = (await ectl(['registered_vhosts'], { env: liveEnv() })).stdout.trim().split('\n');
  assert.deepEqual(sorted(vhosts), ['example.org', 'localhost']);
  assert.deepEqual(sorted(bashComplete('ectl registered_users ', shellEnv())), sorted(vhosts));
  assert.deepEqual(bashComplete('ectl registered-users ex', shellEnv()), ['example.org']);
  assert.deepEqual(bashComplete('ectl -o json registered_users l', shellEnv()), ['localhost']);
});

test('bash: nothing is offered, quickly and quietly, when the server is away', () => {
  const started = Date.now();
  assert.deepEqual(bashComplete('ectl registered_users ', awayEnv()), []);
  assert.ok(Date.now() - started < 3000);
});

// ---------------------------------------------------------------------------------------------
// zsh

// An interactive zsh on a pseudo-terminal (zsh's zpty module): load compinit with our
// directory in $fpath, record every match compadd is given, type the line and press Tab.
const ZSH_INIT = `PS1='ZP> '; PS2=''
fpath=($ECTL_COMP_DIR $fpath)
autoload -U compinit && compinit -u -D
compadd() {
  if (( \${@[(I)-[OAD]*]} )); then builtin compadd "$@"; return; fi
  local -a __hits
  builtin compadd -A __hits "$@"
  (( $#__hits )) && print -rl -- $__hits >> $ECTL_COMP_OUT
  builtin compadd "$@"
}
bindkey '^I' complete-word
`;
const ZSH_DRIVER = `zmodload zsh/zpty || exit 3
zpty z zsh -f -i
zpty -w z "source \${(q)ECTL_COMP_INIT}"
zpty -r z line '*ZP> *'
zpty -w -n z "$1"$'\\t\\x15'
zpty -w z "print -r -- DO''NE"
zpty -r z line '*DONE*'
zpty -d z
`;

let zshRuns = 0;
function zshComplete(line, env) {
  const dir = join(tmp, 'zsh');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'init.zsh'), ZSH_INIT);
  writeFileSync(join(dir, 'driver.zsh'), ZSH_DRIVER);
  const out = join(dir, `matches-${++zshRuns}`);
  rmSync(out, { force: true });
  const r = run('zsh', ['-f', join(dir, 'driver.zsh'), line], {
    env: { ...env, ECTL_COMP_DIR: join(root, 'completions'), ECTL_COMP_INIT: join(dir, 'init.zsh'), ECTL_COMP_OUT: out, TERM: 'xterm' },
  });
  assert.equal(r.status, 0, `zsh: ${r.stdout}${r.stderr}`);
  return existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : [];
}

test('zsh: the file loads without error, from $fpath and by source', () => {
  const viaFpath = run('zsh', ['-f', '-c', 'fpath=(completions $fpath); autoload -U compinit && compinit -u -D && print -r -- $_comps[ectl]'], { env: awayEnv() });
  assert.equal(viaFpath.stderr, '');
  assert.equal(viaFpath.stdout, '_ectl\n');
  const viaSource = run('zsh', ['-f', '-c', 'autoload -U compinit && compinit -u -D && source completions/_ectl && print -r -- $_comps[ectl]'], { env: awayEnv() });
  assert.equal(viaSource.stderr, '');
  assert.equal(viaSource.stdout, '_ectl\n');
  assert.equal(run('zsh', ['-n', 'completions/_ectl']).status, 0, 'zsh -n: syntax');
});

test('zsh: completing ectl regis offers register, registered_users, registered_vhosts', () => {
  assert.deepEqual(zshComplete('ectl regis', awayEnv()), REGIS);
  assert.deepEqual(zshComplete('ectl -o ', awayEnv()), [...OUTPUT_FORMATS]);
  assert.deepEqual(zshComplete('ectl --release 26', awayEnv()), RELEASES.filter((r) => r.startsWith('26')));
  assert.deepEqual(zshComplete('ectl help acc', awayEnv()), ['accounts']);
});

test('zsh: the host of registered_users offers the live server vhosts', () => {
  assert.deepEqual(sorted(zshComplete('ectl registered_users ', shellEnv())), ['example.org', 'localhost']);
});

// ---------------------------------------------------------------------------------------------
// fish

function fishComplete(line, env) {
  const r = run('fish', ['--no-config', '-c', `source completions/ectl.fish; complete -C ${sh(line)}`], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
}

test('fish: the file loads without error', () => {
  const r = run('fish', ['--no-config', '-c', 'source completions/ectl.fish; and complete -c ectl | count'], { env: awayEnv() });
  assert.equal(r.status, 0);
  assert.equal(r.stderr, '');
  assert.ok(Number(r.stdout) > 167);
});

test('fish: completing ectl regis offers register, registered_users, registered_vhosts with summaries', () => {
  const found = fishComplete('ectl regis', awayEnv());
  assert.deepEqual(found.map(([w]) => w), REGIS);
  assert.deepEqual(found[0], ['register', 'Create an account on a virtual host']);
  assert.deepEqual(fishComplete('ectl -o json regis', awayEnv()).map(([w]) => w), REGIS);
  assert.deepEqual(fishComplete('ectl --release 23', awayEnv()).map(([w]) => w), ['23.01', '23.04', '23.10']);
  assert.deepEqual(sorted(fishComplete('ectl -o ', awayEnv()).map(([w]) => w)), sorted(OUTPUT_FORMATS));
});

test('fish: the host of registered_users offers the live server vhosts', () => {
  assert.deepEqual(sorted(fishComplete('ectl registered_users ', shellEnv()).map(([w]) => w)), ['example.org', 'localhost']);
});

// ---------------------------------------------------------------------------------------------
// ectl completion, ectl __complete

test('ectl completion bash|zsh|fish prints the committed scripts', async () => {
  for (const [shell, file] of [['bash', 'ectl.bash'], ['zsh', '_ectl'], ['fish', 'ectl.fish']]) {
    const r = await ectl(['completion', shell], { env: awayEnv() });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, readFileSync(join(root, 'completions', file), 'utf8'), shell);
    assert.match(r.stdout, /^(#compdef ectl\n)?# Generated by src\/gen\/completions\.ts .*do not edit/);
  }
  const bad = await ectl(['completion', 'tcsh'], { env: awayEnv() });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^Error: completion takes one shell name: bash, zsh, fish\n$/);
});

/** Runs `ectl __complete [--shell SHELL] -- WORDS`; resolves { code, stdout, stderr, ms }. */
async function completeWords(words, env, shell) {
  const started = Date.now();
  const r = await ectl(['__complete', ...(shell ? ['--shell', shell] : []), '--', ...words], { env });
  return { ...r, lines: r.stdout.split('\n').filter(Boolean), ms: Date.now() - started };
}

test('__complete: vhosts, users, JIDs, rooms and MUC services of the live server', async () => {
  requireLiveServer();
  const user = uniqueName('cmp');
  const room = uniqueName('room');
  assert.equal((await ectl(['register', user, 'example.org', 'pw'])).code, 0);
  assert.equal((await ectl(['create_room_with_opts', room, 'conference.localhost', 'localhost', 'persistent:true'])).code, 0);
  try {
    const env = shellEnv();
    const c = async (...words) => (await completeWords(words, env)).lines;
    assert.deepEqual(await c('registered_users', ''), ['example.org', 'localhost']);
    // A prefix: the shared server may hold more accounts than the 1000 candidates offered at most.
    assert.ok((await c('check_account', user.slice(0, -2))).includes(user));
    assert.deepEqual(await c('check_account', user.slice(0, -1)).then((l) => l.filter((u) => u === user)), [user]);
    assert.ok((await c('send_message', 'chat', user.slice(0, -2))).includes(`${user}@example.org`), 'a JID argument');
    assert.deepEqual((await c('send_message', 'chat', `${user}@`)), [`${user}@example.org`]);
    assert.ok((await c('destroy_room', '')).includes(room), 'a room name');
    // Other test files leave rooms on conference.example.org (the suite runs twice on one server).
    const services = await c('destroy_room', room, 'conf');
    assert.ok(services.includes('conference.localhost') && services.every((s) => s.startsWith('conference.')), `the MUC service: ${services}`);
    const services2 = await c('muc_online_rooms', '');
    assert.ok(services2.includes('conference.localhost') && services2.includes('global'), `MUC services and global: ${services2}`);
    assert.ok(services2.every((s) => s === 'global' || /^[a-z]+\.(localhost|example\.org)$/.test(s)), `only services: ${services2}`);
    assert.ok((await c('unsubscribe_room', 'x@example.org', '')).includes(`${room}@conference.localhost`), 'a room JID');
    assert.deepEqual(await c('change_password', user, 'example.org', ''), [], 'a password is not completed');
    assert.deepEqual(await c('registered_users', 'example.org', ''), [], 'no argument beyond the last');
  } finally {
    await ectl(['destroy_room', room, 'conference.localhost']);
    await ectl(['unregister', user, 'example.org']);
  }
});

test('__complete: nothing, exit 0, when the server is away or stalls (gives up after 2 s of waiting)', async () => {
  const away = await completeWords(['registered_users', ''], awayEnv());
  assert.deepEqual([away.code, away.stdout, away.stderr], [0, '', '']);
  const stalled = createServer(() => {}); // accepts connections and never answers
  await new Promise((r) => stalled.listen(0, '127.0.0.1', r));
  try {
    const env = awayEnv({ ECTL_URL: `http://127.0.0.1:${stalled.address().port}/api` });
    const r = await completeWords(['check_account', ''], env);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', '']);
    // The wait is bounded at 2 s; the rest is Node's start, measured by the call to the absent server
    // (a loaded machine slows both alike).
    assert.ok(r.ms < away.ms + 2500, `took ${r.ms} ms, ${away.ms} ms with no server`);
  } finally {
    stalled.close();
  }
  const wrongPassword = await completeWords(['registered_users', ''], shellEnv({ ECTL_PASSWORD: 'wrong' }));
  assert.deepEqual([wrongPassword.code, wrongPassword.stdout, wrongPassword.stderr], [0, '', '']);
});

test('__complete never asks for a missing password, even on a terminal', () => {
  // util-linux script(1) gives ectl a pseudo-terminal as standard input, where commands prompt.
  const env = cleanEnv({ PATH, ECTL_URL: 'http://127.0.0.1:1/api', ECTL_USER: 'admin@localhost', XDG_CACHE_HOME: freshCache(), SHELL: '/bin/sh' });
  const r = spawnSync('script', ['-qec', "ectl __complete -- registered_users ''", '/dev/null'], { env, encoding: 'utf8', timeout: 5000 });
  assert.equal(r.error, undefined, `no answer within 5 s: ${r.error?.message}`);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, '');
});

test('__complete: uses the settings of ectl (environment, config profiles) and asks once a minute', async () => {
  const server = await recordingServer((req, body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url === '/api/registered_vhosts' ? ['a.example', 'b.example'] : []));
  });
  try {
    const cache = freshCache();
    const config = join(tmp, 'xdg-config');
    mkdirSync(join(config, 'ectl'), { recursive: true });
    const pwFile = join(config, 'pw');
    writeFileSync(pwFile, 'profile-secret\n');
    chmodSync(pwFile, 0o600);
    writeFileSync(join(config, 'ectl', 'config.yaml'),
      `profiles:\n  rec:\n    url: ${server.url}\n    user: admin@a.example\n    password-file: ${pwFile}\n  other:\n    url: http://127.0.0.1:1/api\n`);
    const env = cleanEnv({ XDG_CONFIG_HOME: config, XDG_CACHE_HOME: cache });
    assert.deepEqual((await completeWords(['-P', ''], env)).lines, ['other', 'rec'], 'profile names');
    assert.deepEqual((await completeWords(['--profile=r'], env)).lines, ['rec']);
    const first = await completeWords(['-P', 'rec', 'registered_users', ''], env);
    assert.deepEqual(first.lines, ['a.example', 'b.example']);
    assert.equal(server.requests.length, 1);
    const basic = `Basic ${Buffer.from('admin@a.example:profile-secret').toString('base64')}`;
    assert.equal(server.requests[0].headers.authorization, basic, 'the profile credentials');
    // From the cache: no second request.
    const second = await completeWords(['-P', 'rec', 'registered_users', 'a'], env);
    assert.deepEqual(second.lines, ['a.example']);
    assert.equal(server.requests.length, 1);
    const file = join(cache, 'ectl', 'completion-cache.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    // Once the answer is a minute old it is asked for again.
    const stale = JSON.parse(readFileSync(file, 'utf8'));
    for (const e of Object.values(stale.entries)) e.at -= 61_000;
    writeFileSync(file, JSON.stringify(stale));
    await completeWords(['-P', 'rec', 'registered_users', ''], env);
    assert.equal(server.requests.length, 2);
    // The environment's settings, as for any command.
    const viaEnv = cleanEnv({ ECTL_URL: server.url, ECTL_USER: 'u@b.example', ECTL_PASSWORD: 'env-secret', XDG_CACHE_HOME: freshCache() });
    assert.deepEqual((await completeWords(['registered_users', ''], viaEnv)).lines, ['a.example', 'b.example']);
    assert.equal(server.requests.at(-1).headers.authorization, `Basic ${Buffer.from('u@b.example:env-secret').toString('base64')}`);
  } finally {
    await server.close();
  }
});

test('__complete: timings against the live server (uncached, cached)', async (t) => {
  const env = shellEnv();
  const uncached = await completeWords(['registered_users', ''], env);
  const cached = await completeWords(['registered_users', ''], env);
  assert.deepEqual(cached.lines, uncached.lines);
  assert.ok(uncached.ms < 2500 && cached.ms < 2500);
  t.diagnostic(`__complete registered_users: ${uncached.ms} ms uncached, ${cached.ms} ms cached`);
});

before(() => mkdirSync(tmp, { recursive: true }));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('fixed word lists (affiliations, log levels, presence, room options...) complete without a server', async () => {
  const env = awayEnv(); // nothing listens there: these answers cannot come from a server
  const c = async (...words) => (await completeWords(words, env)).lines;
  assert.deepEqual(await c('set_room_affiliation', 'r', 'conference.example.org', 'a@example.org', ''), ['admin', 'member', 'none', 'outcast', 'owner']);
  assert.deepEqual(await c('set_loglevel', 'w'), ['warning']);
  assert.deepEqual(await c('status_num', ''), ['available', 'away', 'chat', 'dnd', 'xa']);
  assert.deepEqual(await c('set_presence', 'u', 'example.org', 'r', 'available', ''), ['away', 'chat', 'dnd', 'xa']);
  assert.deepEqual(await c('add_rosteritem', 'a', 'h', 'b', 'h', 'nick', 'group', 'b'), ['both']);
  assert.deepEqual(await c('change_room_option', 'r', 'conference.example.org', 'members_'), ['members_by_default', 'members_only']);
  assert.deepEqual(await c('stats', ''), ['onlineusers', 'onlineusersnode', 'processes', 'registeredusers', 'uptimeseconds']);
  assert.deepEqual(await c('process_rosteritems', 'list', 'an'), ['any']);
  assert.deepEqual(await c('process_rosteritems', 'list', 'any:b'), ['any:both']);
  // true/false and other fixed sets outside room options, from the same lists as the checks before sending.
  assert.deepEqual(await c('change_room_option', 'r', 'conference.example.org', 'members_only', ''), ['false', 'true']);
  // allowpm came in 23.10: its words for a release that has it, none for one that does not.
  const allowpm = ['change_room_option', 'r', 'conference.example.org', 'allowpm', ''];
  assert.deepEqual((await completeWords(allowpm, { ...env, ECTL_RELEASE: '26.07' })).lines, ['anyone', 'moderators', 'none', 'participants']);
  assert.deepEqual((await completeWords(allowpm, { ...env, ECTL_RELEASE: '23.01' })).lines, []);
  assert.deepEqual(await c('change_room_option', 'r', 'conference.example.org', 'title', ''), []);
  // Commands 23.01 lacks, as 26.07 has them.
  const c26 = async (...words) => (await completeWords(words, { ...env, ECTL_RELEASE: '26.07' })).lines;
  assert.deepEqual(await c26('srg_set_info', 'g', 'example.org', ''), ['all_users', 'description', 'label', 'online_users']);
  assert.deepEqual(await c26('srg_set_info', 'g', 'example.org', 'online_users', ''), ['false', 'true']);
  assert.deepEqual(await c26('srg_set_info', 'g', 'example.org', 'label', ''), []);
  assert.deepEqual(await c26('mnesia_table_change_storage', 'roster', 'disc'), ['disc_copies', 'disc_only_copies']);
  assert.deepEqual(await c26('export_db_ext', 'example.org', '/tmp/x', 'all', ''), ['dbser', 'json']);
  // MUC/Sub nodes, a list: the words follow what is typed up to the last comma.
  const nodes = 'urn:xmpp:mucsub:nodes:messages,urn:xmpp:mucsub:nodes:su';
  const both = ['subject', 'subscribers'].map((n) => `urn:xmpp:mucsub:nodes:messages,urn:xmpp:mucsub:nodes:${n}`);
  assert.deepEqual(await c26('subscribe_room', 'bob', 'example.org', 'Bob', 'team', 'conference.example.org', nodes), both);
  // 23.01's API v0: one text of nodes joined by commas, completed the same way.
  assert.deepEqual(await c('subscribe_room', 'bob@example.org', 'Bob', 'team@conference.example.org', nodes), both);
  // Through the real bash script as well; a node's colons are word breaks for bash, which replaces what follows the last.
  assert.deepEqual(bashComplete('ectl set_loglevel in', env), ['info']);
  assert.deepEqual(bashComplete('ectl subscribe_room bob@h Bob team@c urn:xmpp:mucsub:nodes:messages,urn:xmpp:mucsub:nodes:pr', env), ['presence']);
});

// ---------------------------------------------------------------------------------------------
// Tab, then Enter, in each real shell on a terminal (tmux): a name from the server arrives as
// that name and nothing in it runs. `ectl` there is a shell function that hands __complete to
// the real ectl and writes the arguments of any other call to a file (NUL-separated).

const TERMINAL_SHELLS = {
  bash: {
    rc: 'init.bash',
    command: (rc) => `bash --noprofile --rcfile ${sh(rc)} -i`,
    init: `PS1='READY> '; PS2='MORE> '
source ${sh(join(root, 'completions', 'ectl.bash'))}
ectl() { if [[ $1 == __complete ]]; then command ectl "$@"; else printf '%s\\0' "$@" > "$ECTL_ARGS_OUT"; fi; }
`,
  },
  zsh: {
    rc: '.zshrc',
    command: (rc) => `env ZDOTDIR=${sh(join(rc, '..'))} zsh -i`,
    init: `PS1='READY> '; PS2='MORE> '
fpath=(${sh(join(root, 'completions'))} $fpath)
autoload -U compinit && compinit -u -D
ectl() { if [[ $1 == __complete ]]; then command ectl "$@"; else printf '%s\\0' "$@" > "$ECTL_ARGS_OUT"; fi; }
`,
  },
  fish: {
    rc: 'init.fish',
    command: (rc) => `fish --no-config -i -C ${sh(`source ${rc}`)}`,
    init: `function fish_prompt; echo -n 'READY> '; end
function fish_greeting; end
source ${join(root, 'completions', 'ectl.fish')}
function ectl
    if test "$argv[1]" = __complete
        command ectl $argv
    else
        printf '%s\\0' $argv > $ECTL_ARGS_OUT
    end
end
`,
  },
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A tmux server of its own running each shell, ready for `tab(shell, typed)`: types the text,
 * presses Tab, then Enter, and resolves the arguments the `ectl` function received.
 */
async function terminalShells(env) {
  const dir = join(tmp, `tty-${process.pid}-${++caches}`);
  const cwd = join(dir, 'cwd');
  mkdirSync(cwd, { recursive: true });
  const socket = `ectl-complete-${process.pid}-${caches}`;
  const out = join(dir, 'args');
  const tmuxEnv = { ...env, ECTL_ARGS_OUT: out, TERM: 'xterm-256color', LANG: 'C.UTF-8', HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') };
  const tmux = (...args) => spawnSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { env: tmuxEnv, cwd, encoding: 'utf8' });
  const screen = (shell) => tmux('capture-pane', '-p', '-J', '-t', shell).stdout;
  const waitFor = async (what, check, ms = 15_000) => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (check()) return;
    throw new Error(`${what}: not within ${ms} ms; screen:\n${Object.keys(TERMINAL_SHELLS).map(screen).join('\n----\n')}`);
  };
  for (const [shell, s] of Object.entries(TERMINAL_SHELLS)) {
    const rc = join(dir, shell, s.rc);
    mkdirSync(join(dir, shell), { recursive: true });
    writeFileSync(rc, s.init);
    const r = tmux(...(shell === 'bash' ? ['new-session', '-d'] : ['new-window', '-d']), '-n', shell, ...(shell === 'bash' ? ['-s', 'ectl', '-x', '250', '-y', '50'] : ['-t', 'ectl']), s.command(rc));
    assert.equal(r.status, 0, `tmux (npm test installs it): ${r.stderr}`);
  }
  for (const shell of Object.keys(TERMINAL_SHELLS)) await waitFor(`${shell} prompt`, () => screen(shell).includes('READY>'));
  return {
    cwd,
    /** Types `typed` at the shell's prompt, presses Tab and Enter; the arguments ectl was called with. */
    async tab(shell, typed) {
      rmSync(out, { force: true });
      tmux('send-keys', '-t', shell, 'C-u');
      tmux('send-keys', '-t', shell, '-l', typed);
      tmux('send-keys', '-t', shell, 'Tab');
      // The completion runs (ectl starts) before the shell reads the next key; wait until the line changed.
      await waitFor(`${shell}: Tab after ${JSON.stringify(typed)}`, () => !screen(shell).trimEnd().endsWith(typed.trimEnd()) || existsSync(out), 8000).catch(() => {});
      tmux('send-keys', '-t', shell, 'Enter');
      await waitFor(`${shell}: Enter after ${JSON.stringify(typed)}`, () => existsSync(out) && readFileSync(out, 'utf8').endsWith('\0'));
      await waitFor(`${shell} prompt again`, () => screen(shell).trimEnd().endsWith('READY>'));
      return readFileSync(out, 'utf8').split('\0').slice(0, -1);
    },
    close: () => tmux('kill-server'),
  };
}

/** Names no shell may read as code, for a server that allows anything (a fake one). */
const HOSTILE = {
  cmdsub: 'k01$({touch,pwned1})',
  backtick: 'k02`{touch,pwned2}`',
  semicolon: 'k03;{touch,pwned3};x',
  glob: 'k04*?[ab]',
  quotes: `k05'q"d`,
  space: 'k06 two words',
  history: 'k07!!x|y\\z&',
  newline: 'k08\nline2',
  escape: 'k09\x1b[31mred\x07',
  bidi: 'k10\u202eevil\u200b',
  long: `k11${'$(x)'.repeat(500)}`,
  tilde: 'k12~root#x',
};

test('Tab then Enter in bash, zsh and fish: hostile names from a server arrive exactly, nothing runs', async () => {
  const server = await recordingServer((req, body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url.includes('registered_vhosts') ? ['h.example'] : Object.values(HOSTILE)));
  });
  const shells = await terminalShells(awayEnv({ ECTL_URL: server.url, ECTL_USER: 'admin@h.example', ECTL_PASSWORD: 'pw' }));
  try {
    // A file that `k04*?[ab]` would match if the glob reached the shell unquoted.
    writeFileSync(join(shells.cwd, 'k04-decoy-a'), '');
    for (const shell of Object.keys(TERMINAL_SHELLS)) {
      for (const [what, name] of Object.entries(HOSTILE)) {
        const prefix = name.slice(0, 3);
        const got = await shells.tab(shell, `ectl check_account ${prefix}`);
        // fish shows format characters raw on its command line: such a name is not offered there.
        const expected = shell === 'fish' && what === 'bidi' ? prefix : name;
        assert.deepEqual(got, ['check_account', expected], `${shell}, ${what}`);
      }
      // Typed with an open quote: bash and zsh complete inside that quote.
      if (shell !== 'fish') {
        assert.deepEqual(await shells.tab(shell, `ectl check_account 'k01`), ['check_account', HOSTILE.cmdsub], `${shell}, after '`);
        assert.deepEqual(await shells.tab(shell, `ectl check_account "k07`), ['check_account', HOSTILE.history], `${shell}, after "`);
      }
    }
    assert.deepEqual(readdirSync(shells.cwd), ['k04-decoy-a'], 'no command ran: no file was made');
  } finally {
    shells.close();
    await server.close();
  }
});

// Every release's server: accounts and rooms named with shell syntax (as ejabberd allows in a
// name), and each room argument offered what it takes: 24.12 and later list rooms as addresses,
// while set_room_affiliation's and get_room_options' room is a name (23.01 calls it `name`).
for (const s of process.env.ECTL_TEST_SERVERS ? liveServers() : []) {
  test(`Tab then Enter on ${s.release} in bash, zsh and fish: accounts and rooms with shell syntax; room names where a name is taken`, async () => {
    const base = uniqueName('tq');
    const accounts = [`${base}a$({touch,pwned})`, `${base}b\`{touch,pwned}\``, `${base}c;{touch,pwned}`, `${base}d*?[ab]`];
    const room = `${base}r$({touch,pwned})`;
    const roomArg = s.release === '23.01' ? { name: room } : { room };
    for (const user of accounts) await s.api('register', { user, host: 'localhost', password: 'pw' });
    await s.api('create_room', { ...roomArg, service: 'conference.localhost', host: 'localhost' });
    const shells = await terminalShells(s.env({ PATH, XDG_CACHE_HOME: freshCache() }));
    try {
      writeFileSync(join(shells.cwd, `${base}d-decoy-a`), '');
      for (const shell of Object.keys(TERMINAL_SHELLS)) {
        for (const [i, user] of accounts.entries()) {
          assert.deepEqual(await shells.tab(shell, `ectl check_account ${base}${'abcd'[i]}`), ['check_account', user], `${shell}: account ${user}`);
        }
        assert.deepEqual(await shells.tab(shell, `ectl set_room_affiliation ${base}r`), ['set_room_affiliation', room], `${shell}: a room name`);
        assert.deepEqual(await shells.tab(shell, `ectl get_room_options ${base}r`), ['get_room_options', room], `${shell}: a room name`);
        assert.deepEqual(await shells.tab(shell, `ectl get_room_options ${sh(room)} conference.l`), ['get_room_options', room, 'conference.localhost'], `${shell}: a MUC service`);
        // 23.01's unsubscribe_room takes the room's address; later releases take a name and a service.
        const unsubscribe = s.release === '23.01' ? ['x@localhost', `${room}@conference.localhost`] : ['x', 'localhost', room];
        assert.deepEqual(await shells.tab(shell, `ectl unsubscribe_room ${unsubscribe.slice(0, -1).join(' ')} ${base}r`), ['unsubscribe_room', ...unsubscribe], `${shell}: unsubscribe_room's room`);
      }
      assert.deepEqual(readdirSync(shells.cwd), [`${base}d-decoy-a`], 'no command ran: no file was made');
    } finally {
      shells.close();
      await s.api('destroy_room', { ...roomArg, service: 'conference.localhost' }).catch(() => {});
      for (const user of accounts) await s.api('unregister', { user, host: 'localhost' }).catch(() => {});
    }
  });
}

test('__complete of a huge list: bounded time, output and cache', async () => {
  const many = (n) => JSON.stringify(Array.from({ length: n }, (_, i) => `user${String(i).padStart(7, '0')}`));
  const lists = { huge: many(2_000_000), large: many(100_000), small: many(50) };
  const hosts = Array.from({ length: 500 }, (_, i) => `h${i}.example`);
  let list = 'huge';
  const server = await recordingServer((req, body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(req.url.includes('registered_vhosts') ? JSON.stringify(list === 'hosts' ? hosts : ['big.example']) : lists[list === 'hosts' ? 'small' : list]);
  });
  try {
    const env = awayEnv({ ECTL_URL: server.url, ECTL_USER: 'a@big.example', ECTL_PASSWORD: 'pw', ECTL_RELEASE: '26.07' });
    const away = await completeWords(['check_account', 'user'], awayEnv());
    // 2 million names (28 MB): more than completion reads; nothing offered, within the 2 s budget.
    const huge = await completeWords(['check_account', 'user00000'], { ...env, XDG_CACHE_HOME: freshCache() });
    assert.deepEqual([huge.code, huge.stdout, huge.stderr], [0, '', '']);
    assert.ok(huge.ms < away.ms + 3000, `2 million names: ${huge.ms} ms (${away.ms} ms with no server)`);
    // 100 000 names: at most 1000 offered, the last match among them (the shell's common prefix stays right); not cached.
    list = 'large';
    const cache = freshCache();
    const large = await completeWords(['check_account', 'user'], { ...env, XDG_CACHE_HOME: cache });
    assert.equal(large.lines.length, 1000);
    assert.equal(large.lines.at(-1), 'user0099999');
    assert.ok(large.ms < away.ms + 3000, `100 000 names: ${large.ms} ms`);
    const file = join(cache, 'ectl', 'completion-cache.json');
    assert.ok(!existsSync(file) || statSync(file).size < 1024 * 1024, 'the cache stays small');
    assert.ok(!existsSync(file) || !readFileSync(file, 'utf8').includes('user0099999'), 'a list that large is not cached');
    // 500 virtual hosts: their users are asked of a bounded number of them.
    list = 'hosts';
    const before = server.requests.length;
    const perHost = await completeWords(['check_account', 'user00000'], { ...env, XDG_CACHE_HOME: freshCache() });
    assert.equal(perHost.code, 0);
    assert.ok(server.requests.length - before <= 40, `${server.requests.length - before} requests for 500 hosts`);
  } finally {
    await server.close();
  }
});

test('__complete offers only the profile names ectl accepts: a config key like a$(...), ../x or one with an escape is never offered', async () => {
  const config = join(tmp, 'xdg-config-odd-profiles');
  mkdirSync(join(config, 'ectl'), { recursive: true });
  writeFileSync(join(config, 'ectl', 'config.yaml'),
    'profiles:\n  "a$(touch pwned)":\n    url: http://127.0.0.1:1/api\n  "../up":\n    url: http://127.0.0.1:1/api\n  "b\\e[31m":\n    url: http://127.0.0.1:1/api\n  prod-1.x:\n    url: http://127.0.0.1:1/api\n');
  const env = cleanEnv({ XDG_CONFIG_HOME: config, XDG_CACHE_HOME: join(tmp, 'odd-profiles-cache') });
  for (const shell of [undefined, 'bash', 'zsh', 'fish']) {
    const r = await completeWords(['-P', ''], env, shell);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split(/[\n\0]/).filter(Boolean), ['prod-1.x'], `${shell ?? 'plain'}: ${JSON.stringify(r.stdout)}`);
  }
  // The names offered are the ones that work.
  const used = await ectl(['-P', 'a$(touch pwned)', 'status'], { env });
  assert.equal(used.code, 2);
  assert.match(used.stderr, /bad profile name/);
});
