// Lines ejabberdctl prints before a result that the HTTP reply does not carry, rebuilt from
// read-only calls made before the command (so that a command that destroys counts what was there,
// as ejabberdctl does). One record per command; the caller (run.ts) makes the call.
import { isRelease } from '../catalogue/releases.js';
import type { ResultValue } from '../client/normalise.js';

/** A summary line: what it counts, the read-only call that gives the whole, and the releases that print it. */
interface SummaryRule {
  /** The word of `rooms <word>: N out of M` (mod_muc_admin's method). */
  readonly method: string;
  /**
   * The read-only calls whose lists, joined, are the M (every room of the service): the rooms
   * that run (muc_online_rooms) and those without occupants, stored ones that have not started
   * included (rooms_unused_list of 0 days), which ejabberdctl counts too. Each argument is the
   * command's own argument of that name, or a fixed value.
   */
  readonly whole: readonly { readonly command: string; readonly args: Readonly<Record<string, { readonly from: string } | { readonly value: string | number }>> }[];
  /**
   * The first release whose ejabberdctl no longer prints it. 26.07's ejabberdctl prints no line for
   * rooms_unused_list and rooms_unused_destroy (measured; 24.12's does), the release that brought
   * rooms_unused_destroy_skip_notifications: taken as the change.
   */
  readonly until?: string;
}

type WholeCall = SummaryRule['whole'][number];
const ROOMS: readonly WholeCall[] = [
  { command: 'muc_online_rooms', args: { service: { from: 'service' } } },
  { command: 'rooms_unused_list', args: { service: { from: 'service' }, days: { value: 0 } } },
];

const SUMMARY_LINES: Record<string, SummaryRule> = {
  rooms_empty_list: { method: 'empty', whole: ROOMS },
  rooms_empty_destroy: { method: 'empty', whole: ROOMS },
  rooms_unused_list: { method: 'unused', whole: ROOMS, until: '26.07' },
  rooms_unused_destroy: { method: 'unused', whole: ROOMS, until: '26.07' },
};

/** The summary line this command prints on this release, if any. */
export function summaryRule(name: string, release: string): SummaryRule | undefined {
  const rule = Object.hasOwn(SUMMARY_LINES, name) ? SUMMARY_LINES[name] : undefined;
  return rule && !(rule.until && isRelease(release, rule.until)) ? rule : undefined;
}

/**
 * The line for a result, given the whole the read-only call returned: the part is the rooms the
 * result names (a list), or the number its text gives (`Destroyed rooms: 2`, rooms_empty_destroy
 * from API v2). Undefined when either is not a count.
 */
export function summaryLine(rule: SummaryRule, whole: readonly ResultValue[], value: ResultValue): string | undefined {
  if (!whole.every(Array.isArray)) return undefined;
  const all = new Set(whole.flatMap((list) => (list as ResultValue[]).map(String)));
  const part = Array.isArray(value) ? value.length : typeof value === 'string' ? Number(/(\d+)\s*$/.exec(value)?.[1] ?? NaN) : NaN;
  return Number.isInteger(part) ? `rooms ${rule.method}: ${part} out of ${all.size}` : undefined;
}

/** The arguments of one of the rule's read-only calls, from the command's body. */
export function wholeArgs(call: WholeCall, body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(call.args).map(([name, a]) => [name, 'from' in a ? body[a.from] : a.value]));
}
