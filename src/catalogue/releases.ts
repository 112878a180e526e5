// The catalogue as one ejabberd release speaks it: which definition of a command a call uses,
// what a release lacks, and what ejabberdctl of that release does differently. Data lives in
// resolve.ts (generated from ejabberd's source); this file holds the rules over it.
import { UsageError } from '../errors.js';
import { allEntries } from './commands.js';
import {
  NEWEST_RELEASE, RELEASES, compareReleases, findEntry, resolveCommand, type CommandEntry,
} from './resolve.js';
import type { ResolvedCommand } from './types.js';

/** A command as one release defines it, with the API version of that definition. */
export type ReleaseSpec = ResolvedCommand;

/** The first release whose mod_http_api reads a `vN` after the command (`/api/<command>/vN`). */
export const VERSIONED_PATH_SINCE = '24.02';

/** The first release whose ejabberdctl joins nested lists with `,` (`;` at --version 0). */
const COMMA_SINCE = '24.02';
/** The first release whose ejabberdctl joins nested lists with `;` rather than one per line. */
const SEMICOLON_SINCE = '23.10';

export function isRelease(release: string, since: string): boolean {
  return compareReleases(release, since) >= 0;
}

/** A command's ejabberd name from its name or dashed spelling. */
export function commandName(word: string): string {
  return word.replace(/-/g, '_');
}

export function entryFor(word: string): CommandEntry | undefined {
  return findEntry(commandName(word));
}

/** The module that provides a command (from its newest definition), when not the core. */
function moduleOf(entry: CommandEntry): string | null {
  return entry.definitions[entry.definitions.length - 1]?.module ?? null;
}

const resolvedSpecs = new WeakMap<CommandEntry, Map<string, ReleaseSpec>>();

/**
 * The definition of a command that a release runs for a requested API version (undefined:
 * the newest it has), or a usage error saying which release added it.
 */
export function specFor(entry: CommandEntry, release: string, apiVersion?: number): ReleaseSpec {
  // Resolved once per command, release and version: a batch asks for the same ones line after line.
  const key = `${release}/${apiVersion ?? ''}`;
  let resolvedByKey = resolvedSpecs.get(entry);
  const known = resolvedByKey?.get(key);
  if (known) return known;
  const resolved = resolveCommand(entry, release, apiVersion);
  if (!('missing' in resolved)) {
    if (!resolvedByKey) resolvedSpecs.set(entry, (resolvedByKey = new Map()));
    resolvedByKey.set(key, resolved);
    return resolved;
  }
  if (resolved.versions) {
    throw new UsageError(`${entry.name} has no definition of API version ${apiVersion} or older in ejabberd ${release} (it has ${resolved.versions.map((v) => `v${v}`).join(', ')}): raise --api-version or leave it out`);
  }
  const module = moduleOf(entry);
  throw new UsageError(`${entry.name} was added in ejabberd ${resolved.added}; this server runs ${release}${module ? ` (${entry.name} is provided by ${module})` : ''}`);
}

/**
 * Why help shows another definition than the release's own: the release lacks the command
 * (`needs`: a later release added it; `removed`: `release` is the last one that had it), or has
 * it only above the API version asked for (`versions`: the ones it has).
 */
export type HelpAbsence =
  | { readonly kind: 'needs' | 'removed'; readonly release: string }
  | { readonly kind: 'versions'; readonly versions: readonly number[] };

/**
 * The definition help shows for a release: its own when it has the command; else that of the
 * nearest release that has it (the first one after it, or the last one before it when the
 * command was removed), with why. Unlike specFor, never refuses: help reads about any release.
 */
export function helpSpecFor(entry: CommandEntry, release: string, apiVersion?: number): { spec: ReleaseSpec; absence?: HelpAbsence } {
  const resolved = resolveCommand(entry, release, apiVersion);
  if (!('missing' in resolved)) return { spec: specFor(entry, release, apiVersion) };
  if (resolved.versions) {
    return { spec: specFor(entry, release, resolved.versions[0]), absence: { kind: 'versions', versions: resolved.versions } };
  }
  const having = RELEASES.filter((r) => entry.definitions.some((d) => d.releases.includes(r)));
  const later = having.find((r) => compareReleases(r, release) > 0);
  const shown = later ?? having[having.length - 1];
  const at = resolveCommand(entry, shown, apiVersion);
  return { spec: specFor(entry, shown, 'missing' in at ? undefined : apiVersion), absence: { kind: later ? 'needs' : 'removed', release: shown } };
}

/** Every command of a release, as help, the man page and completion show them. */
export function catalogueFor(release: string = NEWEST_RELEASE, apiVersion?: number): ReleaseSpec[] {
  const out: ReleaseSpec[] = [];
  for (const entry of allEntries()) {
    const resolved = resolveCommand(entry, release, apiVersion);
    if (!('missing' in resolved)) out.push(resolved);
  }
  return out;
}

const readsPathVersion = new Map<string, boolean>();
/** The `vN` a request names: none before 24.02 (whose mod_http_api has only version 0 and rejects it). */
export function pathVersion(release: string, spec: Pick<ReleaseSpec, 'version'>): number | undefined {
  let reads = readsPathVersion.get(release);
  if (reads === undefined) readsPathVersion.set(release, (reads = isRelease(release, VERSIONED_PATH_SINCE)));
  return reads ? spec.version : undefined;
}

/**
 * How that release's ejabberdctl separates the elements of a list inside a result (a record's
 * field that is a list): one per line in 23.01 and 23.04, `;` in 23.10, `,` from 24.02 unless
 * version 0 was asked for (ejabberdctl's `--version 0`, ectl's `--api-version 0`).
 */
export function nestedListSeparator(release: string, requestedApiVersion?: number): string {
  if (!isRelease(release, SEMICOLON_SINCE)) return '\n';
  if (!isRelease(release, COMMA_SINCE) || requestedApiVersion === 0) return ';';
  return ',';
}

/** A definition's arguments as one comparable text: equal texts take the same words and build the same body. */
export function argumentsKey(c: Pick<ResolvedCommand, 'args'>): string {
  return JSON.stringify(c.args.map((x) => [x.name, x.type]));
}

function sameShape(a: ResolvedCommand, b: ResolvedCommand, part: 'args' | 'result'): boolean {
  const key = (c: ResolvedCommand) => (part === 'args' ? argumentsKey(c) : JSON.stringify([c.result.name, c.result.type]));
  return key(a) === key(b);
}

/**
 * A command's history for help: `added in ejabberd 24.06`, `arguments changed in 24.12, API
 * v3`; changes after the release shown are named too, so older help points to newer.
 */
export function historyNotes(spec: ResolvedCommand, release: string, apiVersion?: number): string[] {
  const entry = findEntry(spec.name);
  if (!entry) return [];
  const notes: string[] = [];
  if (compareReleases(spec.added, RELEASES[0]) > 0) notes.push(`added in ejabberd ${spec.added}`);
  const newest = resolveCommand(entry, NEWEST_RELEASE, apiVersion);
  const changes = 'missing' in newest ? spec.changes : newest.changes;
  for (const c of changes) {
    const before = RELEASES[RELEASES.indexOf(c.release as (typeof RELEASES)[number]) - 1];
    const a = before && resolveCommand(entry, before, apiVersion);
    const b = resolveCommand(entry, c.release, apiVersion);
    if (!a || 'missing' in a || 'missing' in b) continue;
    const args = !sameShape(a, b, 'args');
    const result = !sameShape(a, b, 'result');
    const what = args && result ? 'arguments and result' : args ? 'arguments' : 'result';
    const later = compareReleases(c.release, release) > 0 ? ` (after ${release})` : '';
    notes.push(`${what} changed in ${c.release}, API v${c.version}${later}`);
  }
  return notes;
}

export { NEWEST_RELEASE, RELEASES, compareReleases };
