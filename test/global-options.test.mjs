// A plain command line's global options are read without commander (start-up time); commander
// reads every other line. Both must agree: on any line the plain reading accepts, its flags are
// the ones commander gives; and the lines it must leave to commander are left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GLOBAL_OPTIONS, plainGlobalFlags } from '../dist/cli/global-options.js';
import { commanderFlags, globalOptions } from '../dist/cli/program.js';

fc.configureGlobal({ seed: 20261127, numRuns: 2000 });

const spellings = GLOBAL_OPTIONS.flatMap((o) => {
  const [, short, long, value] = /^(?:(-\w), )?(--[\w-]+)( <[^>]+>)?$/.exec(o.flags);
  return [short, long].filter(Boolean).map((s) => ({ s, value: !!value, choices: o.choices }));
});
const value = fc.oneof(fc.constantFrom('json', 'text', 'yaml', 'x', '', '-', '-v', '--url', '24.12', 'a=b', '--', 'http://h:1/api'), fc.string({ maxLength: 6 }));
const word = fc.oneof(
  // an option with its value after it, or joined by '=' (long spellings)
  fc.tuple(fc.constantFrom(...spellings), value, fc.boolean()).map(([o, v, joined]) => (!o.value ? [o.s] : joined && o.s.startsWith('--') ? [`${o.s}=${v}`] : [o.s, v])),
  // a boolean option given a value, an option commander adds or does not know, short flags run together
  fc.constantFrom(['--verbose=1'], ['-V'], ['--version'], ['-h'], ['--help'], ['--colour'], ['--no-verbose'], ['-vo', 'json'], ['-ojson'], ['-Pprod'], ['--url'], ['-o']),
);
const line = fc.array(word, { maxLength: 6 }).map((ws) => ws.flat());

test('the plain reading of global options agrees with commander on every line it accepts', () => {
  let accepted = 0;
  fc.assert(fc.property(line, (words) => {
    const plain = plainGlobalFlags(words);
    if (plain === undefined) return;
    accepted++;
    assert.deepEqual({ ...plain }, { ...commanderFlags(words) }, `line: ${JSON.stringify(words)}`);
  }));
  // The generator must exercise the accepting side too, or the test proves nothing.
  assert.ok(accepted > 300, `only ${accepted} lines were plain`);
});

test('lines with something to judge are left to commander', () => {
  for (const words of [['--bogus'], ['-o', 'xml'], ['--output=xml'], ['--url'], ['--url', '-x'], ['-vP', 'p'], ['--verbose=yes'], ['-V'], ['--help'], ['-h'], ['word']]) {
    assert.equal(plainGlobalFlags(words), undefined, JSON.stringify(words));
  }
});

test('the option table and the commander options are the same options', () => {
  assert.deepEqual(globalOptions().map((o) => o.flags), GLOBAL_OPTIONS.map((o) => o.flags));
  assert.deepEqual(plainGlobalFlags(['-o', 'json', '--no-color', '--url=http://x/api', '-P', 'p', '--all-nodes']), { color: false, output: 'json', url: 'http://x/api', profile: 'p', allNodes: true });
});
