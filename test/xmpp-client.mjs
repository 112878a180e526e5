// A small XMPP client for the tests: plain TCP (the test server's c2s listener has no
// STARTTLS), stream open, SASL PLAIN, resource binding, session, presence. Enough for
// a real session that connected_users_info, user_sessions_info and status_list report.
import { connect } from 'node:net';

const STREAM_NS = "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'";

/** Escapes text for XML character data and attribute values. */
export function xmlEscape(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]);
}

/** A presence stanza: `show` is away/chat/dnd/xa (none for plain available). */
export function presenceStanza({ show, status, priority } = {}) {
  const parts = [];
  if (show) parts.push(`<show>${show}</show>`);
  if (status !== undefined) parts.push(`<status>${xmlEscape(status)}</status>`);
  if (priority !== undefined) parts.push(`<priority>${priority}</priority>`);
  return parts.length ? `<presence>${parts.join('')}</presence>` : '<presence/>';
}

/**
 * Logs in and sends initial presence. Resolves { jid, send, iq, setPresence, receive, closed, close }:
 * receive(re, what) waits for what the server sends next that matches `re` (a message...) and
 * resolves the match; closed() resolves when the server closes the stream.
 * options: { port, host, user, password, resource, show, status, priority, timeoutMs }
 */
export async function xmppLogin({ port, host, user, password, resource, show, status, priority, address = '127.0.0.1', timeoutMs = 10_000 }) {
  const sock = connect(port, address);
  sock.setEncoding('utf8');
  let buffer = '';
  let closed = false;
  const waiters = new Set();
  sock.on('data', (d) => { buffer += d; for (const w of [...waiters]) w(); });
  sock.on('close', () => { closed = true; for (const w of [...waiters]) w(); });
  sock.on('error', () => {});
  const who = `${user}@${host}/${resource}`;

  /** Waits for the first match of `re` in what the server sent, and consumes up to its end. */
  const expect = (re, what) => new Promise((resolve, reject) => {
    const check = () => {
      const m = buffer.match(re);
      if (m) {
        clearTimeout(timer);
        waiters.delete(check);
        buffer = buffer.slice(m.index + m[0].length);
        resolve(m);
      } else if (closed) {
        clearTimeout(timer);
        waiters.delete(check);
        reject(new Error(`xmpp ${who}: connection closed waiting for ${what}; got ${buffer}`));
      }
    };
    const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`xmpp ${who}: no ${what} within ${timeoutMs} ms; got ${buffer}`)); }, timeoutMs);
    waiters.add(check);
    check();
  });

  await new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  const openStream = async () => {
    sock.write(`<?xml version='1.0'?><stream:stream to='${xmlEscape(host)}' version='1.0' ${STREAM_NS}>`);
    return (await expect(/<stream:features>([\s\S]*?)<\/stream:features>/, 'stream features'))[1];
  };

  const features = await openStream();
  if (!/<mechanism>PLAIN<\/mechanism>/.test(features)) throw new Error(`xmpp ${who}: the server offers no SASL PLAIN: ${features}`);
  const credentials = Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64');
  sock.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${credentials}</auth>`);
  const auth = await expect(/<success[^>]*\/>|<success[^>]*>[\s\S]*?<\/success>|<failure[\s\S]*?<\/failure>/, 'SASL result');
  if (auth[0].startsWith('<failure')) throw new Error(`xmpp ${who}: authentication failed: ${auth[0]}`);

  const boundFeatures = await openStream();
  let ids = 0;
  const iq = async (type, payload, to) => {
    const id = `ectl${++ids}`;
    sock.write(`<iq type='${type}' id='${id}'${to ? ` to='${xmlEscape(to)}'` : ''}>${payload}</iq>`);
    const m = await expect(new RegExp(`<iq[^>]*id=['"]${id}['"][^>]*(?:/>|>[\\s\\S]*?</iq>)`), `reply to iq ${id}`);
    if (/type=['"]error['"]/.test(m[0])) throw new Error(`xmpp ${who}: iq ${id} failed: ${m[0]}`);
    return m[0];
  };
  const bound = await iq('set', `<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${xmlEscape(resource)}</resource></bind>`);
  const jid = bound.match(/<jid>([^<]+)<\/jid>/)?.[1];
  if (!jid) throw new Error(`xmpp ${who}: no JID in the bind result: ${bound}`);
  // RFC 3921 session establishment; servers that still advertise it may expect it.
  if (/urn:ietf:params:xml:ns:xmpp-session/.test(boundFeatures)) await iq('set', "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>");
  sock.write(presenceStanza({ show, status, priority }));

  return {
    jid,
    send: (stanza) => sock.write(stanza),
    iq,
    setPresence: (p) => sock.write(presenceStanza(p)),
    receive: expect,
    closed: () => new Promise((resolve) => { if (closed) resolve(); else sock.once('close', resolve); }),
    close: () => new Promise((resolve) => {
      if (closed) return resolve();
      const timer = setTimeout(() => { sock.destroy(); resolve(); }, 3000);
      sock.once('close', () => { clearTimeout(timer); resolve(); });
      sock.end('</stream:stream>');
    }),
  };
}
