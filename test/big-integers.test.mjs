// Integers beyond 2^53 (Erlang's have no limit) stay exact in every output format, in batch
// JSON Lines and in the typed client (as bigints). A real ejabberd cannot be made to send one
// for any command, so a recording server on loopback answers in its place.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cleanEnv, ectl, recordingServer } from './helpers.mjs';
import { createClient } from '../dist/index.js';

const BIG = '18446744073709551615'; // 2^64 - 1, which a double would print as 18446744073709552000
const NEAR = '9007199254740993'; // 2^53 + 1, which a double rounds to 2^53
const NEGATIVE = '-9223372036854775809';

const session = `{"jid":"${BIG}@localhost/r","connection":"c2s","ip":"::1","port":${NEAR},"priority":${NEGATIVE},"node":"n@h","uptime":${BIG},"status":"available","resource":"r","statustext":"count 12345678901234567890"}`;
const replies = {
  stats: `{"stat":${BIG}}`,
  connected_users_info: `[${session}]`,
  get_offline_count: `{"value":"${NEAR}"}`,
  connected_users_number: '{"num_sessions":42}',
};

let server;
before(async () => {
  server = await recordingServer((req, body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(replies[req.url.split('/').pop()]);
  });
});
after(() => server.close());

const run = (args, input) => ectl(args, { env: cleanEnv({ ECTL_URL: server.url }), input });

async function ok(args, input) {
  const r = await run(args, input);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test('a scalar integer beyond 2^53 prints exactly in every format', async () => {
  const args = ['stats', 'registeredusers'];
  assert.equal(await ok(args), `${BIG}\n`);
  assert.equal(await ok(['-o', 'json', ...args]), `${BIG}\n`);
  assert.equal(await ok(['-o', 'yaml', ...args]), `${BIG}\n`);
  assert.equal(await ok(['-o', 'csv', ...args]), `stat\n${BIG}\n`);
  assert.equal(await ok(['-o', 'tsv', ...args]), `stat\n${BIG}\n`);
  const table = await ok(['-o', 'table', ...args]);
  assert.match(table, new RegExp(`│ ${BIG} │`));
});

test('integer fields of records beyond 2^53, negative ones too, print exactly in every format; digit strings stay strings', async () => {
  const args = ['connected_users_info'];
  assert.equal(await ok(args), `${BIG}@localhost/r\tc2s\t::1\t${NEAR}\t${NEGATIVE}\tn@h\t${BIG}\tavailable\tr\tcount 12345678901234567890\n`);
  const json = await ok(['-o', 'json', ...args]);
  assert.equal(json, `${replies.connected_users_info}\n`);
  const yaml = await ok(['-o', 'yaml', ...args]);
  assert.match(yaml, new RegExp(`\\n  port: ${NEAR}\\n  priority: ${NEGATIVE}\\n`));
  assert.match(yaml, new RegExp(`\\n  uptime: ${BIG}\\n`));
  assert.match(yaml, /statustext: count 12345678901234567890\n/);
  const csv = (await ok(['-o', 'csv', ...args])).split('\n');
  assert.equal(csv[1], `${BIG}@localhost/r,c2s,::1,${NEAR},${NEGATIVE},n@h,${BIG},available,r,count 12345678901234567890`);
  const tsv = (await ok(['-o', 'tsv', ...args])).split('\n');
  assert.equal(tsv[1], csv[1].replaceAll(',', '\t'));
  const table = await ok(['-o', 'table', '--no-color', ...args]);
  for (const n of [NEAR, NEGATIVE, BIG]) assert.ok(table.includes(` ${n} `), `${n} in the table`);
});

test('an integer sent as a string is exact too', async () => {
  assert.equal(await ok(['get_offline_count', 'bob', 'localhost']), `${NEAR}\n`);
  assert.equal(await ok(['-o', 'json', 'get_offline_count', 'bob', 'localhost']), `${NEAR}\n`);
});

test('batch JSON Lines keep them exact', async () => {
  const out = await ok(['-o', 'json', 'batch'], 'stats registeredusers\nconnected_users_number\n');
  assert.equal(out, `{"line":1,"command":"stats","ok":true,"result":${BIG},"error":null}\n{"line":2,"command":"connected_users_number","ok":true,"result":42,"error":null}\n`);
});

test('the typed client gives a bigint beyond 2^53 and a number otherwise', async () => {
  const client = createClient({ url: server.url });
  try {
    assert.equal(await client.stats({ name: 'registeredusers' }), BigInt(BIG));
    assert.equal(await client.connected_users_number({}), 42);
    const [s] = await client.connected_users_info({});
    assert.equal(s.port, BigInt(NEAR));
    assert.equal(s.priority, BigInt(NEGATIVE));
    assert.equal(s.jid, `${BIG}@localhost/r`);
  } finally {
    await client.close();
  }
});

test('parsing: digits inside strings and keys, fractions and exponents are left alone; bad JSON still fails', async () => {
  const { parseJsonExact } = await import('../dist/client/exact-json.js');
  assert.deepEqual(parseJsonExact(`{"a\\"${BIG}":"x\\\\\\"${BIG}","f":1.${BIG},"e":1${BIG}e2,"n":[${BIG},-${BIG},${NEAR.slice(0, 15)}]}`),
    { [`a"${BIG}`]: `x\\"${BIG}`, f: Number(`1.${BIG}`), e: Number(`1${BIG}e2`), n: [BigInt(BIG), -BigInt(BIG), Number(NEAR.slice(0, 15))] });
  assert.throws(() => parseJsonExact(`[${BIG},`), SyntaxError);
  assert.throws(() => parseJsonExact(`["${BIG}]`), SyntaxError);
});

test('property: exact stringify and exact parse give back any JSON value with bigints', async () => {
  const fc = (await import('fast-check')).default;
  const { parseJsonExact } = await import('../dist/client/exact-json.js');
  const { stringifyExact } = await import('../dist/format/json.js');
  const unsafe = fc.bigInt().filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < -BigInt(Number.MAX_SAFE_INTEGER));
  // An integral double beyond 2^53 is left out: its digits come back as a bigint, by design.
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0) && !(Number.isInteger(d) && !Number.isSafeInteger(d))), unsafe, fc.boolean(), fc.constant(null),
      fc.array(tie('value')), fc.dictionary(fc.string().filter((k) => k !== '__proto__'), tie('value'), { noNullPrototype: true })),
  }));
  fc.assert(fc.property(value, fc.constantFrom(undefined, 2), (v, space) => {
    assert.deepEqual(parseJsonExact(stringifyExact(v, space)), v);
  }), { numRuns: 500 });
});
