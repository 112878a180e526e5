// Which commands of each release's ejabberdctl the oracle tests compare with ectl. A command
// counts as compared on a release when, in one of the oracle files, both ectl and that release's
// own ejabberdctl ran it against that release's server (test/oracle-record.mjs keeps every run;
// the files themselves assert on what the two print). Every other command of the release's
// catalogue must be listed in test/oracle-coverage.mjs with the reason it is not compared, or as
// not compared yet: the gap, which this test reports per release.
//
// It reads what the oracle files ran earlier in the same run, so it sorts after them (npm test
// runs the live files in name order); run alone, it needs those files run first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogueFor } from '../dist/catalogue/releases.js';
import { liveServers } from './helpers.mjs';
import { RUNS_DIR } from './oracle-record.mjs';
import { ORACLE_FILES, NOT_YET, reasonFor } from './oracle-coverage.mjs';

const releases = liveServers().map((s) => s.release);

function runs() {
  if (!existsSync(RUNS_DIR)) return [];
  return readdirSync(RUNS_DIR).flatMap((f) => readFileSync(join(RUNS_DIR, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
}

// Runs that only print help or send nothing are not a comparison.
const NOT_SENT = new Set(['help', '--help', '-h', '--dry-run', '--version', '-V']);

/** The catalogue command a run of `tool` with `args` executed on `release`, or undefined. */
function commandOf({ tool, args }, names) {
  if (tool === 'ejabberdctl') return names.has(args[0]) ? args[0] : undefined;
  for (const a of args) {
    if (NOT_SENT.has(a)) return undefined;
    if (names.has(a)) return a;
  }
  return undefined;
}

/** Per release: the commands both tools ran in the oracle files. */
export function comparedCommands(all, release) {
  const names = new Set(catalogueFor(release).map((s) => s.name));
  const by = { ectl: new Set(), ejabberdctl: new Set() };
  for (const r of all) {
    if (r.release !== release || !ORACLE_FILES.includes(r.file)) continue;
    const c = commandOf(r, names);
    if (c) by[r.tool].add(c);
  }
  return new Set([...by.ectl].filter((c) => by.ejabberdctl.has(c)));
}

const all = runs();

test('the oracle files ran before this one (their runs are recorded)', () => {
  const ran = new Set(all.map((r) => r.file));
  const missing = ORACLE_FILES.filter((f) => !ran.has(f));
  assert.deepEqual(missing, [], `no recorded runs of ${missing.join(', ')} in ${RUNS_DIR}: run them first (npm test does)`);
});

for (const release of releases) {
  test(`${release}: every command its ejabberdctl offers is compared with ectl or listed with a reason`, (t) => {
    const names = catalogueFor(release).map((s) => s.name).sort();
    const compared = comparedCommands(all, release);
    const unaccounted = names.filter((c) => !compared.has(c) && !reasonFor(c, release));
    const pending = names.filter((c) => !compared.has(c) && reasonFor(c, release) === NOT_YET);
    const excluded = names.filter((c) => !compared.has(c) && reasonFor(c, release) && !pending.includes(c));
    t.diagnostic(`${release}: ${names.length} commands, ${compared.size} compared, ${excluded.length} left out with a reason, ${pending.length} not compared yet (the gap): ${pending.join(' ')}`);
    assert.deepEqual(unaccounted, [], `${release}: neither compared by an oracle test nor listed in test/oracle-coverage.mjs`);
    // A reason for a command that is compared after all is stale: drop it from the list.
    const stale = names.filter((c) => compared.has(c) && reasonFor(c, release));
    assert.deepEqual(stale, [], `${release}: compared, yet listed in test/oracle-coverage.mjs as not compared`);
  });
}
