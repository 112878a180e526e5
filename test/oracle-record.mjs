// What the oracle test files run: every ectl and ejabberdctl command line a test file starts
// against a live server is kept, one JSON line per run, so that test/zz-oracle-coverage.test.mjs
// can say which commands both tools ran on which release (the comparison's two halves) without a
// hand-kept list that drifts from the tests.
import { appendFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the runs are kept (cleared by test/run.mjs at the start of each run). */
export const RUNS_DIR = join(dirname(fileURLToPath(import.meta.url)), '.tmp', 'oracle-runs');

const testFile = basename(process.argv[1] ?? '');

/** The release of the live server at `url` (from the harness's ECTL_TEST_SERVERS), or undefined. */
function releaseAt(url) {
  try {
    return JSON.parse(process.env.ECTL_TEST_SERVERS ?? '[]').find((s) => s.url === url || s.httpsUrl === url)?.release;
  } catch {
    return undefined;
  }
}

/**
 * Keeps one run of `tool` ('ectl' or 'ejabberdctl') with `args` against the server of `release`
 * (for ectl: the server its environment `env` points at, else the release it names). Only runs
 * made by a test file count.
 */
export function recordRun(tool, args, { release, env } = {}) {
  if (!testFile.endsWith('.test.mjs')) return;
  const r = release ?? releaseAt(env?.ECTL_URL) ?? env?.ECTL_RELEASE;
  if (!r) return;
  mkdirSync(RUNS_DIR, { recursive: true });
  appendFileSync(join(RUNS_DIR, `${process.pid}.jsonl`), `${JSON.stringify({ file: testFile, tool, release: r, args: args.map(String) })}\n`);
}
