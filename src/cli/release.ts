// Which ejabberd release a server runs: given (--release, ECTL_RELEASE, `release:`), or read
// from `status` ("ejabberd 24.12 is running in that node") once and kept per URL in
// $XDG_CACHE_HOME/ectl/releases.json for a day. Nothing here is asked of the server while a
// fresh answer is cached, nor when the release is given; a command line that does not fit the
// cached release has it asked again (main.ts).
import { NEWEST_RELEASE } from '../catalogue/releases.js';
import { knownRelease } from '../catalogue/resolve.js';
import type { Settings } from '../config/settings.js';
import { ReplyShapeError } from '../client/normalise.js';
import { UnauthorizedError, UnreachableError } from '../errors.js';
import { cacheFilePath, readCacheFile, writeCacheFile } from './cache-file.js';

/** How long a detected release is trusted before `status` is asked again. */
export const RELEASE_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * given: by the user; cached: detected earlier; detected: just now; undetected: the server did
 * not say (now or, cached, earlier), so the newest is spoken; unknown: not asked yet.
 */
export type ReleaseSource = 'given' | 'cached' | 'detected' | 'undetected' | 'unknown';

export interface ReleaseChoice {
  /** The catalogue release spoken (a tag of RELEASES). */
  readonly release: string;
  readonly source: ReleaseSource;
  /** What the user or the server called it (e.g. 25.03.1), when that differs from `release`. */
  readonly reported?: string;
}

interface CacheEntry {
  at: number;
  /** null: the server did not say. */
  release: string | null;
}

type CacheFile = Record<string, CacheEntry>;

function cacheFile(env: NodeJS.ProcessEnv): string | undefined {
  return cacheFilePath(env, 'releases.json');
}

function readCache(env: NodeJS.ProcessEnv): CacheFile {
  const parsed = readCacheFile(cacheFile(env));
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as CacheFile) : {};
}

function choice(reported: string, source: ReleaseSource): ReleaseChoice {
  const release = knownRelease(reported);
  return release === reported ? { release, source } : { release, source, reported };
}

/** The release to speak without asking the server: given, else cached, else the newest (unknown). */
export function knownChoice(settings: Pick<Settings, 'url' | 'release'>, env: NodeJS.ProcessEnv): ReleaseChoice {
  if (settings.release) return choice(settings.release, 'given');
  const hit = readCache(env)[settings.url];
  const now = Date.now();
  if (hit && typeof hit.at === 'number' && now - hit.at < RELEASE_CACHE_TTL_MS && now >= hit.at) {
    if (typeof hit.release === 'string') return choice(hit.release, 'cached');
    if (hit.release === null) return { release: NEWEST_RELEASE, source: 'undetected' };
  }
  return { release: NEWEST_RELEASE, source: 'unknown' };
}

/** The release in the text of `status`, e.g. "...ejabberd 25.03.1 is running in that node". */
export function releaseInStatus(text: string): string | undefined {
  return /ejabberd (\d+\.\d+(?:\.\d+)?)\S* is running in that node/.exec(text)?.[1];
}

/**
 * Asks the server with `status` (the caller sends it) and caches the answer for the URL. A
 * reply without a release counts as "did not say", cached too, so a server that refuses
 * `status` costs one request per day, not one per call.
 */
export async function detectRelease(url: string, env: NodeJS.ProcessEnv, askStatus: () => Promise<unknown>): Promise<ReleaseChoice> {
  let reported: string | undefined;
  try {
    const text = await askStatus();
    if (typeof text === 'string') reported = releaseInStatus(text);
  } catch (err) {
    // Refused credentials fail the call itself the same way. A server that cannot be reached, or
    // answers with something that is not an ejabberd reply, did not say: not cached, so the next
    // call asks again (a misfit reply would make it ask anyway). One the request never reached
    // stays unknown: another node of the profile may be asked instead.
    if (err instanceof UnauthorizedError && err.status === 401) throw err;
    if (err instanceof UnreachableError && !(err instanceof ReplyShapeError)) return { release: NEWEST_RELEASE, source: err.notSent ? 'unknown' : 'undetected' };
    reported = undefined;
  }
  const cache = readCache(env);
  const now = Date.now();
  for (const [key, entry] of Object.entries(cache)) if (!(now - entry?.at < RELEASE_CACHE_TTL_MS)) delete cache[key];
  cache[url] = { at: now, release: reported ?? null };
  writeCacheFile(cacheFile(env), cache);
  return reported ? choice(reported, 'detected') : { release: NEWEST_RELEASE, source: 'undetected' };
}

/** For -v: "ejabberd 24.12 (detected), API v3". */
export function describeChoice(c: ReleaseChoice, version: number | undefined): string {
  const how = c.source === 'undetected' || c.source === 'unknown' ? 'not detected: the newest ectl knows' : c.source;
  const name = c.reported ? `${c.reported} (spoken as ${c.release})` : c.release;
  return `ejabberd ${name} (${how})${version === undefined ? '' : `, API v${version}`}`;
}
