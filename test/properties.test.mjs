// Property tests (fast-check, fixed seed, bounded runs): the argument parser and the list/tuple
// shorthand round-trip any value they can express; every formatter takes any result of each
// catalogue shape without throwing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseArgument, splitEscaped } from '../dist/catalogue/args.js';
import { commands } from '../dist/catalogue/commands.js';
import { formatText } from '../dist/format/text.js';
import { formatJson } from '../dist/format/json.js';
import { formatTable } from '../dist/format/table.js';
import { formatYaml } from '../dist/format/yaml.js';
import { formatDelimited } from '../dist/format/delimited.js';
import { UsageError } from '../dist/errors.js';

fc.configureGlobal({ seed: 20231101, numRuns: 300 });

const escapeShorthand = (s) => s.replace(/[\\,:]/g, (c) => `\\${c}`);
const listOfStrings = { name: 'contents', type: { list: { name: 'value', type: 'string' } }, description: '' };
const listOfPairs = { name: 'options', type: { list: { name: '', type: { tuple: [{ name: 'name', type: 'string' }, { name: 'value', type: 'string' }] } } }, description: '' };
const integerArg = { name: 'days', type: 'integer', description: '' };
const stringArg = { name: 'password', type: 'string', description: '' };
// The shorthand cannot say [""] (it reads '' as []), nor a text that starts like JSON.
const expressible = (raw) => !/^\s*[[{]/.test(raw);

test('a string argument is taken exactly as given', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
    assert.equal(parseArgument(stringArg, s), s);
  }));
});

test('any safe integer survives the command line; anything else that is not an integer is refused', () => {
  fc.assert(fc.property(fc.maxSafeInteger(), (n) => {
    assert.equal(parseArgument(integerArg, String(n)), n);
  }));
  fc.assert(fc.property(fc.string(), (s) => {
    fc.pre(!/^\s*[+-]?\d+\s*$/.test(s));
    assert.throws(() => parseArgument(integerArg, s), UsageError);
  }));
});

test('a list of strings round-trips through JSON and, where it can say it, the shorthand', () => {
  fc.assert(fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 6 }), (arr) => {
    assert.deepEqual(parseArgument(listOfStrings, JSON.stringify(arr)), arr);
    const raw = arr.map(escapeShorthand).join(',');
    fc.pre(!(arr.length === 1 && arr[0] === '') && expressible(raw));
    assert.deepEqual(parseArgument(listOfStrings, raw), arr);
  }));
});

test('a list of name/value tuples round-trips through JSON (objects or arrays) and the shorthand', () => {
  const pair = fc.record({ name: fc.string({ unit: 'binary' }), value: fc.string({ unit: 'binary' }) }).map((p) => ({ ...p }));
  fc.assert(fc.property(fc.array(pair, { minLength: 1, maxLength: 5 }), (arr) => {
    assert.deepEqual(parseArgument(listOfPairs, JSON.stringify(arr)), arr);
    assert.deepEqual(parseArgument(listOfPairs, JSON.stringify(arr.map((p) => [p.name, p.value]))), arr);
    const raw = arr.map((p) => `${escapeShorthand(p.name)}:${escapeShorthand(p.value)}`).join(',');
    fc.pre(expressible(raw));
    assert.deepEqual(parseArgument(listOfPairs, raw), arr);
  }));
});

test('malformed list input is a usage error, never a crash', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (raw) => {
    for (const arg of [listOfStrings, listOfPairs]) {
      try {
        parseArgument(arg, raw);
      } catch (e) {
        assert.ok(e instanceof UsageError, `${raw}: ${e}`);
      }
    }
  }));
});

test('splitting keeps escapes for the next level and never loses characters', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
    assert.equal(splitEscaped(s, ',').join(','), s);
  }));
});

/** An arbitrary value of a catalogue type. */
function arbitraryOf(type) {
  if (type === 'string' || type === 'restuple') return fc.string({ unit: 'binary' });
  if (type === 'integer') return fc.integer();
  if (type === 'rescode') return fc.constant(true);
  if (type.list) return fc.array(arbitraryOf(type.list.type), { maxLength: 5 });
  return fc.record(Object.fromEntries(type.tuple.map((f) => [f.name, arbitraryOf(f.type)])));
}

const drain = (gen) => { let s = ''; for (const chunk of gen) s += chunk; return s; };

// One command per distinct result shape.
const byShape = new Map();
for (const c of commands) byShape.set(JSON.stringify(c.result.type), c);

test(`every formatter takes arbitrary results of all ${byShape.size} result shapes`, () => {
  for (const spec of byShape.values()) {
    fc.assert(fc.property(arbitraryOf(spec.result.type), fc.integer({ min: 10, max: 200 }), (value, width) => {
      assert.equal(typeof formatText(spec, value), 'string');
      JSON.parse(formatJson(spec, value, false));
      drain(formatTable(spec, value, { color: false, width, pretty: false }));
      drain(formatTable(spec, value, { color: true, width, pretty: true }));
      drain(formatYaml(spec, value));
      drain(formatDelimited(spec, value, 'csv'));
      drain(formatDelimited(spec, value, 'tsv'));
    }), { numRuns: 60 });
  }
});
