// ectl doctor tells the truth: a server failing every command is not "allowed", --insecure
// works as for any command, certificate errors with --ca-file get advice that fits them, and a
// CA file that cannot be used is a usage error. TLS faults a real ejabberd cannot be made to
// show (an expired certificate, one for another host) come from a Node HTTPS server on loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, ectl, live, plausibleReply, recordingServer, requireLiveServer } from './helpers.mjs';

let dir;
const certs = {};
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ectl-doctor-'));
  const ssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=ectl-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  writeFileSync(join(dir, 'ca.cnf'), '[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n' +
    'default_md = sha256\npolicy = any\ncopy_extensions = copy\nunique_subject = no\n[any]\ncommonName = supplied\n');
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '01\n');
  // Signed by the test CA: one expired in 2021, one valid but for another host.
  const leaf = (name, subject, san, dates) => {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject, '-addext', `subjectAltName=${san}`);
    ssl('ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.pem`, '-notext', ...dates);
    certs[name] = { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.pem`)) };
  };
  leaf('expired', '/CN=127.0.0.1', 'IP:127.0.0.1', ['-startdate', '20200101000000Z', '-enddate', '20210101000000Z']);
  leaf('otherhost', '/CN=other.example', 'DNS:other.example', ['-days', '30']);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const status = { 'content-type': 'application/json' };
/** An HTTPS server on loopback with this certificate, answering every command with a reply of its shape. */
async function httpsServer({ key, cert }) {
  const server = createHttpsServer({ key, cert }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, status);
      res.end(JSON.stringify(plausibleReply(req.url)));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `https://127.0.0.1:${server.address().port}/api`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

const doctor = (env, ...flags) => ectl([...flags, 'doctor'], { env: cleanEnv(env) });

test('a server that answers 500 to everything fails the API step, exit 1', async () => {
  const server = await recordingServer((req, body, res) => { res.writeHead(500, status); res.end('"internal_error"'); });
  try {
    const r = await doctor({ ECTL_URL: server.url });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^FAIL API +the status command failed: ejabberd failed while running 'status' \(internal_error\)/m);
    assert.doesNotMatch(r.stdout, /allowed/);
  } finally {
    await server.close();
  }
});

test('commands that fail with 500 are not "allowed": the permissions step fails and names them, exit 1', async () => {
  const server = await recordingServer((req, body, res) => {
    const name = req.url.split('/').pop();
    if (name === 'status') return res.writeHead(200, status), res.end('"The node n@h is started. Status: startedejabberd 23.01 is running in that node"');
    if (name === 'registered_vhosts') return res.writeHead(200, status), res.end('["localhost"]');
    if (name === 'srg_list') return res.writeHead(404, status), res.end('{"status":"error","code":44,"message":"Command not found."}');
    if (name === 'get_roster') return res.writeHead(403, status), res.end('{"status":"error","code":32,"message":"AccessRules: no"}');
    if (name === 'registered_users') return res.writeHead(200, status), res.end('[]');
    res.writeHead(500, status);
    res.end('"internal_error"');
  });
  try {
    const r = await doctor({ ECTL_URL: server.url, ECTL_USER: 'admin@localhost', ECTL_PASSWORD: 'doctor-pw-secret' });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^ok +credentials /m);
    assert.match(r.stdout, /^FAIL permissions +allowed: accounts; denied: roster; not offered: shared_roster_group; failed: session, muc, vcard, offline, statistics, server, oauth \(ejabberd failed while running 'connected_users_number' \(internal_error\)/m);
    assert.doesNotMatch(r.stdout + r.stderr, /doctor-pw-secret/);
  } finally {
    await server.close();
  }
});

test('--insecure: doctor accepts the untrusted certificate of the real server, as commands do', async () => {
  requireLiveServer();
  const env = { ECTL_URL: live.httpsUrl, ECTL_USER: live.admin, ECTL_PASSWORD: live.password };
  const r = await doctor(env, '--insecure');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^ok +TLS +NOT verified \(--insecure; DEPTH_ZERO_SELF_SIGNED_CERT\): localhost issued by localhost/m);
  assert.match(r.stdout, /^ok +version +ejabberd 23\.01/m);
  assert.match(r.stderr, /Warning: TLS certificate verification is off/);
  const cmd = await ectl(['--insecure', 'status'], { env: cleanEnv(env) });
  assert.equal(cmd.code, 0, cmd.stderr);
});

test('with --ca-file, an expired certificate is named as expired and the advice is to renew it', async () => {
  const server = await httpsServer(certs.expired);
  try {
    const ca = join(dir, 'ca.pem');
    const r = await doctor({ ECTL_URL: server.url }, '--ca-file', ca);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /^FAIL TLS +certificate expired \(CERT_HAS_EXPIRED\): 127\.0\.0\.1 issued by ectl-test-ca, expired \d+ days ago; it has expired: renew it on the server, or skip verification with --insecure$/m);
    const cmd = await ectl(['--ca-file', ca, 'status'], { env: cleanEnv({ ECTL_URL: server.url }) });
    assert.equal(cmd.code, 3);
    assert.match(cmd.stderr, /^Error: TLS certificate of 127\.0\.0\.1:\d+ not accepted \(CERT_HAS_EXPIRED\): it has expired: renew it on the server/);
    const insecure = await doctor({ ECTL_URL: server.url }, '--ca-file', ca, '--insecure');
    assert.equal(insecure.code, 0, insecure.stdout + insecure.stderr);
    assert.match(insecure.stdout, /^ok +TLS +NOT verified \(--insecure; CERT_HAS_EXPIRED\)/m);
  } finally {
    await server.close();
  }
});

test('with --ca-file, a certificate for another host is named as such, with the names it holds', async () => {
  const server = await httpsServer(certs.otherhost);
  try {
    const ca = join(dir, 'ca.pem');
    const r = await doctor({ ECTL_URL: server.url }, '--ca-file', ca);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /^FAIL TLS +certificate not for this host \(ERR_TLS_CERT_ALTNAME_INVALID\): other\.example issued by ectl-test-ca, expires in \d+ days; it names DNS:other\.example; it is not for this host name: use a --url host that the certificate names/m);
    const cmd = await ectl(['--ca-file', ca, 'status'], { env: cleanEnv({ ECTL_URL: server.url }) });
    assert.equal(cmd.code, 3);
    assert.match(cmd.stderr, /not accepted \(ERR_TLS_CERT_ALTNAME_INVALID\): it is not for this host name/);
  } finally {
    await server.close();
  }
});

test('with a --ca-file that did not issue the certificate, the advice says so', async () => {
  requireLiveServer();
  const r = await doctor({ ECTL_URL: live.httpsUrl }, '--ca-file', join(dir, 'ca.pem'));
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /^FAIL TLS +certificate not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\): .*; the CA file given with --ca-file did not issue it/m);
});

test('an unreadable or unusable CA file is a usage error (exit 2), for doctor and for commands, and nothing is sent', async () => {
  const server = await recordingServer();
  try {
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate\n');
    const broken = join(dir, 'broken.pem');
    writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const folder = join(dir, 'a-directory');
    mkdirSync(folder);
    const cases = [
      [join(dir, 'missing.pem'), /cannot read the CA file .*missing\.pem: no such file or directory/],
      [folder, /cannot read the CA file .*a-directory: it is a directory/],
      ['/dev/zero', /cannot read the CA file \/dev\/zero: a character device, not a regular file/],
      [garbage, /the CA file .*garbage\.pem holds no PEM certificate/],
      [broken, /the CA file .*broken\.pem: certificate 1 of 1 is not a valid certificate/],
    ];
    for (const [file, pattern] of cases) {
      const r = await doctor({ ECTL_URL: server.url }, '--ca-file', file);
      assert.equal(r.code, 2, `${file}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^FAIL config +${pattern.source}`, 'm'));
      const cmd = await ectl(['--ca-file', file, 'status'], { env: cleanEnv({ ECTL_URL: server.url }) });
      assert.equal(cmd.code, 2, cmd.stderr);
      assert.match(cmd.stderr, new RegExp(`^Error: ${pattern.source}`));
    }
    assert.equal(server.requests.length, 0);
  } finally {
    await server.close();
  }
});

test('the release line says which release ectl speaks and where that came from: given, detected, cached, re-detected', async () => {
  requireLiveServer();
  const cache = mkdtempSync(join(tmpdir(), 'ectl-doctor-cache-'));
  const env = { ECTL_URL: live.url, ECTL_USER: live.admin, ECTL_PASSWORD: live.password, XDG_CACHE_HOME: cache };
  const releaseLine = (r) => r.stdout.split('\n').find((l) => l.startsWith('ok   release') || l.startsWith('FAIL release'));
  try {
    let r = await doctor(env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(releaseLine(r), 'ok   release      ejabberd 23.01, given by ECTL_RELEASE');
    r = await doctor(env, '--release', '24.12');
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(releaseLine(r), 'FAIL release      --release says 24.12, but the server runs ejabberd 23.01: correct it or leave it out to have it detected');
    const detect = { ...env, ECTL_RELEASE: null };
    r = await doctor(detect);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(releaseLine(r), 'ok   release      ejabberd 23.01, detected from status and cached for a day');
    r = await doctor(detect);
    assert.equal(releaseLine(r), 'ok   release      ejabberd 23.01, detected from status earlier and cached (asked again after a day)');
    // A cache that says something else (the server was upgraded, or downgraded) is put right.
    const file = join(cache, 'ectl', 'releases.json');
    writeFileSync(file, JSON.stringify({ [live.url]: { at: Date.now(), release: '26.07' } }));
    r = await doctor(detect);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(releaseLine(r), 'ok   release      ejabberd 23.01, detected from status now (cached as 26.07; updated)');
    assert.equal(JSON.parse(readFileSync(file, 'utf8'))[live.url].release, '23.01');
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test('a server whose status names no release: the release line says commands speak the newest release', async () => {
  const server = await recordingServer((req, body, res) => {
    res.writeHead(200, status);
    res.end(req.url.endsWith('/status') ? '"The node n@h is started. Status: started"' : JSON.stringify(plausibleReply(req.url)));
  });
  const cache = mkdtempSync(join(tmpdir(), 'ectl-doctor-cache-'));
  try {
    const r = await doctor({ ECTL_URL: server.url, ECTL_RELEASE: null, XDG_CACHE_HOME: cache });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^skip version +not reported by status$/m);
    assert.match(r.stdout, /^ok +release +not detected \(status does not name it\): commands speak the newest ectl knows, \d\d\.\d\d; give --release to say which$/m);
  } finally {
    await server.close();
    rmSync(cache, { recursive: true, force: true });
  }
});
