// Server-side reality: every command the test server can safely run is called once with
// arguments of the right type that name nothing (a missing user, room, host or file). ectl must
// answer with an exit code and message from the contract, never crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commands } from '../dist/catalogue/commands.js';
import { ectl } from './helpers.mjs';

// Commands that stop, rewrite or wipe the server, reach the Internet, or delete the other tests'
// accounts even with arguments that name nothing. test/request-shapes.test.mjs covers their requests.
const UNSAFE = new Set([
  'stop', 'restart', 'stop_kindly', 'reload_config', 'restore', 'install_fallback', 'load', 'delete_mnesia', 'mnesia_change_nodename',
  'leave_cluster', 'join_cluster', 'set_master', 'delete_old_users', 'delete_old_users_vhost', 'delete_old_messages',
  'delete_old_mam_messages', 'delete_old_mam_messages_batch', 'delete_expired_messages', 'delete_old_push_sessions',
  'delete_expired_pubsub_items', 'delete_old_pubsub_items', 'modules_update_specs', 'module_install', 'module_uninstall',
  'module_upgrade', 'request_certificate', 'revoke_certificate', 'update', 'set_loglevel', 'rooms_unused_destroy',
  'rooms_empty_destroy', 'clear_cache', 'export2sql', 'backup', 'dump', 'dump_table', 'convert_to_yaml', 'reopen_log',
  'rotate_log', 'compile', 'restart_module', 'evacuate_kindly', 'create_rooms_file', 'destroy_rooms_file', 'send_message',
  'send_stanza', 'send_stanza_c2s', 'privacy_set', 'push_roster', 'push_roster_all', 'push_alltoall', 'srg_create', 'import_dir',
  'import_file', 'import_piefxis', 'import_prosody', 'export_piefxis', 'export_piefxis_host', 'set_presence', 'unban_ip',
  'oauth_add_client_implicit', 'oauth_add_client_password', 'oauth_issue_token', 'abort_delete_old_mam_messages',
  'abort_delete_old_messages', 'delete_old_messages_batch', 'gen_html_doc_for_commands', 'gen_markdown_doc_for_commands',
  'update_list', 'incoming_s2s_number', 'outgoing_s2s_number', 'convert_to_scram', 'update_sql', 'mnesia_info', 'mnesia_table_info',
]);

// Arguments that take one word of a fixed set get a valid one (ectl refuses any other before
// sending): the rest of the call still names nothing.
const FIXED = {
  subs: 'none', asks: 'none', option: 'title', action: 'list', affiliation: 'none', status: 'available',
  'stats.name': 'registeredusers', 'stats_host.name': 'registeredusers', 'create_room_with_opts.name': 'title',
  nodes: 'urn:xmpp:mucsub:nodes:messages', node: 'urn:xmpp:mucsub:nodes:messages', key: 'label',
  storage_type: 'ram_copies', 'export_db_ext.type': 'json',
};

function valueFor(name, type, command) {
  if (typeof type === 'object') {
    if (type.list) return [valueFor(type.list.name, type.list.type, command)];
    return Object.fromEntries(type.tuple.map((f) => [f.name, valueFor(f.name, f.type, command)]));
  }
  if (type === 'integer') return 1;
  const fixed = FIXED[`${command}.${name}`] ?? FIXED[name];
  if (fixed) return fixed;
  if (['host', 'server', 'localhost', 'grouphost'].includes(name)) return 'nonexistent.invalid';
  if (name === 'service') return 'conference.nonexistent.invalid';
  if (['jid', 'from', 'to', 'room', 'with'].includes(name)) return 'nobody@nonexistent.invalid';
  if (['file', 'dir', 'in', 'out'].includes(name)) return '/nonexistent/ectl-test';
  return 'ectl-nothing';
}

const targets = commands.filter((c) => !UNSAFE.has(c.name));

test(`${targets.length} commands called with arguments that name nothing answer within the contract`, async () => {
  assert.ok(targets.length >= 90, `only ${targets.length} commands tried`);
  const input = targets.map((c) => JSON.stringify({ command: c.name, args: Object.fromEntries(c.args.map((a) => [a.name, valueFor(a.name, a.type, c.name)])) })).join('\n');
  const r = await ectl(['-o', 'json', '--timeout', '20', 'batch', '-j', '2'], { input });
  const records = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(records.length, targets.length, r.stderr);
  const bad = [];
  for (const rec of records) {
    const c = targets[rec.line - 1];
    assert.equal(rec.command, c.name);
    // 0: it ran; 1: the server reported a failure. Anything else (no answer, unreadable reply,
    // a refusal of the admin's credentials, an internal error) is a bug on one side or the other.
    if (!rec.ok && rec.exit !== 1) bad.push(`${c.name}: exit ${rec.exit} ${rec.error}`);
    if (!rec.ok && !(typeof rec.error === 'string' && rec.error.length > 0 && !rec.error.includes('\n'))) bad.push(`${c.name}: unclear error ${JSON.stringify(rec.error)}`);
    if (!rec.ok && /internal error/.test(rec.error)) bad.push(`${c.name}: ${rec.error}`);
  }
  assert.deepEqual(bad, []);
  assert.match(r.stderr, /^\d+ ok, \d+ failed\n$/);
});
