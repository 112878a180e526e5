// Every list or tuple argument's help example works on a real server: for each definition of a
// command that takes one (also the older definitions that take the list as one text, e.g.
// `a;b`) in each test server's release (--api-version picks the older ones), the
// example `ectl help CMD` and `ectl CMD --help` print is read back into words, checked to be the
// catalogue's, run through ectl with its placeholder names (bob, lobby, example.com...) turned
// into objects this file makes, and the value read back from the server. From 24.02, whose
// ejabberdctl takes the same shorthand, the same words also go through that release's
// ejabberdctl at the same API version, and both read-backs must agree.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ectl, uniqueName, liveServers, showRun, atLeast } from './helpers.mjs';
import { allEntries } from '../dist/catalogue/commands.js';
import { resolveCommand } from '../dist/catalogue/resolve.js';
import { isSecretName } from '../dist/catalogue/secrets.js';
import { xmppLogin } from './xmpp-client.mjs';

const isComplex = (type) => typeof type !== 'string';

/**
 * The definitions a release has of the commands that take a list or tuple in some definition:
 * { spec, newest, typed } (typed: this one takes it as JSON or the shorthand; otherwise the
 * list is one text with the command's own separator, as API v0 often has it).
 */
export function listDefinitions(release) {
  const out = [];
  for (const entry of allEntries()) {
    if (!entry.definitions.some((d) => d.args.some((a) => isComplex(a.type)))) continue;
    const mine = entry.definitions.filter((d) => d.releases.includes(release));
    if (mine.length === 0) continue;
    const newest = Math.max(...mine.map((d) => d.version));
    for (const d of mine) {
      out.push({ spec: resolveCommand(entry, release, d.version), newest: d.version === newest, typed: d.args.some((a) => isComplex(a.type)) });
    }
  }
  return out;
}

/** The argument naming an account's host in a release's get_roster and get_offline_count (23.10 renamed it). */
const hostArg = (s) => (atLeast(s.release, '23.10') ? 'host' : 'server');

/** The words of a line as a POSIX shell splits it (help quotes with '...' only, and '\'' inside). */
function shellWords(line) {
  const words = [];
  let word = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ' ') {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      assert.ok(end > i, `unclosed quote in ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '\\') {
      word = (word ?? '') + line[++i];
    } else word = (word ?? '') + c;
  }
  if (word !== null) words.push(word);
  return words;
}

/** The example line of a command's help text. */
function exampleOf(helpText) {
  const lines = helpText.split('\n');
  const at = lines.indexOf('Example:');
  assert.ok(at >= 0, `no Example: in\n${helpText}`);
  return lines[at + 1].trim();
}

/** The placeholders of the catalogue's examples, replaced by this file's objects (and the test host). */
const PLACEHOLDER = /\b(bob|alice|carol|lobby|team|staff|board)\b|\bexample\.(?:com|org)\b/g;
const PEOPLE = ['bob', 'alice', 'carol'];

function namesFor(tag) {
  return Object.fromEntries(['bob', 'alice', 'carol', 'lobby', 'team', 'staff', 'board'].map((n) => [n, uniqueName(`${tag}${n}`)]));
}

const fill = (words, names, host) => words.map((w) => w.replace(PLACEHOLDER, (m, name) => (name ? names[name] : host)));

/** A read-back with this run's names put back as placeholders, to compare two runs. */
function generic(text, names, host) {
  let out = text;
  for (const [placeholder, name] of Object.entries(names)) out = out.replaceAll(name, placeholder.toUpperCase());
  return out.replaceAll(host, 'HOST');
}

const sorted = (list) => [...list].sort();

/** The subscribers of a room (23.01 names the room `name`, 24.12 `room`). */
const subscribersOf = (s, room) => s.api('get_subscribers', { [atLeast(s.release, '24.12') ? 'room' : 'name']: room, service: `conference.${s.host}` });

/**
 * What each command's example must have done, read back through the HTTP API (not ectl):
 * resolves a text that depends on the names only through them (see generic()). `r` is ectl's or
 * ejabberdctl's run.
 */
const CHECKS = {
  async add_rosteritem(s, n, r, words, spec) {
    const roster = await s.api('get_roster', { user: n.bob, [hostArg(s)]: s.host });
    const item = roster.find((i) => i.jid === `${n.alice}@${s.host}`);
    assert.ok(item, `alice is not in bob's roster: ${JSON.stringify(roster)}`);
    // API v0 takes the groups as one text joined by ';', and 23.01's get_roster gives them so.
    const groups = sorted(item.groups ?? String(item.group).split(';'));
    assert.deepEqual(groups, sorted(words[5].split(spec.version >= 1 ? ',' : ';')));
    return JSON.stringify({ ...item, groups });
  },
  async create_room_with_opts(s, n) {
    // The API sends a list of name/value pairs as one object.
    const options = await s.api('get_room_options', { name: n.lobby, service: `conference.${s.host}` });
    const value = (name) => options[name];
    assert.equal(value('members_only'), 'true');
    assert.equal(value('persistent'), 'true');
    return JSON.stringify(['members_only', 'persistent'].map(value));
  },
  async oauth_issue_token(s, n, r) {
    // The token is the first field of what ectl and ejabberdctl print.
    const token = r.stdout.split(/\s/)[0];
    const tokens = await s.api('oauth_list_tokens', {});
    const mine = tokens.filter((t) => t.token === token);
    assert.equal(mine.length, 1, 'the token printed is not in the server\'s list');
    assert.equal(mine[0].user, s.admin);
    // The server checks each scope is a command it knows (the token is refused otherwise); the
    // list's text joins them in some releases, with no separator.
    const scope = JSON.stringify(mine[0].scope);
    assert.match(scope, /connected_users_number/);
    assert.match(scope, /muc_online_rooms/);
    for (const t of mine) await s.api('oauth_revoke_token', { token: t.token });
    return scope;
  },
  async send_direct_invitation(s, n) {
    // The call returns before the invitations are out: each offline invitee gets one, stored offline.
    const count = async (p) => {
      const reply = await s.api('get_offline_count', { user: n[p], [hostArg(s)]: s.host });
      return typeof reply === 'number' ? reply : Object.values(reply)[0];
    };
    const counts = () => Promise.all(['alice', 'carol'].map(count));
    let got;
    for (let i = 0; i < 50; i++) {
      got = await counts();
      if (got.every((c) => c === 1)) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.deepEqual(got, [1, 1], 'alice and carol each get one invitation');
    return JSON.stringify(got);
  },
  async set_vcard2_multi(s, n) {
    // get_vcard2_multi shows only the first value (as help says): the vCard itself, as bob gets it, has them all.
    assert.deepEqual(await s.api('get_vcard2_multi', { user: n.bob, host: s.host, name: 'ORG', subname: 'ORGUNIT' }), ['Sales']);
    const bob = await xmppLogin({ port: s.c2sPort, host: s.host, user: n.bob, password: `pw-${n.bob}`, resource: 'vcard' });
    try {
      const vcard = await bob.iq('get', "<vCard xmlns='vcard-temp'/>");
      const org = /<ORG>[\s\S]*?<\/ORG>/.exec(vcard)?.[0];
      assert.equal(org, '<ORG><ORGUNIT>Sales</ORGUNIT><ORGUNIT>Support</ORGUNIT></ORG>', vcard);
      return org;
    } finally {
      bob.close();
    }
  },
  async srg_create(s, n, r, words) {
    const info = await s.api('srg_get_info', { group: n.staff, host: s.host });
    const text = JSON.stringify(info);
    assert.match(text, /Staff/);
    assert.match(text, /All employees/);
    // The displayed groups (joined by commas in a list, by \n in API v0's text), whatever the release calls the field.
    const displayed = info.find((kv) => kv.key === 'displayed_groups')?.value;
    for (const g of words[4].split(/,|\\n/)) assert.match(String(displayed), new RegExp(`\\b${g}\\b`), text);
    return generic(text, n, s.host);
  },
  async subscribe_room(s, n, r, words) {
    const subscribers = await subscribersOf(s, n.team);
    assert.deepEqual(subscribers, [`${n.bob}@${s.host}`]);
    // The nodes the room took: any it does not know it drops without a word.
    const nodes = words.at(-1).split(',');
    assert.deepEqual(sorted(r.stdout.trim().split('\n')), sorted(nodes));
    return JSON.stringify(subscribers.length);
  },
  async subscribe_room_many(s, n) {
    const subscribers = await subscribersOf(s, n.team);
    assert.deepEqual(sorted(subscribers), sorted([`${n.alice}@${s.host}`, `${n.bob}@${s.host}`]));
    return JSON.stringify(subscribers.length);
  },
};

/** Commands whose example is not run, and why (none so far: none with a list argument stops or harms the node). */
const NOT_RUN = {};

for (const s of liveServers()) {
  describe(`ejabberd ${s.release}: the examples of list and tuple arguments run as help shows them`, () => {
    const made = { users: [], rooms: [], groups: [] };
    after(async () => {
      for (const u of made.users) await s.api('unregister', { user: u, host: s.host }).catch(() => {});
      for (const r of made.rooms) await s.api('destroy_room', { name: r, service: `conference.${s.host}` }).catch(() => {});
      for (const g of made.groups) await s.api('srg_delete', { group: g, host: s.host }).catch(() => {});
    });

    /** Fresh names, with the accounts registered and the room `team` made (lobby is left for create_room_with_opts). */
    async function objects(tag) {
      const n = namesFor(tag);
      for (const p of PEOPLE) {
        await s.api('register', { user: n[p], host: s.host, password: `pw-${n[p]}` });
        made.users.push(n[p]);
      }
      await s.api('create_room_with_opts', { name: n.team, service: `conference.${s.host}`, host: s.host, options: [{ name: 'allow_subscription', value: 'true' }] });
      made.rooms.push(n.team, n.lobby);
      // A group the example's staff group displays: from 24.06 it must exist first.
      await s.api('srg_create', { group: n.board, host: s.host, label: 'Board', description: '', display: '' });
      made.groups.push(n.staff, n.board);
      return n;
    }

    const definitions = listDefinitions(s.release);
    test('the release has list or tuple arguments, each with a live check or a reason', () => {
      assert.ok(definitions.length > 0);
      for (const { spec } of definitions) assert.ok(spec.name in CHECKS || spec.name in NOT_RUN, `${spec.name} v${spec.version}: add a check to CHECKS or a reason to NOT_RUN`);
    });

    for (const { spec, newest, typed } of definitions) {
      const label = `${spec.name} (API v${spec.version}${newest ? ', the default' : ''}${typed ? '' : ', the list as one text'})`;
      if (spec.name in NOT_RUN) {
        test(`${label}: not run (${NOT_RUN[spec.name]})`, () => {});
        continue;
      }
      test(label, async () => {
        const pick = newest ? [] : ['--api-version', String(spec.version)];
        const help = await ectl([...pick, 'help', spec.name], { env: s.env() });
        assert.equal(help.code, 0, showRun(help));
        const ownHelp = await ectl([...pick, spec.name, '--help'], { env: s.env() });
        assert.equal(ownHelp.stdout, help.stdout, 'ectl CMD --help and ectl help CMD differ');
        const line = exampleOf(help.stdout);
        const [exe, name, ...words] = shellWords(line);
        assert.equal(exe, 'ectl');
        assert.equal(name, spec.name);
        const last = spec.args.at(-1);
        const catalogue = last && isSecretName(last.name) ? spec.example.slice(0, -1) : spec.example;
        assert.deepEqual(words, catalogue, `help's example is not the catalogue's: ${line}`);
        assert.equal(words.length, spec.args.length, 'the example fills every argument');

        const n = await objects('lx');
        const filled = fill(words, n, s.host);
        // The server gives OAuth tokens only to the accounts its oauth_access allows: the test server's admin.
        if (spec.name === 'oauth_issue_token') filled[0] = s.admin;
        const r = await ectl([...pick, spec.name, ...filled], { env: s.env() });
        assert.equal(r.code, 0, `${showRun(r)}\nran: ectl ${[...pick, spec.name, ...filled].join(' ')}`);
        const ours = await CHECKS[spec.name](s, n, r, filled, spec);

        // From 24.02 ejabberdctl reads the same shorthand: the same words, at the same API version (--version N).
        if (atLeast(s.release, '24.02')) {
          const m = await objects('lc');
          const viaCtl = fill(words, m, s.host);
          if (spec.name === 'oauth_issue_token') viaCtl[0] = s.admin;
          const c = await s.ejabberdctlAsync(...(newest ? [] : ['--version', String(spec.version)]), spec.name, ...viaCtl);
          assert.equal(c.code, 0, `ejabberdctl ${spec.name}: ${showRun(c)}`);
          const theirs = await CHECKS[spec.name](s, m, c, viaCtl, spec);
          assert.equal(generic(theirs, m, s.host), generic(ours, n, s.host), 'ejabberdctl stored something else');
        }
      });
    }
  });
}
