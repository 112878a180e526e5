// ectl against a server's own ejabberdctl, for tests of commands that change something: the same
// command line through both at once, or through each on its own twin object (two users, two
// domains, two nodes), then the two runs compared: same standard output, same exit code.
import assert from 'node:assert/strict';
import { ectl, showRun, sortedLines, uniqueName, HOST } from './helpers.mjs';

/**
 * The comparisons on one live server `s` (see liveServers): both(args) runs args through ectl and
 * ejabberdctl at once; twins(args, mine, theirs) runs args(mine) through ectl, then args(theirs)
 * through ejabberdctl (on `other`, another server, when given); same(a, b, options) asserts
 * identical stdout and exit codes (options: sort lines, map both outputs, from/to to rename
 * the twin in ejabberdctl's output, fails when ejabberdctl must fail); ctl(...args) runs
 * ejabberdctl, asserts it succeeded and resolves its stdout.
 */
export function oracle(s, { other = s, env = s.env() } = {}) {
  const both = (args) => Promise.all([ectl(args, { env }), s.ejabberdctlAsync(...args)]);
  const twins = async (args, mine, theirs) => {
    const a = await ectl(args(mine), { env });
    const b = await other.ejabberdctlAsync(...args(theirs));
    return [a, b];
  };
  const same = (a, b, { sort = false, map = (x) => x, from, to, fails = false } = {}) => {
    let theirs = b.stdout;
    if (from !== undefined) theirs = theirs.replaceAll(from, to);
    const norm = (x) => (sort ? sortedLines(map(x)) : map(x));
    if (fails) assert.notEqual(b.code, 0, `ejabberdctl was expected to fail: ${showRun(b)}`);
    else assert.equal(b.code, 0, `ejabberdctl was expected to succeed: ${showRun(b)}`);
    assert.equal(norm(a.stdout), norm(theirs), `stdout differs\nectl: ${showRun(a)}\nejabberdctl: ${showRun(b)}`);
    assert.equal(a.code, b.code, `exit code differs\nectl: ${showRun(a)}\nejabberdctl: ${showRun(b)}`);
  };
  const ctl = async (...args) => {
    const r = await s.ejabberdctlAsync(...args);
    assert.equal(r.code, 0, `ejabberdctl ${args.join(' ')}: ${showRun(r)}`);
    return r.stdout;
  };
  return { both, twins, same, ctl };
}

/**
 * Twin accounts on server `s` for a test file's comparisons: twinUsers(prefix) registers two
 * fresh accounts (password `password`) and resolves their names; cleanups takes more undo steps;
 * cleanUp() runs them newest first and removes the accounts (pass it to `after`).
 */
export function twinFixtures(s, password) {
  const cleanups = [];
  const users = [];
  const twinUsers = async (prefix) => {
    const pair = [uniqueName(prefix), uniqueName(prefix)];
    for (const u of pair) {
      await s.api('register', { user: u, host: HOST, password });
      users.push(u);
    }
    return pair;
  };
  const cleanUp = async () => {
    for (const f of cleanups.reverse()) await f().catch(() => {});
    for (const u of users) await s.api('unregister', { user: u, host: HOST }).catch(() => {});
  };
  return { twinUsers, cleanups, cleanUp };
}
