// What an argument position holds, for completion: one rule on the catalogue's argument names,
// shared by `ectl __complete` (which asks the server) and the generated shell scripts (which
// know, without starting node, which positions are worth asking about).
import type { ArgSpec, CommandSpec } from '../catalogue/types.js';
import { fixedValuesOf } from '../catalogue/fixed-values.js';
import { NEWEST_RELEASE } from '../catalogue/resolve.js';

export type ArgKind =
  | 'vhost' // a virtual host served by the server
  | 'user' // an account name (local part), on the host given by a sibling argument if any
  | 'jid' // a bare JID of a local account
  | 'muc_service' // a MUC service domain (taken from the rooms that exist)
  | 'room_name' // the local part of a MUC room JID
  | 'room_jid' // a full MUC room JID
  | 'file' // a path (on the server; completed from the local file system)
  | 'values' // one of a fixed list of words (an affiliation, a log level...)
  | 'none';

/** Kinds `ectl __complete` answers (from the server, or a fixed list); the shell does the rest. */
export const ASKED_KINDS: ReadonlySet<ArgKind> = new Set(['vhost', 'user', 'jid', 'muc_service', 'room_name', 'room_jid', 'values']);

/**
 * The words an argument can take, when they are a fixed list (the catalogue's one list, for the
 * spec's release); `typed` (the arguments before it) settles the ones that depend on an earlier
 * argument (see fixedValuesOf).
 */
export function fixedValues(spec: CommandSpec, index: number, typed?: readonly string[]): readonly string[] | undefined {
  const name = spec.args[index]?.name;
  if (name === undefined) return undefined;
  const given = typed && Object.fromEntries(spec.args.slice(0, typed.length).map((a, i) => [a.name, typed[i]]));
  return fixedValuesOf(spec.name, name, (spec as { release?: string }).release ?? NEWEST_RELEASE, given);
}

const VHOST_ARGS = new Set(['host', 'server', 'vhost', 'localhost', 'grouphost']);
const FILE_ARGS = new Set(['file', 'dir', 'in', 'out', 'oldbackup', 'newbackup']);
const JID_ARGS = new Set(['jid', 'from', 'to', 'with']);
/** An account-name argument and the argument naming its host. */
const USER_HOST: Record<string, readonly string[]> = { user: ['host', 'server'], localuser: ['localhost'] };

const has = (spec: CommandSpec, name: string) => spec.args.some((a) => a.name === name);

/** The index of the argument that names the host of the account argument at `index`, if any. */
export function hostArgIndex(spec: CommandSpec, index: number): number {
  const names = USER_HOST[spec.args[index]?.name] ?? [];
  return spec.args.findIndex((a) => names.includes(a.name));
}

export function argKind(spec: CommandSpec, index: number): ArgKind {
  const arg: ArgSpec | undefined = spec.args[index];
  if (!arg) return 'none';
  // A list whose elements are words of a fixed set (MUC/Sub nodes) is completed word by word.
  if (fixedValues(spec, index)) return 'values';
  if (arg.type !== 'string') return 'none';
  const { name } = arg;
  if (VHOST_ARGS.has(name)) return 'vhost';
  if (FILE_ARGS.has(name)) return 'file';
  if (JID_ARGS.has(name)) return 'jid';
  // `user` without a host beside it is a JID (e.g. subscribe_room's subscriber).
  if (name in USER_HOST) return hostArgIndex(spec, index) >= 0 ? 'user' : 'jid';
  if (name === 'service') return 'muc_service';
  // `room` or `name` is a room's name when the command also takes the room's MUC service
  // (23.01 calls it `name`, 24.12 and later `room`); `room` alone is the room's address.
  if ((name === 'name' || name === 'room') && has(spec, 'service')) return 'room_name';
  if (name === 'room') return 'room_jid';
  return 'none';
}

/** The kind of every argument of a command, in order. */
export function argKinds(spec: CommandSpec): ArgKind[] {
  return spec.args.map((_, i) => argKind(spec, i));
}

/** A MUC service argument that also accepts `global` (every service). */
export function acceptsGlobal(arg: ArgSpec): boolean {
  return /\bglobal\b/.test(arg.description);
}
