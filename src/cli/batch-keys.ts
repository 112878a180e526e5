// What a batch line acts on, so that lines about the same thing never run at the same time:
// an account (user and host, or a JID), a MUC room (name and service, or the room's JID) or a
// shared roster group (group and host). Read from the argument names of the definition in use,
// so every release's shapes (`name`/`room`, `user`+`server`, JIDs in lists) give the same keys.
import type { JsonValue } from '../catalogue/args.js';
import type { CommandSpec } from '../catalogue/types.js';

/** An account argument and the arguments that may name its host. */
const ACCOUNT_HOSTS: Record<string, readonly string[]> = { user: ['host', 'server'], localuser: ['localhost'], username: ['host'] };
/** Arguments that hold the JID of an account the command acts on (a full JID counts as its bare JID). */
const ACCOUNT_JIDS = new Set(['jid', 'to', 'user']);
/**
 * Accounts a command names but only reads as the other side: the contact of a roster item, the
 * peer of an archive, the sender of a message. Keying them would put every line that adds the
 * same contact to many rosters in one queue, for nothing.
 */
const PEERS: Record<string, readonly string[]> = {
  add_rosteritem: ['user', 'host'],
  delete_rosteritem: ['user', 'host'],
  remove_mam_for_user_with_peer: ['with'],
};

const text = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/** The bare JID of a JID, lower-cased as ejabberd's stringprep would leave most names. */
function bare(jid: string): string {
  const slash = jid.indexOf('/');
  return (slash < 0 ? jid : jid.slice(0, slash)).toLowerCase();
}

/** JIDs inside a list argument: its elements, or the `user`/`jid` field of its tuples. */
function listedJids(value: JsonValue | undefined): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) => {
    if (typeof v === 'string') return v.includes('@') ? [v] : [];
    if (v && typeof v === 'object' && !Array.isArray(v)) return [text(v.user) ?? text(v.jid)].filter((j): j is string => !!j);
    return [];
  });
}

const argumentSets = new WeakMap<object, { names: Set<string>; peers: Set<string> }>();

/** The keys of one call: `account:u@h`, `room:r@service`, `group:g@h`. Empty: it may run beside anything. */
export function conflictKeys(spec: Pick<CommandSpec, 'name' | 'args'>, body: Readonly<Record<string, JsonValue>>): string[] {
  // Made once per definition: a batch keys line after line of the same command.
  let sets = argumentSets.get(spec);
  if (!sets) argumentSets.set(spec, (sets = { names: new Set(spec.args.map((a) => a.name)), peers: new Set(PEERS[spec.name] ?? []) }));
  const { names, peers } = sets;
  const keys = new Set<string>();
  const value = (name: string) => (names.has(name) && !peers.has(name) ? text(body[name]) : undefined);
  const hostFor = (candidates: readonly string[]) => candidates.map(value).find((h) => h !== undefined);

  let accountNamed = false;
  for (const [account, hosts] of Object.entries(ACCOUNT_HOSTS)) {
    const user = value(account);
    const host = hostFor(hosts);
    if (user !== undefined && host !== undefined) {
      keys.add(`account:${user.toLowerCase()}@${host.toLowerCase()}`);
      if (account === 'user') accountNamed = true;
    }
  }
  for (const name of ACCOUNT_JIDS) {
    if (name === 'user' && accountNamed) continue; // `user` with a host beside it is a local part, done above
    const jid = value(name);
    if (jid?.includes('@')) keys.add(`account:${bare(jid)}`);
  }
  for (const arg of spec.args) {
    if (typeof arg.type === 'object' && !peers.has(arg.name)) for (const jid of listedJids(body[arg.name])) keys.add(`account:${bare(jid)}`);
  }

  // A room: its name (`name` in older releases, `room` in newer) beside its service, or a room JID on its own.
  const service = value('service');
  const room = value('room') ?? value('name');
  if (room !== undefined && service !== undefined) keys.add(`room:${bare(`${room}@${service}`)}`);
  else if (service === undefined && value('room')?.includes('@')) keys.add(`room:${bare(value('room')!)}`);

  // A shared roster group (add_rosteritem's `group` is a roster group: its host is a peer, so none is found).
  const group = value('group');
  const groupHost = hostFor(['grouphost', 'host']);
  if (group !== undefined && groupHost !== undefined) keys.add(`group:${group.toLowerCase()}@${groupHost.toLowerCase()}`);
  return [...keys];
}
