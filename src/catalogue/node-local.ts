// Which ejabberd commands are node-local: in a cluster, their answer or effect belongs to the
// node that receives the HTTP request (mod_http_api has no node argument). Facts kept as data:
// each names the function that implements the command and a pattern in its source (or in the
// functions listed in `follow`) that shows the node-local part; test/node-local.test.mjs checks
// every fact against ejabberd's source at each release tag that has the command. Every command
// not listed here reads or changes data that every node of the cluster shares.

export interface NodeLocalFact {
  readonly name: string;
  /** `module:function` implementing the command, as the command's definition names it. */
  readonly function: string;
  /** A regular expression found in that function's source (or a followed one's) at every tag. */
  readonly evidence: string;
  /** Further `module:function`s whose source is searched too (the command delegates to them). */
  readonly follow?: readonly string[];
  /** What depends on the node, in our words, for help. */
  readonly why: string;
  /** Stops, restarts or takes apart the node: with --all-nodes it needs --yes. */
  readonly destructive?: boolean;
  /**
   * Over HTTP the command closes the connection it came on before it can reply (measured on
   * 24.12 and 26.07, test/scratch-nodes.test.mjs): `halts`, the node ends at once (ejabberdctl reports
   * it as down and exits 3); `stops-ejabberd`, ejabberd stops with the request in it, so the
   * command ran up to that step (ejabberdctl, whose call runs outside ejabberd, exits 0).
   */
  readonly cutsItsReply?: 'halts' | 'stops-ejabberd';
  /** An integer argument: the seconds the command waits before it replies (ectl's --timeout starts after them). */
  readonly waitsFor?: string;
}

export const NODE_LOCAL: readonly NodeLocalFact[] = [
  { name: 'status', function: 'ejabberd_admin:status', evidence: 'init:get_status\\(\\)', why: "it reports that node's own state" },
  { name: 'stats', function: 'mod_admin_extra:stats', evidence: 'erlang:statistics\\(wall_clock\\)', why: 'uptimeseconds, processes and onlineusersnode count that node only' },
  { name: 'get_loglevel', function: 'ejabberd_logger:get', evidence: 'logger:get_primary_config', why: "it reads that node's log level" },
  { name: 'set_loglevel', function: 'ejabberd_admin:set_loglevel', evidence: 'logger:set_primary_config', follow: ['ejabberd_logger:set'], why: "it sets that node's log level" },
  { name: 'reload_config', function: 'ejabberd_admin:reload_config', evidence: 'ConfigFile = path\\(\\)', follow: ['ejabberd_config:reload'], why: "it reloads that node's configuration file" },
  { name: 'reopen_log', function: 'ejabberd_admin:reopen_log', evidence: 'reopen_log', why: "it reopens that node's log files" },
  { name: 'rotate_log', function: 'ejabberd_admin:rotate_log', evidence: 'rotate_log', why: "it rotates that node's log files" },
  { name: 'gc', function: 'ejabberd_admin:gc', evidence: 'processes\\(\\)', why: "it collects garbage in that node's processes" },
  { name: 'incoming_s2s_number', function: 'ejabberd_s2s:incoming_s2s_number', evidence: 'ejabberd_s2s_in', why: 'it counts the connections that node accepted' },
  { name: 'update_list', function: 'ejabberd_admin:update_list', evidence: 'ejabberd_update:update_info', why: "it compares that node's loaded code with its files" },
  { name: 'update', function: 'ejabberd_admin:update', evidence: 'update_module|ejabberd_update', why: "it loads new code into that node" },
  { name: 'compile', function: 'mod_admin_extra:compile', evidence: 'code:load_file', why: 'it compiles and loads a file on that node' },
  { name: 'restart_module', function: 'mod_admin_extra:restart_module', evidence: 'code:load_file', why: "it reloads a module's code on that node" },
  { name: 'mnesia_info', function: 'ejabberd_admin:mnesia_info', evidence: 'mnesia:system_info', why: "it shows that node's view of the database" },
  { name: 'mnesia_table_info', function: 'ejabberd_admin:mnesia_table_info', evidence: 'mnesia:table_info', why: "it shows that node's view of a table" },
  { name: 'set_master', function: 'ejabberd_admin:set_master', evidence: 'mnesia:set_master_nodes', why: 'it sets the master node that this node loads tables from' },
  { name: 'get_master', function: 'ejabberd_admin:get_master', evidence: 'master_nodes', why: 'it reads the master node that this node loads tables from' },
  { name: 'backup', function: 'ejabberd_admin:backup_mnesia', evidence: 'mnesia:backup', why: "it writes the file on that node's disk" },
  { name: 'dump', function: 'ejabberd_admin:dump_mnesia', evidence: 'filename:absname\\(Path\\), node\\(\\)', follow: ['ejabberd_admin:dump_tables'], why: "it writes the file on that node's disk" },
  { name: 'dump_table', function: 'ejabberd_admin:dump_table', evidence: 'filename:absname\\(Path\\), node\\(\\)', follow: ['ejabberd_admin:dump_tables'], why: "it writes the file on that node's disk" },
  { name: 'load', function: 'ejabberd_admin:load_mnesia', evidence: 'mnesia:load_textfile', why: "it reads the file from that node's disk" },
  { name: 'restore', function: 'ejabberd_admin:restore_mnesia', evidence: 'filename:absname\\(Path\\), node\\(\\)', why: "it reads the file from that node's disk" },
  { name: 'install_fallback', function: 'ejabberd_admin:install_fallback_mnesia', evidence: 'mnesia:install_fallback', why: "it reads the file from that node's disk and sets it for that node's next start" },
  { name: 'dump_config', function: 'ejabberd_admin:dump_config', evidence: 'ejabberd_config:dump', why: "it writes the file on that node's disk" },
  { name: 'convert_to_yaml', function: 'ejabberd_admin:convert_to_yaml', evidence: 'ejabberd_config:convert_to_yaml', why: "it reads and writes files on that node's disk" },
  { name: 'import_file', function: 'ejabberd_admin:import_file', evidence: 'filename:absname\\(Path\\), node\\(\\)', why: "it reads the file from that node's disk" },
  { name: 'import_dir', function: 'ejabberd_admin:import_dir', evidence: 'filename:absname\\(Path\\), node\\(\\)', why: "it reads the directory on that node's disk" },
  { name: 'mnesia_change_nodename', function: 'ejabberd_admin:mnesia_change_nodename', evidence: 'mnesia:traverse_backup', why: "it reads and writes backup files on that node's disk" },
  { name: 'mnesia_list_tables', function: 'ejabberd_admin:mnesia_list_tables', evidence: 'mnesia:table_info', why: "it lists the tables as that node holds them (storage, size, memory)" },
  { name: 'mnesia_table_change_storage', function: 'ejabberd_admin:mnesia_table_change_storage', evidence: 'Node = node\\(\\)', why: "it changes that node's own copy of the table" },
  // The export and import run as a task of that node's ejabberd_batch server (a locally registered process).
  { name: 'export_db', function: 'ejabberd_db_serialize:export', evidence: 'ejabberd_batch:register_task', why: "it runs on that node and writes the files on that node's disk" },
  { name: 'export_db_ext', function: 'ejabberd_admin:export_db_ext', evidence: 'ejabberd_batch:register_task', follow: ['ejabberd_db_serialize:export'], why: "it runs on that node and writes the files on that node's disk" },
  { name: 'import_db', function: 'ejabberd_db_serialize:import', evidence: 'ejabberd_batch:register_task', why: "it runs on that node and reads the files from that node's disk" },
  { name: 'export_db_status', function: 'ejabberd_db_serialize:export_status', evidence: 'ejabberd_batch:task_status', why: "it reports the export running on that node" },
  { name: 'import_db_status', function: 'ejabberd_db_serialize:import_status', evidence: 'ejabberd_batch:task_status', why: "it reports the import running on that node" },
  { name: 'export_db_abort', function: 'ejabberd_db_serialize:export_abort', evidence: 'ejabberd_batch:abort_task', why: "it stops the export running on that node" },
  { name: 'import_db_abort', function: 'ejabberd_db_serialize:import_abort', evidence: 'ejabberd_batch:abort_task', why: "it stops the import running on that node" },
  { name: 'stop', function: 'ejabberd_admin:stop', evidence: 'init:stop\\(\\)', why: 'it stops that node', destructive: true },
  { name: 'restart', function: 'ejabberd_admin:restart', evidence: 'init:restart\\(\\)', why: 'it restarts that node', destructive: true },
  { name: 'halt', function: 'ejabberd:halt', evidence: 'erlang:halt', why: 'it halts that node at once', destructive: true, cutsItsReply: 'halts' },
  { name: 'stop_kindly', function: 'ejabberd_admin:stop_kindly', evidence: 'init, stop', follow: ['ejabberd_admin:perform_kindly'], why: 'it warns the users of that node, then stops it', destructive: true, waitsFor: 'delay' },
  { name: 'restart_kindly', function: 'ejabberd_admin:restart_kindly', evidence: 'init, restart', follow: ['ejabberd_admin:perform_kindly'], why: 'it warns the users of that node, then restarts it', destructive: true, waitsFor: 'delay' },
  { name: 'evacuate_kindly', function: 'ejabberd_admin:evacuate_kindly', evidence: 'stop_listeners', follow: ['ejabberd_admin:perform_kindly'], why: "it warns the users of that node, then stops that node's service to them", destructive: true, cutsItsReply: 'stops-ejabberd', waitsFor: 'delay' },
  { name: 'join_cluster', function: 'ejabberd_admin:join_cluster', evidence: 'ejabberd_cluster(:|, )join', why: 'that node leaves its own database to join the cluster of the node named', destructive: true },
];

const byName = new Map(NODE_LOCAL.map((f) => [f.name, f]));

/** The node-local fact of a command, or undefined for a command any node of a cluster answers alike. */
export function nodeLocal(name: string): NodeLocalFact | undefined {
  return byName.get(name);
}
