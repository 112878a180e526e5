// Helpers shared by the output tests: committed expected files, and readers for what the
// formats print (TSV with its escapes, tables by their frame).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { root } from './helpers.mjs';

export const expectedDir = join(root, 'test', 'expected', 'output');
const UPDATE = process.env.ECTL_UPDATE_EXPECTED === '1';

/** Compares with a committed expected file (ECTL_UPDATE_EXPECTED=1 writes it first: review the diff). */
export function matchesExpected(actual, relPath) {
  const file = join(expectedDir, relPath);
  if (UPDATE) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  assert.ok(existsSync(file), `missing expected file ${file} (run with ECTL_UPDATE_EXPECTED=1 to create it)`);
  assert.equal(actual, readFileSync(file, 'utf8'), `output differs from test/expected/output/${relPath}`);
}

export const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');

export const joinChunks = (chunks) => [...chunks].join('');

/** TSV lines back into rows of fields, undoing \t \n \r \\. */
export function parseTsv(text) {
  const unescapeField = (f) => f.replace(/\\(.)/g, (_, c) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[c] ?? `\\${c}`);
  return text.split('\n').slice(0, -1).map((line) => line.split('\t').map(unescapeField));
}

/** A table drawn without colour back into rows of trimmed cells (tables of one-line rows only). */
export function parseCompactTable(text) {
  return text.split('\n').slice(0, -1).filter((l) => l.startsWith('│')).map((l) => l.slice(1, -1).split('│').map((c) => c.trim()));
}
