// The summary line ejabberdctl prints before the rooms of rooms_empty_list, rooms_empty_destroy,
// rooms_unused_list and rooms_unused_destroy ("rooms empty: 2 out of 3"), which the HTTP reply
// lacks: ectl counts the service's rooms first (muc_online_rooms) and prints the same line, on the
// releases whose ejabberdctl prints it (26.07's prints none for the unused ones). Each release's
// rooms are on its scratch.localhost MUC service, which only this file uses (changed-commands
// uses scratch.example.org): the destroy commands act on every room of a service.
import { describe, test } from 'node:test';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { ectl, uniqueName, liveServers, atLeast, HOST, showRun as show, sortedLines } from './helpers.mjs';

const SERVICE = 'scratch.localhost';

/** Rooms with unique names: `empty` with an empty message archive (mam on), `other` without. */
async function rooms(s, { empty = 2, other = 1 } = {}) {
  const made = { empty: [], other: [] };
  for (const [kind, n, mam] of [['empty', empty, 'true'], ['other', other, 'false']]) {
    for (let i = 0; i < n; i += 1) {
      const name = uniqueName('sumroom');
      await s.api('create_room_with_opts', { name, service: SERVICE, host: HOST, options: [
        { name: 'persistent', value: 'true' }, { name: 'mam', value: mam }] });
      made[kind].push(name);
    }
  }
  return made;
}

/** Replaces each room name of `from` by the one at the same place in `to`. */
function swap(text, from, to) {
  const a = [...from.empty, ...from.other];
  const b = [...to.empty, ...to.other];
  return a.reduce((t, name, i) => t.replaceAll(name, b[i]), text);
}

const onlineRooms = async (s) => sortedLines((await s.ejabberdctlAsync('muc_online_rooms', SERVICE)).stdout);

for (const s of liveServers()) {
  const unusedLine = !atLeast(s.release, '26.07');
  // Sequential: each case counts every room of the service.
  describe(`ejabberd ${s.release}: summary lines`, { concurrency: 1 }, () => {
    test(`${s.release}: rooms_empty_list and rooms_unused_list print ejabberdctl's summary line, counts included`, async () => {
      const made = await rooms(s);
      // A room stored but not started (create_rooms_file): ejabberdctl counts it, muc_online_rooms does not list it.
      const stored = uniqueName('sumstored');
      const file = s.hostPath(`/tmp/${stored}.txt`);
      writeFileSync(file, `${stored}@${SERVICE}\n`);
      chmodSync(file, 0o644);
      const created = await s.ejabberdctlAsync('create_rooms_file', file.slice(s.root.length));
      rmSync(file);
      assert.equal(created.code, 0, show(created));
      assert.ok(!(await onlineRooms(s)).includes(stored), 'the stored room has not started');
      made.other.push(stored);
      for (const args of [['rooms_empty_list', SERVICE], ['rooms_unused_list', SERVICE, '0'], ['rooms_unused_list', SERVICE, '100000']]) {
        const [mine, oracle] = await Promise.all([ectl(args, { env: s.env() }), s.ejabberdctlAsync(...args)]);
        assert.equal(oracle.code, 0, show(oracle));
        const method = args[0].split('_')[1];
        if (args[0] === 'rooms_empty_list' || unusedLine) assert.match(oracle.stdout, new RegExp(`^rooms ${method}: \\d+ out of [1-9]\\d*\\n`), `${args.join(' ')}: ${show(oracle)}`);
        else assert.doesNotMatch(oracle.stdout, /^rooms /m, show(oracle));
        // From 25.03 the API sorts the rooms (the README's Differences).
        assert.equal(sortedLines(mine.stdout), sortedLines(oracle.stdout), `${args.join(' ')}\nectl: ${show(mine)}\nejabberdctl: ${show(oracle)}`);
        if (!atLeast(s.release, '25.03')) assert.equal(mine.stdout, oracle.stdout);
        assert.equal(mine.code, 0);
      }
      // Only text carries it: JSON is the API's result.
      const json = await ectl(['-o', 'json', 'rooms_empty_list', SERVICE], { env: s.env() });
      assert.equal(json.code, 0, show(json));
      assert.ok(Array.isArray(JSON.parse(json.stdout)), show(json));
      for (const r of [...made.empty, ...made.other]) await s.api('destroy_room', { name: r, service: SERVICE });
    });

    test(`${s.release}: rooms_empty_destroy: ectl and ejabberdctl print the same, counting the rooms before they go; the same rooms are left`, async () => {
      const modes = [[]];
      // From 24.06 the newest definition answers a text ("Destroyed rooms: N"); v0 still the list.
      if (atLeast(s.release, '24.06')) modes.push(['v0']);
      for (const mode of modes) {
        const v0 = mode.length > 0;
        // Each twin from the same start: no empty room, its own rooms made, its other room removed after.
        const run = async (go) => {
          await s.ejabberdctlAsync('rooms_empty_destroy', SERVICE);
          const made = await rooms(s);
          const res = await go();
          const left = await onlineRooms(s);
          for (const r of made.other) await s.api('destroy_room', { name: r, service: SERVICE });
          return [made, res, left];
        };
        const [mine, a, leftA] = await run(() => ectl([...(v0 ? ['--api-version', '0'] : []), 'rooms_empty_destroy', SERVICE], { env: s.env() }));
        const [theirs, b, leftB] = await run(() => s.ejabberdctlAsync(...(v0 ? ['--version', '0'] : []), 'rooms_empty_destroy', SERVICE));
        assert.equal(b.code, 0, show(b));
        assert.match(b.stdout, /^rooms empty: 2 out of \d+\n/, show(b));
        assert.equal(sortedLines(a.stdout), sortedLines(swap(b.stdout, theirs, mine)), `${mode}\nectl: ${show(a)}\nejabberdctl: ${show(b)}`);
        assert.equal(a.code, b.code);
        for (const r of mine.empty) assert.ok(!leftA.includes(r), `${r} was destroyed`);
        for (const r of theirs.other) assert.ok(leftB.includes(r), `${r} is left`);
        for (const r of mine.other) assert.ok(leftA.includes(r), `${r} is left`);
      }
    });

    test(`${s.release}: rooms_unused_destroy of rooms unused for 100000 days: the same line (none on 26.07), nothing destroyed`, async () => {
      const made = await rooms(s, { empty: 0, other: 2 });
      const args = ['rooms_unused_destroy', SERVICE, '100000'];
      const mine = await ectl(args, { env: s.env() });
      const oracle = await s.ejabberdctlAsync(...args);
      assert.equal(oracle.code, 0, show(oracle));
      assert.equal(mine.stdout, oracle.stdout, `ectl: ${show(mine)}\nejabberdctl: ${show(oracle)}`);
      assert.equal(mine.stdout === '', !unusedLine, show(mine));
      assert.equal(mine.code, 0);
      const left = await onlineRooms(s);
      for (const r of made.other) assert.ok(left.includes(r), `${r} is left`);
      for (const r of made.other) await s.api('destroy_room', { name: r, service: SERVICE });
    });
  });
}
