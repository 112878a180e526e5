// srg_get_info's displayed_groups laid out as each release's ejabberdctl lays out the Erlang list
// (~p) when it does not fit on one line: a group name whose bytes are not all printable latin-1
// is a list of numbers, which stands on a line of its own (and is itself filled, one column
// further in, when wider than a line). Compared byte for byte with ejabberdctl on every release.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ectl, uniqueName, liveServers, atLeast, HOST, showRun as show } from './helpers.mjs';


// The displayed_groups row with its continuation lines (they start with a space).
function displayed(out) {
  const lines = out.split('\n');
  const i = lines.findIndex((l) => l.startsWith('displayed_groups\t'));
  if (i < 0) return null;
  let j = i + 1;
  while (j < lines.length && lines[j].startsWith(' ')) j++;
  return lines.slice(i, j).join('\n');
}

for (const s of liveServers()) {
  describe(`srg_get_info's long displayed_groups on ${s.release}`, () => {
    const run = (args) => ectl(args, { env: s.env() });
    const base = uniqueName('elay');
    // Names: short ASCII, a CJK name (a list of numbers), a long ASCII name, a CJK name wider
    // than a line as numbers, and ASCII after them.
    const names = [`${base}a`, `${base}日本`, `${base}${'l'.repeat(40)}`, `${base}${'語'.repeat(22)}`, `${base}z`, `${base}y`];
    const group = `${base}g`;
    const all = [...names, group];

    before(async () => {
      for (const n of names) {
        const r = await run(['srg_create', n, HOST, 'L', 'D', atLeast(s.release, '24.02') ? '[]' : '']);
        assert.equal(r.code, 0, show(r));
      }
      const display = atLeast(s.release, '24.02') ? JSON.stringify(names) : names.join('\\n');
      const r = await run(['srg_create', group, HOST, 'L', 'D', display]);
      assert.equal(r.code, 0, show(r));
    });
    after(async () => {
      for (const n of all) await run(['srg_delete', n, HOST]);
    });

    test('the displayed_groups row is the one ejabberdctl prints', async () => {
      const mine = await run(['srg_get_info', group, HOST]);
      const theirs = s.ejabberdctl('srg_get_info', group, HOST);
      assert.equal(mine.code, 0, show(mine));
      assert.equal(theirs.code, 0, show(theirs));
      const want = displayed(theirs.stdout);
      assert.ok(want?.includes('\n ['), `ejabberdctl laid the list over lines:\n${theirs.stdout}`);
      assert.equal(displayed(mine.stdout), want, `ectl:\n${mine.stdout}\nejabberdctl:\n${theirs.stdout}`);
    });
  });
}

// An empty label or description is an empty Erlang string: ejabberdctl prints it as `[]`.
for (const s of liveServers()) {
  test(`srg_get_info on ${s.release}: an empty label and description print as ejabberdctl prints them`, async () => {
    const group = uniqueName('eempty');
    const made = await ectl(['srg_create', group, HOST, '', '', atLeast(s.release, '24.02') ? '[]' : ''], { env: s.env() });
    assert.equal(made.code, 0, show(made));
    try {
      const mine = await ectl(['srg_get_info', group, HOST], { env: s.env() });
      const theirs = s.ejabberdctl('srg_get_info', group, HOST);
      assert.equal(theirs.code, 0, show(theirs));
      assert.match(theirs.stdout, /^description\t\[\]$/m);
      // 26.07's API sorts the rows, its ejabberdctl does not (README's Differences): compared as sets of lines.
      assert.deepEqual(mine.stdout.split('\n').sort(), theirs.stdout.split('\n').sort(), show(mine));
    } finally {
      await ectl(['srg_delete', group, HOST], { env: s.env() });
    }
  });
}
