// The rich formats stay off the start-up path: a command printed as text loads no table, YAML,
// CSV or colour code. A module hook records every module a child process imports while main()
// runs one command against a local stand-in server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { root, recordingServer, cleanEnv } from './helpers.mjs';

const HOOK = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}`;

// Runs main(argv) in a fresh process with the hook; prints the imported URLs as JSON.
const CHILD = `
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const urls = [];
port1.on('message', (u) => urls.push(u));
register('data:text/javascript,' + encodeURIComponent(process.env.HOOK), { data: { port: port2 }, transferList: [port2] });
const { main } = await import('./dist/cli/main.js');
let out = '';
const io = { stdout: { write: (s) => { out += s; return true; }, isTTY: false }, stderr: { write: (s) => process.stderr.write(s) },
  readStdin: async () => '', openStdin: () => process.stdin, env: JSON.parse(process.env.ECTL_ENV), cwd: process.cwd() };
const code = await main(JSON.parse(process.env.ARGV), io);
await new Promise((r) => setTimeout(r, 200));
port1.close();
process.stdout.write(JSON.stringify({ code, out, urls }));
`;

/** Runs the child (asynchronously: the stand-in server answers from this process). */
function modulesLoadedBy(argv, url) {
  const env = { ...cleanEnv(), HOOK, ARGV: JSON.stringify(argv), ECTL_ENV: JSON.stringify(cleanEnv({ ECTL_URL: url })) };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`child exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

const RICH = [/\/dist\/format\/table\.js$/, /\/dist\/format\/yaml\.js$/, /\/dist\/format\/delimited\.js$/, /\/dist\/format\/cells\.js$/,
  /\/node_modules\/chalk\//, /\/node_modules\/cli-table3\//, /\/node_modules\/string-width\//, /\/node_modules\/yaml\//];

test('-o text loads no table, YAML, CSV or colour module; -o table and -o yaml load theirs', async () => {
  const server = await recordingServer((req, body, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"timestamp":"2017-07-14T02:40:00Z","status":"x"}'); });
  try {
    const text = await modulesLoadedBy(['-o', 'text', 'get_last', 'bob', 'localhost'], server.url);
    assert.equal(text.code, 0);
    assert.equal(text.out, '2017-07-14T02:40:00Z\tx\n');
    assert.ok(text.urls.some((u) => u.endsWith('/dist/format/text.js')), 'the hook sees the modules');
    const loaded = text.urls.filter((u) => RICH.some((re) => re.test(u)));
    assert.deepEqual(loaded, [], `text output loaded: ${loaded.join(', ')}`);

    const table = await modulesLoadedBy(['-o', 'table', 'get_last', 'bob', 'localhost'], server.url);
    assert.equal(table.code, 0);
    for (const re of [/\/dist\/format\/table\.js$/, /\/node_modules\/chalk\//, /\/node_modules\/cli-table3\//]) assert.ok(table.urls.some((u) => re.test(u)), `-o table loads ${re}`);
    assert.ok(!table.urls.some((u) => /\/dist\/format\/yaml\.js$/.test(u)));

    const yaml = await modulesLoadedBy(['-o', 'yaml', 'get_last', 'bob', 'localhost'], server.url);
    assert.equal(yaml.out, 'timestamp: "2017-07-14T02:40:00Z"\nstatus: x\n');
    assert.ok(yaml.urls.some((u) => /\/dist\/format\/yaml\.js$/.test(u)));
    assert.ok(!yaml.urls.some((u) => /\/node_modules\/(chalk|cli-table3)\//.test(u)));
  } finally {
    await server.close();
  }
});
