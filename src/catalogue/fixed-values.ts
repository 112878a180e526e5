// The arguments that take one of a fixed set of words, per ejabberd release: ONE list that both
// the check before sending (args.ts) and completion (cli/arg-kinds.ts) read. Each list was checked
// against ejabberd's source at the release tags: the config record of include/mod_muc_room.hrl and
// format_room_option in mod_muc_admin.erl (room options), mod_admin_extra's stats (statistic
// names), ejabberd_logger's levels, the roster and presence types of the XMPP RFCs it implements,
// mod_muc_room's MUC/Sub events, mod_admin_extra's srg_set_info keys, ejabberd_admin's storage
// types and export formats.
import { compareReleases } from './resolve.js';

const AFFILIATIONS = ['owner', 'admin', 'member', 'outcast', 'none'];
const SHOWS = ['available', 'away', 'chat', 'dnd', 'xa'];
const SUBSCRIPTIONS = ['none', 'from', 'to', 'both'];
const TRUE_FALSE = ['true', 'false'];
/** The MUC/Sub events a room keeps for a subscriber; the room drops any other name without a word. */
const MUCSUB_NODES = ['presence', 'messages', 'affiliations', 'subject', 'config', 'participants', 'subscribers'].map((n) => `urn:xmpp:mucsub:nodes:${n}`);
/** srg_set_info's keys that are true or false (anything but true turns them off). */
const SRG_TRUE_FALSE_KEYS = ['all_users', 'online_users'];

/** What a room option's value must be: a word of true/false, an integer, free text, or something the server parses itself. */
export type RoomOptionType = 'boolean' | 'integer' | 'string' | 'list' | 'term' | readonly string[];

const BOOLEAN_OPTIONS = [
  'allow_change_subj', 'allow_query_users', 'allow_private_messages', 'allow_private_messages_from_visitors', 'allow_visitor_status',
  'allow_visitor_nickchange', 'public', 'public_list', 'persistent', 'moderated', 'captcha_protected', 'members_by_default',
  'members_only', 'allow_user_invites', 'allow_subscription', 'password_protected', 'anonymous', 'allow_voice_requests',
  'logging', 'mam', 'enable_hats',
];

/** The room options a release's create_room_with_opts and change_room_option take, with their value types. */
export function roomOptions(release: string): Readonly<Record<string, RoomOptionType>> {
  const options: Record<string, RoomOptionType> = Object.fromEntries(BOOLEAN_OPTIONS.map((o) => [o, 'boolean']));
  Object.assign(options, {
    title: 'string', description: 'string', password: 'string', subject: 'string', subject_author: 'string',
    vcard: 'string', vcard_xupdate: 'string', lang: 'string', pubsub: 'string',
    max_users: 'integer', voice_request_min_interval: 'integer',
    presence_broadcast: 'term', captcha_whitelist: 'term',
  });
  // 23.04 reads affiliations and subscribers when a room is created (23.01 fails: "Unable to start room").
  if (compareReleases(release, '23.04') >= 0) Object.assign(options, { affiliations: 'list', subscribers: 'list' });
  // 23.10 replaced allow_private_messages by allowpm (who may send private messages); the old name is still taken.
  if (compareReleases(release, '23.10') >= 0) options.allowpm = ['anyone', 'participants', 'moderators', 'none'];
  return options;
}

/**
 * Arguments that take one of a few words, by argument name, or `command.argument` where the
 * same name means different things.
 */
const FIXED_VALUES: Record<string, readonly string[]> = {
  affiliation: AFFILIATIONS,
  subs: SUBSCRIPTIONS,
  loglevel: ['none', 'emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug'],
  'set_presence.show': SHOWS.filter((s) => s !== 'available'),
  'set_presence.type': ['available', 'unavailable', 'error', 'probe'],
  'status_num.status': SHOWS,
  'status_num_host.status': SHOWS,
  'status_list.status': SHOWS,
  'status_list_host.status': SHOWS,
  'send_message.type': ['normal', 'chat', 'headline', 'groupchat'],
  'delete_old_mam_messages.type': ['chat', 'groupchat', 'all'],
  'delete_old_mam_messages_batch.type': ['chat', 'groupchat', 'all'],
  'stats.name': ['registeredusers', 'onlineusers', 'onlineusersnode', 'uptimeseconds', 'processes'],
  'stats_host.name': ['registeredusers', 'onlineusers'],
  'process_rosteritems.action': ['list', 'delete'],
  'process_rosteritems.subs': ['any', ...SUBSCRIPTIONS],
  'process_rosteritems.asks': ['any', 'none', 'out', 'in'],
  // Any other key is logged by the server and ignored; the value of a true/false key follows.
  'srg_set_info.key': ['label', 'description', ...SRG_TRUE_FALSE_KEYS],
  // Any other word: the server answers "Nothing to do".
  'mnesia_table_change_storage.storage_type': ['ram_copies', 'disc_copies', 'disc_only_copies', 'remote_copy'],
  'export_db_ext.type': ['json', 'dbser'],
  'subscribe_room.nodes': MUCSUB_NODES,
  'subscribe_room_many.nodes': MUCSUB_NODES,
};

/** The character that joins the words of a text argument taking several words of its set at once. */
const JOINED_BY: Record<string, string> = {
  // process_rosteritems takes several words joined by ':' (any:both).
  'process_rosteritems.action': ':', 'process_rosteritems.subs': ':', 'process_rosteritems.asks': ':',
  // API v0 of the MUC/Sub commands takes the nodes as one text, split at commas.
  'subscribe_room.nodes': ',', 'subscribe_room_many.nodes': ',',
};

/** The joiner of a text argument that takes several words of its set at once, if it does. */
export function joinerOf(command: string, arg: string): string | undefined {
  return JOINED_BY[`${command}.${arg}`];
}

/** The words of a text argument of a fixed set (one word when it takes only one). */
export function wordsOf(command: string, arg: string, value: string): string[] {
  const joiner = joinerOf(command, arg);
  if (!joiner) return [value];
  // The server splits nodes at commas with any blanks around them; an empty piece is no node (it is skipped).
  return joiner === ',' ? value.split(/\s*,\s*/).filter((w) => w !== '') : value.split(joiner);
}

/** Whether an argument's words depend on an earlier argument (see fixedValuesOf's `given`). */
export function dependsOnEarlier(command: string, arg: string): boolean {
  return arg === 'value' && (command === 'change_room_option' || command === 'srg_set_info');
}

/**
 * The words an argument (by command and argument name) can take in a release, when they are a
 * fixed list. Where they depend on an earlier argument (the value of change_room_option's
 * option, of srg_set_info's key), `given` holds the arguments typed so far: without it the
 * words any case can take are given (for the completion scripts to know the position is worth
 * asking about); with it, undefined when that case is free text.
 */
export function fixedValuesOf(command: string, arg: string, release: string, given?: Readonly<Record<string, unknown>>): readonly string[] | undefined {
  if (arg === 'option' && (command === 'change_room_option' || command === 'get_room_option')) return Object.keys(roomOptions(release));
  if (dependsOnEarlier(command, arg) && command === 'change_room_option') {
    if (given === undefined) return TRUE_FALSE;
    const type = typeof given.option === 'string' ? roomOptions(release)[given.option] : undefined;
    return type === 'boolean' ? TRUE_FALSE : Array.isArray(type) ? type : undefined;
  }
  if (dependsOnEarlier(command, arg) && command === 'srg_set_info') {
    return given === undefined || SRG_TRUE_FALSE_KEYS.includes(String(given.key)) ? TRUE_FALSE : undefined;
  }
  return FIXED_VALUES[`${command}.${arg}`] ?? FIXED_VALUES[arg];
}
