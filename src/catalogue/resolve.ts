// Which definition of a command a given ejabberd release speaks, at its newest API version or
// at the highest one at or below a version asked for (as mod_http_api picks).
import { entryNamed, releases } from './commands.js';
import type { CommandChange, CommandEntry, Definition, MissingCommand, ResolvedCommand } from './types.js';

export type { CommandEntry, Definition, MissingCommand, ResolvedCommand, CommandChange } from './types.js';
export type { Release } from './commands.js';

/** The releases the catalogue covers, oldest first. */
export const RELEASES = releases;
export const NEWEST_RELEASE = releases[releases.length - 1];

/** The catalogue entry of a command, by ejabberd name or its dashed spelling. */
export function findEntry(name: string): CommandEntry | undefined {
  return entryNamed(name.replace(/-/g, '_'));
}

/** Orders release strings numerically: 23.10 < 24.02 < 24.12 < 25.03 < 25.03.1. */
export function compareReleases(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The catalogue release a server release speaks: the newest one at or before it (25.03.1 ->
 * 25.03, 24.05 -> 24.02). Older than the oldest -> the oldest; not a release number, or newer
 * than the newest -> the newest.
 */
export function knownRelease(s: string): string {
  if (!/^\d+(\.\d+)+$/.test(s.trim())) return NEWEST_RELEASE;
  let best: string | undefined;
  for (const r of releases) if (compareReleases(r, s.trim()) <= 0) best = r;
  return best ?? releases[0];
}

/** The definition a release uses: its highest API version, at or below apiVersion when given. */
function pick(entry: CommandEntry, release: string, apiVersion: number | undefined): Definition | undefined {
  let best: Definition | undefined;
  for (const d of entry.definitions) {
    if (!d.releases.includes(release) || (apiVersion !== undefined && d.version > apiVersion)) continue;
    if (!best || d.version > best.version) best = d;
  }
  return best;
}

const shape = (d: Definition): string => JSON.stringify([d.args.map((a) => [a.name, a.type]), d.result.name, d.result.type]);

function entryReleases(entry: CommandEntry): string[] {
  return [...new Set(entry.definitions.flatMap((d) => d.releases))].sort(compareReleases);
}

/**
 * A command as `release` speaks it (by default at the newest API version it has; with
 * apiVersion, the highest definition at or below it), or a MissingCommand.
 */
export function resolveCommand(entry: CommandEntry, release: string, apiVersion?: number): ResolvedCommand | MissingCommand {
  const all = entryReleases(entry);
  const added = all[0];
  const def = pick(entry, release, apiVersion);
  if (!def) {
    const versions = entry.definitions.filter((d) => d.releases.includes(release)).map((d) => d.version);
    return versions.length
      ? { missing: true, name: entry.name, added, release, versions: [...new Set(versions)].sort((a, b) => a - b) }
      : { missing: true, name: entry.name, added, release };
  }
  const changes: CommandChange[] = [];
  let previous: string | undefined;
  for (const r of all) {
    if (compareReleases(r, release) > 0) break;
    const d = pick(entry, r, apiVersion);
    const s = d && shape(d);
    if (d && previous !== undefined && s !== previous) changes.push({ release: r, version: d.version });
    if (s !== undefined) previous = s;
  }
  return {
    name: entry.name,
    summary: entry.summary,
    details: entry.details,
    args: def.args,
    result: def.result,
    tags: def.tags,
    module: def.module,
    example: def.example,
    since: compareReleases(added, releases[0]) > 0 ? added : null,
    version: def.version,
    release,
    added,
    changes,
    ...(def.renamedAway ? { renamedAway: def.renamedAway } : {}),
    ...(def.binaryResultFails ? { binaryResultFails: true as const } : {}),
  };
}

export function isMissing(r: ResolvedCommand | MissingCommand): r is MissingCommand {
  return 'missing' in r;
}
