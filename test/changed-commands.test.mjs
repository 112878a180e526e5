// Commands whose arguments or result changed after 23.01, on every release npm test starts, in
// that release's argument shapes: with the newest definition the release has, and with
// `--api-version 0` (the 23.01 shapes) against `ejabberdctl --version 0`. Each case runs twice on
// twin objects of its own (accounts, rooms, groups): once through ectl, once through the release's
// own ejabberdctl. Their stdout and exit codes must be equal (the twins' names swapped), and so
// must what the release's ejabberdctl reads back from each twin afterwards.
//
// Not here: join_cluster (its result changed in 24.06, but a cluster needs a second node).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ectl, uniqueName, liveServers, atLeast, HOST as H, MUC, MSG, SUBJ, jid, sortedLines, showRun as show } from './helpers.mjs';
import { xmppLogin } from './xmpp-client.mjs';

// Only rooms_empty_destroy's cases keep rooms on it (it destroys every empty room of a service).
const SCRATCH = 'scratch.example.org';
const PW = 'twin-pw-1';

/**
 * The cases. `since`: first release with the command; `changed`: first release whose newest
 * definition differs from API version 0 (before it both modes send the same shape); `only`:
 * 'newest' for commands that have no version 0. `twin(t)` names one twin's objects; `prepare`
 * builds them over the HTTP API (API version 0 shapes); `args(t, mode, release)` the command line;
 * `check` lists ejabberdctl read commands compared between the twins afterwards.
 */
const cases = [
  {
    name: 'add_rosteritem', changed: '24.02',
    twin: () => ({ lu: uniqueName('cl'), u: uniqueName('cu') }),
    prepare: async (s, t) => { await reg(s, t.lu); await reg(s, t.u); },
    args: (t, mode) => ['add_rosteritem', t.lu, H, t.u, H, 'Nick Name', mode === 'newest' ? 'Friends,Work' : 'Friends', 'both'],
    check: (t) => [['get_roster', t.lu, H]],
  },
  {
    name: 'srg_create', changed: '24.02',
    twin: () => ({ g: uniqueName('cg'), o: uniqueName('co') }),
    prepare: async (s, t) => { await s.api('srg_create', { group: t.o, host: H, label: 'Other', description: '', display: '' }); },
    args: (t, mode) => ['srg_create', t.g, H, 'Label', 'A group', mode === 'newest' ? `${t.g},${t.o}` : t.g],
    check: (t) => [['srg_get_members', t.g, H]],
    checkNewer: { '24.06': (t) => [['srg_get_displayed', t.g, H]] },
  },
  {
    name: 'send_direct_invitation', changed: '24.02',
    twin: () => ({ r: uniqueName('cr'), x: uniqueName('cx'), y: uniqueName('cy') }),
    prepare: async (s, t) => { await reg(s, t.x); await reg(s, t.y); await room(s, t.r); },
    args: (t, mode) => ['send_direct_invitation', t.r, MUC, 'none', 'Join us', mode === 'newest' ? `${jid(t.x)},${jid(t.y)}` : `${jid(t.x)}:${jid(t.y)}`],
    check: (t) => [['get_offline_count', t.x, H], ['get_offline_count', t.y, H]],
  },
  {
    name: 'set_presence', changed: '24.02', session: true,
    twin: () => ({ u: uniqueName('cp') }),
    prepare: async (s, t) => { await reg(s, t.u); },
    args: (t) => ['set_presence', t.u, H, 'res', 'available', 'away', 'Busy now', '7'],
    check: (t) => [['get_presence', t.u, H], ['user_resources', t.u, H]],
  },
  {
    // With version 0 (and on 23.01) ejabberdctl prints the scopes as an Erlang term (the README's
    // Differences): the newest definition only.
    name: 'oauth_issue_token', since: '24.02', changed: '24.02', token: true, only: 'newest',
    twin: () => ({}),
    args: (t, mode) => ['oauth_issue_token', 'admin@localhost', '600', mode === 'newest' ? 'ejabberd:admin,sasl_auth' : 'ejabberd:admin;sasl_auth'],
    check: () => [],
  },
  {
    name: 'subscribe_room', changed: '24.02',
    twin: () => ({ u: uniqueName('cs'), r: uniqueName('cr') }),
    prepare: async (s, t) => { await reg(s, t.u); await room(s, t.r); },
    args: (t, mode, release) => (mode === 'newest' && atLeast(release, '24.12')
      ? ['subscribe_room', t.u, H, 'Nick', t.r, MUC, `${MSG},${SUBJ}`]
      : ['subscribe_room', jid(t.u), 'Nick', `${t.r}@${MUC}`, `${MSG},${SUBJ}`]),
    check: (t) => [['get_subscribers', t.r, MUC], ['get_user_subscriptions', t.u, H]],
  },
  {
    name: 'subscribe_room_many', changed: '24.02',
    twin: () => ({ u: uniqueName('cs'), v: uniqueName('cs'), r: uniqueName('cr') }),
    prepare: async (s, t) => { await reg(s, t.u); await reg(s, t.v); await room(s, t.r); },
    args: (t, mode, release) => {
      if (mode === 'newest' && atLeast(release, '24.12')) return ['subscribe_room_many', `${t.u}:${H}:Nu,${t.v}:${H}:Nv`, t.r, MUC, MSG];
      const users = atLeast(release, '24.02') ? `${jid(t.u)}:Nu,${jid(t.v)}:Nv` : JSON.stringify([{ jid: jid(t.u), nick: 'Nu' }, { jid: jid(t.v), nick: 'Nv' }]);
      return ['subscribe_room_many', users, `${t.r}@${MUC}`, MSG];
    },
    check: (t) => [['get_subscribers', t.r, MUC]],
  },
  {
    name: 'unsubscribe_room', changed: '24.12',
    twin: () => ({ u: uniqueName('cs'), r: uniqueName('cr') }),
    prepare: async (s, t) => {
      await reg(s, t.u);
      await room(s, t.r);
      await s.api('subscribe_room', { user: jid(t.u), nick: 'N', room: `${t.r}@${MUC}`, nodes: MSG });
    },
    args: (t, mode) => (mode === 'newest' ? ['unsubscribe_room', t.u, H, t.r, MUC] : ['unsubscribe_room', jid(t.u), `${t.r}@${MUC}`]),
    check: (t) => [['get_subscribers', t.r, MUC], ['get_user_subscriptions', t.u, H]],
  },
  {
    name: 'ban_account', changed: '24.06',
    twin: () => ({ u: uniqueName('cb') }),
    prepare: async (s, t) => { await reg(s, t.u); },
    args: (t) => ['ban_account', t.u, H, 'Spam and more'],
    check: (t) => [['check_password', t.u, H, PW], ['check_account', t.u, H]],
    // The ban details hold the time of the ban: compared without them.
    checkNewer: { '24.06': (t) => [['get_ban_details', t.u, H]] },
    ignore: /^(bandate|lastdate)\t.*$/gm,
  },
  {
    name: 'unban_account', since: '24.06', only: 'newest',
    twin: () => ({ u: uniqueName('cb') }),
    prepare: async (s, t) => { await reg(s, t.u); await s.api('ban_account', { user: t.u, host: H, reason: 'r' }, 2); },
    args: (t) => ['unban_account', t.u, H],
    check: (t) => [['get_ban_details', t.u, H], ['check_account', t.u, H]],
  },
  {
    name: 'kick_user', changed: '24.06', session: true,
    twin: () => ({ u: uniqueName('ck') }),
    prepare: async (s, t) => { await reg(s, t.u); },
    args: (t) => ['kick_user', t.u, H],
    check: (t) => [['num_resources', t.u, H]],
  },
  {
    name: 'set_room_affiliation', changed: '24.12',
    twin: () => ({ u: uniqueName('ca'), r: uniqueName('cr') }),
    prepare: async (s, t) => { await reg(s, t.u); await room(s, t.r); },
    args: (t, mode) => (mode === 'newest' ? ['set_room_affiliation', t.r, MUC, t.u, H, 'admin'] : ['set_room_affiliation', t.r, MUC, jid(t.u), 'admin']),
    check: (t) => [['get_room_affiliations', t.r, MUC], ['get_room_affiliation', t.r, MUC, jid(t.u)]],
  },
  {
    name: 'get_room_affiliations', changed: '24.12',
    twin: () => ({ u: uniqueName('ca'), r: uniqueName('cr') }),
    prepare: async (s, t) => {
      await reg(s, t.u);
      await room(s, t.r);
      await s.api('set_room_affiliation', { name: t.r, service: MUC, jid: jid(t.u), affiliation: 'member' });
    },
    args: (t) => ['get_room_affiliations', t.r, MUC],
    check: () => [],
  },
  {
    name: 'muc_register_nick', changed: '24.12',
    twin: () => ({ u: uniqueName('cn') }),
    prepare: async (s, t) => { await reg(s, t.u); },
    args: (t, mode) => (mode === 'newest' ? ['muc_register_nick', `nick${t.u}`, t.u, H, MUC] : ['muc_register_nick', `nick${t.u}`, jid(t.u), MUC]),
    check: () => [],
    checkNewer: { '25.10': (t) => [['muc_get_registered_nick', t.u, H, MUC]] },
  },
  {
    name: 'muc_unregister_nick', changed: '24.12',
    twin: () => ({ u: uniqueName('cn') }),
    prepare: async (s, t) => { await reg(s, t.u); await s.api('muc_register_nick', { nick: `nick${t.u}`, jid: jid(t.u), service: MUC }); },
    args: (t, mode) => (mode === 'newest' ? ['muc_unregister_nick', t.u, H, MUC] : ['muc_unregister_nick', jid(t.u), MUC]),
    check: () => [],
    checkNewer: { '25.10': (t) => [['muc_get_registered_nick', t.u, H, MUC]] },
  },
  // Renamed argument name -> room in 24.12 (the HTTP API takes either).
  {
    name: 'create_room', changed: '24.12',
    twin: () => ({ r: uniqueName('cr') }),
    args: (t) => ['create_room', t.r, MUC, H],
    check: (t) => [['get_room_options', t.r, MUC], ['muc_online_rooms_by_regex', MUC, `^${t.r}$`]],
  },
  {
    name: 'change_room_option', changed: '24.12',
    twin: () => ({ r: uniqueName('cr') }),
    prepare: async (s, t) => { await room(s, t.r); },
    args: (t) => ['change_room_option', t.r, MUC, 'title', 'New title'],
    check: (t) => [['get_room_options', t.r, MUC]],
  },
  {
    name: 'destroy_room', changed: '24.12',
    twin: () => ({ r: uniqueName('cr') }),
    prepare: async (s, t) => { await room(s, t.r); },
    args: (t) => ['destroy_room', t.r, MUC],
    check: (t) => [['muc_online_rooms_by_regex', MUC, `^${t.r}$`]],
  },
];

async function reg(s, u) {
  await s.api('register', { user: u, host: H, password: PW });
}

async function room(s, r, service = MUC) {
  await s.api('create_room_with_opts', { name: r, service, host: H, options: [
    { name: 'persistent', value: 'true' }, { name: 'allow_subscription', value: 'true' }] });
}

/** Replaces every name of twin `from` by the same-role name of twin `to`. */
function swap(text, from, to) {
  let out = text;
  for (const k of Object.keys(from).sort((a, b) => from[b].length - from[a].length)) out = out.replaceAll(from[k], to[k]);
  return out;
}

for (const s of liveServers()) {
  const r = s.release;
  describe(`ejabberd ${r}: changed commands`, { concurrency: 3 }, () => {
    for (const c of cases) {
      if (c.since && !atLeast(r, c.since)) continue;
      // Before 24.02 the newest definition is version 0: one run covers both (and one case checks
      // that --api-version 0 is accepted there too).
      const modes = c.only ? [c.only] : atLeast(r, '24.02') || c === cases[0] ? ['newest', 'v0'] : ['newest'];
      for (const mode of modes) {
        // Before the release that changed it, the newest definition is the version 0 one.
        const shape = mode === 'newest' && (!c.changed || atLeast(r, c.changed)) ? 'newest' : 'v0';
        const label = mode === 'newest' ? 'newest definition' : '--api-version 0';
        test(`${r}: ${c.name} (${label}) does what its ejabberdctl does`, async () => {
          const mine = c.twin();
          const theirs = c.twin();
          const sessions = [];
          try {
            for (const t of [mine, theirs]) {
              if (c.prepare) await c.prepare(s, t);
              if (c.session) sessions.push(await xmppLogin({ port: s.c2sPort, host: H, user: t.u, password: PW, resource: 'res' }));
            }
            // ejabberdctl takes --version from 24.02; before, its only definitions are version 0.
            const versionFlag = mode === 'v0' && atLeast(r, '24.02') ? ['--version', '0'] : [];
            const [a, b] = await Promise.all([
              ectl([...(mode === 'v0' ? ['--api-version', '0'] : []), ...c.args(mine, shape, r)], { env: s.env() }),
              s.ejabberdctlAsync(...versionFlag, ...c.args(theirs, shape, r)),
            ]);
            let theirsOut = swap(b.stdout, theirs, mine);
            let mineOut = a.stdout;
            if (c.token) [mineOut, theirsOut] = [mineOut, theirsOut].map((x) => x.replace(/^[A-Za-z0-9_-]{20,}\t/, 'TOKEN\t'));
            assert.equal(b.code, 0, `ejabberdctl was expected to succeed: ${show(b)}`);
            assert.equal(mineOut, theirsOut, `stdout differs\nectl: ${show(a)}\nejabberdctl: ${show(b)}`);
            assert.equal(a.code, b.code, `exit code differs\nectl: ${show(a)}`);
            const checks = [...c.check(mine)];
            for (const [since, more] of Object.entries(c.checkNewer ?? {})) if (atLeast(r, since)) checks.push(...more(mine));
            for (const args of checks) {
              const [x, y] = await Promise.all([s.ejabberdctlAsync(...args), s.ejabberdctlAsync(...JSON.parse(swap(JSON.stringify(args), mine, theirs)))]);
              const clean = (out) => sortedLines(c.ignore ? out.replace(c.ignore, '') : out);
              assert.equal(clean(x.stdout), clean(swap(y.stdout, theirs, mine)), `after the command, ${args.join(' ')} differs:\nectl's twin: ${show(x)}\nejabberdctl's twin: ${show(y)}`);
              assert.equal(x.code, y.code, `after the command, ${args.join(' ')} exit codes differ`);
            }
          } finally {
            await Promise.all(sessions.map((x) => x.close()));
          }
        });
      }
    }
  });

  // Every empty room of a service goes: alone, on example.org's scratch service, each twin's rooms made
  // just before its run. ejabberdctl also writes a count of rooms ("rooms empty: N out of M"),
  // which ectl prints too (from read-only calls, test/summary-lines.test.mjs). Before 24.06 (and with
  // version 0) the result itself is such text: only the newest definition from 24.06 is compared.
  if (atLeast(r, '24.06')) describe(`ejabberd ${r}: rooms_empty_destroy`, () => {
    for (const mode of ['newest']) {
      test(`${r}: rooms_empty_destroy (${mode === 'newest' ? 'newest definition' : '--api-version 0'}) does what its ejabberdctl does`, async () => {
        const mine = { a: uniqueName('ce'), b: uniqueName('ce') };
        const theirs = { a: uniqueName('ce'), b: uniqueName('ce') };
        const run = async (t, go) => {
          // Through ejabberdctl: 24.06 to 24.12 fail over HTTP (internal_error) when there are rooms to name.
          await s.ejabberdctlAsync('rooms_empty_destroy', SCRATCH);
          for (const x of Object.values(t)) await room(s, x, SCRATCH);
          const res = await go();
          const left = s.ejabberdctl('muc_online_rooms', SCRATCH);
          for (const x of Object.values(t)) await s.api('destroy_room', { name: x, service: SCRATCH }).catch(() => {});
          return [res, left];
        };
        const [a, leftA] = await run(mine, () => ectl([...(mode === 'v0' ? ['--api-version', '0'] : []), 'rooms_empty_destroy', SCRATCH], { env: s.env() }));
        const [b, leftB] = await run(theirs, () => s.ejabberdctlAsync(...(mode === 'v0' && atLeast(r, '24.02') ? ['--version', '0'] : []), 'rooms_empty_destroy', SCRATCH));
        assert.equal(b.code, 0, show(b));
        const result = swap(b.stdout, theirs, mine);
        assert.equal(sortedLines(a.stdout), sortedLines(result), `stdout differs\nectl: ${show(a)}\nejabberdctl: ${show(b)}`);
        assert.equal(a.code, b.code);
        assert.equal(sortedLines(leftA.stdout), sortedLines(swap(leftB.stdout, theirs, mine)), 'the rooms left differ');
      });
    }
  });
}
