// The closest known word to a mistyped one, for "did you mean ...?" in every usage error (a
// command name, a batch line's command, a value of a fixed set, a room option).

/** Optimal string alignment distance (an edit, or a swap of two neighbours, costs 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** Ignores case, dashes and underscores: `members-only`, `membersonly` and `MembersOnly` all read as members_only. */
const squash = (s: string) => s.toLowerCase().replace(/[-_]/g, '');

/**
 * The known word closest to `word`, or undefined when none is close: at most a third of the
 * word's letters changed (at least one, at most three), or the same letters but for case, `-` and `_`.
 */
export function closestWord(word: string, known: Iterable<string>, limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)))): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const w = squash(word);
  for (const k of known) {
    // The distance is at least the difference in length: a word far longer than every known one
    // (a 16 MiB argument file) is compared with none, rather than through a table of its length.
    const same = squash(k) === w;
    if (!same && Math.abs(word.length - k.length) > limit) continue;
    const distance = same ? 0 : editDistance(word.toLowerCase(), k.toLowerCase());
    if (distance < bestDistance) {
      best = k;
      bestDistance = distance;
    }
  }
  if (bestDistance <= limit) return best;
  // An abbreviation of exactly one word (warn for warning).
  const starting = word.length >= 3 ? [...known].filter((k) => k.toLowerCase().startsWith(word.toLowerCase())) : [];
  return starting.length === 1 ? starting[0] : undefined;
}

/** ` (did you mean X?)`, or '' when nothing is close. */
export function didYouMean(word: string, known: Iterable<string>): string {
  const best = closestWord(word, known);
  return best === undefined ? '' : ` (did you mean ${best}?)`;
}
