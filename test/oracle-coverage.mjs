// Data for test/zz-oracle-coverage.test.mjs: the files whose runs count as oracle comparisons,
// and each command of a release's ejabberdctl that none of them compares, with the reason.

/** Test files that compare ectl with a release's own ejabberdctl on that release's test server. */
export const ORACLE_FILES = [
  'oracle.test.mjs',
  'oracle-releases.test.mjs',
  'rare-commands.test.mjs',
  'changed-commands.test.mjs',
  'new-commands.test.mjs',
  'summary-lines.test.mjs',
  'oracle-sweep.test.mjs',
];

/** The reason for a command that is safe here and simply not compared yet: the gap. */
export const NOT_YET = 'safe on a test server, not compared yet';

const STOPS = 'stops, restarts or empties the shared test node that other tests use';
const CLUSTER = 'changes the node\'s cluster or Mnesia layout (needs nodes of its own)';
const SCRATCH = 'compared on scratch nodes of its own: test/scratch-nodes.test.mjs';
const DELETES = 'deletes old data of every account or room on the host, which other tests own';
const EVERYONE = 'reaches every account or roster on the server, which other tests own';
const NETWORK = 'fetches from the Internet (ACME, the ejabberd-contrib repository)';
const VARIES = 'its output changes between two calls (uptimes, process counts, memory)';
const TERM = 'ejabberdctl prints an Erlang term where the HTTP API sends JSON';
const CONSOLE = 'ejabberdctl prints console lines the HTTP API does not carry (README Differences)';
const UNKNOWN_HOST = '26.07\'s API refuses a host it does not serve (README Differences), and on a served host it reaches every account';
const CONFIG = 'reloads or rewrites the shared node\'s configuration or SQL schema under the other tests';

/**
 * Commands not compared, by name: a reason, or { reason, releases } when it holds on some
 * releases only.
 */
export const NOT_COMPARED = {
  stop: STOPS,
  restart: STOPS,
  halt: { reason: SCRATCH, releases: ['24.12', '26.07'] },
  stop_kindly: STOPS,
  restart_kindly: SCRATCH,
  evacuate_kindly: { reason: SCRATCH, releases: ['24.12', '26.07'] },
  delete_mnesia: STOPS,
  join_cluster: CLUSTER,
  leave_cluster: CLUSTER,
  set_master: CLUSTER,
  mnesia_change_nodename: CLUSTER,
  mnesia_table_change_storage: SCRATCH,
  list_cluster_detailed: { reason: SCRATCH, releases: ['24.12'] },
  export_db: SCRATCH,
  import_db: SCRATCH,
  export_db_ext: SCRATCH,
  announce_send_all: SCRATCH,
  announce_send_online: SCRATCH,
  announce_motd_set_online: SCRATCH,
  delete_old_users: DELETES,
  delete_old_users_vhost: { reason: UNKNOWN_HOST, releases: ['26.07'] },
  convert_to_scram: { reason: UNKNOWN_HOST, releases: ['26.07'] },
  export2sql: { reason: UNKNOWN_HOST, releases: ['26.07'] },
  reload_config: CONFIG,
  update_sql: CONFIG,
  man: 'writes a man page into the node\'s working directory, which the test cannot choose',
  create_rooms_file: CONSOLE,
  destroy_rooms_file: CONSOLE,
  delete_old_messages: DELETES,
  delete_old_mam_messages: DELETES,
  delete_old_messages_batch: DELETES,
  delete_old_mam_messages_batch: DELETES,
  delete_old_pubsub_items: DELETES,
  delete_old_push_sessions: DELETES,
  delete_expired_messages: DELETES,
  delete_expired_pubsub_items: DELETES,
  push_roster_all: EVERYONE,
  push_alltoall: EVERYONE,
  request_certificate: NETWORK,
  revoke_certificate: NETWORK,
  modules_update_specs: NETWORK,
  mnesia_info: VARIES,
  connected_users_info: VARIES,
  oauth_list_tokens: TERM,
  process_rosteritems: CONSOLE,
};

/** The reason `command` is not compared on `release`, or undefined. */
export function reasonFor(command, release) {
  const r = NOT_COMPARED[command];
  if (typeof r === 'string') return r;
  if (r?.releases.includes(release)) return r.reason;
  return PENDING[command]?.includes(release) ? NOT_YET : undefined;
}

/** Safe commands not compared yet, with the releases where they are not. */
const LATER = ['24.12', '26.07'];
const PENDING = {
  // Their argument shapes changed after 23.01 (a list: JSON on 23.01's ejabberdctl, other forms
  // later); test/oracle.test.mjs compares them on 23.01.
  create_room_with_opts: LATER,
  set_vcard2_multi: LATER,
  // new-commands compares these on 26.07 only. A pair read back with srg_get_info differs on
  // 24.12 and 26.07 (description printed as [] by ejabberdctl, empty by ectl): not settled yet.
  srg_add: ['24.12'],
  srg_set_info: ['24.12'],
  srg_add_displayed: ['24.12'],
  srg_del_displayed: ['24.12'],
};
