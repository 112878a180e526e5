// The arguments that take one of a fixed set of words, per ejabberd release: ONE list that both
// the check before sending (args.ts) and completion (cli/arg-kinds.ts) read. Each list was checked
// against ejabberd's source at the release tags: the config record of include/mod_muc_room.hrl and
// format_room_option in mod_muc_admin.erl (room options), mod_admin_extra's stats (statistic
// names), ejabberd_logger's levels, the roster and presence types of the XMPP RFCs it implements.
import { compareReleases } from './resolve.js';

const AFFILIATIONS = ['owner', 'admin', 'member', 'outcast', 'none'];
const SHOWS = ['available', 'away', 'chat', 'dnd', 'xa'];
const SUBSCRIPTIONS = ['none', 'from', 'to', 'both'];

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
};

/** The words an argument (by command and argument name) can take in a release, when they are a fixed list. */
export function fixedValuesOf(command: string, arg: string, release: string): readonly string[] | undefined {
  if (arg === 'option' && (command === 'change_room_option' || command === 'get_room_option')) return Object.keys(roomOptions(release));
  return FIXED_VALUES[`${command}.${arg}`] ?? FIXED_VALUES[arg];
}
