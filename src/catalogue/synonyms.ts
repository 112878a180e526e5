// The words admins use for what ejabberd's commands call otherwise, for `ectl help -k`: each
// group holds words and phrases that mean the same when looking for a command, and a query word
// or phrase of a group finds a command that says any of them. Kept as data; test/apropos.test.mjs
// checks that each group finds the commands it is for and that unknown words find nothing.

export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['online', 'connected', 'session', 'logged in'],
  ['log level', 'loglevel', 'logging level', 'verbosity', 'verbose'],
  ['last seen', 'last activity', 'last active', 'last login', 'idle'],
  ['kick', 'disconnect', 'log out', 'throw out'],
  ['room', 'muc', 'chat room', 'chatroom', 'conference', 'groupchat', 'group chat', 'multi user chat'],
  ['group', 'shared roster group', 'srg', 'shared group'],
  ['ban', 'banned', 'suspend', 'lock out'],
  ['block', 'blocked', 'blocklist', 'blacklist', 'blocking'],
  ['offline messages', 'offline message', 'offline', 'stored messages', 'queued messages', 'pending messages'],
  ['vcard', 'profile', 'business card', 'contact card', 'avatar'],
  ['password', 'credentials', 'passwd', 'passphrase'],
  ['backup', 'dump', 'snapshot'],
  ['restore', 'load', 'fallback'],
  ['restart', 'reload', 'reboot'],
  ['stop', 'shutdown', 'shut down', 'halt'],
  ['delete', 'remove', 'destroy', 'erase', 'drop', 'wipe'],
  ['add', 'create', 'make', 'new'],
  ['get', 'show', 'list', 'read', 'view', 'display'],
  ['set', 'change', 'modify', 'update', 'edit'],
  ['account', 'user'],
  ['count', 'number', 'how many', 'total'],
  ['announce', 'announcement', 'broadcast', 'motd', 'message of the day'],
  ['s2s', 'server to server', 'federation', 'federated'],
  ['archive', 'mam', 'message archive', 'message history'],
  ['roster', 'contacts', 'contact list', 'buddy list', 'buddies'],
  ['certificate', 'certificates', 'cert', 'acme', 'letsencrypt', "let's encrypt"],
  ['statistics', 'stats', 'metrics'],
  ['module', 'extension', 'plugin', 'addon'],
  ['vhost', 'virtual host', 'domain'],
  ['spam', 'antispam', 'spammer'],
  ['invite', 'invitation', 'invites'],
  ['uptime', 'uptimeseconds', 'running since'],
];

/** Words that say nothing about a command: dropped from a query (not from a phrase of a group). */
const STOP_WORDS = new Set(['a', 'an', 'the', 'of', 'to', 'for', 'in', 'on', 'at', 'by', 'with', 'from', 'is', 'are', 'was', 'be',
  'how', 'do', 'does', 'i', 'my', 'what', 'when', 'which', 'who', 'all', 'every', 'and', 'or', 'its', 'it', 'this', 'that']);

/** A word reduced to what `-k` compares: lower case, a plural or past ending dropped. */
export function stem(word: string): string {
  const w = word.toLowerCase();
  if (w.length > 4) return w.replace(/ies$/, 'y').replace(/(?:ing|ed|es|s|e)$/, '');
  // A short plural (logs, days, keys, jids): the s after a consonant or y; not this, does, plus, less.
  return /^[a-z]{2}[^\Wsieu]s$/.test(w) ? w.slice(0, 3) : w;
}

const words = (text: string) => text.split(/[^A-Za-z0-9]+/).filter(Boolean).map(stem);

interface Phrase {
  readonly stems: readonly string[];
  readonly concept: string;
}

let phrases: Phrase[] | undefined;
/** Every member of every group as stems, the longest first (so a phrase wins over its first word). */
function phraseTable(): Phrase[] {
  phrases ??= SYNONYM_GROUPS.flatMap((group, i) => group.map((member) => ({ stems: words(member), concept: `#${i}` })))
    .sort((a, b) => b.stems.length - a.stems.length);
  return phrases;
}

/** The phrase of a group that starts at `at` in `stems`, if any. */
function phraseAt(stems: readonly string[], at: number): Phrase | undefined {
  return phraseTable().find((p) => p.stems.every((s, k) => stems[at + k] === s));
}

/** What a text says, for `-k`: each word's stem, and every group one of its words or phrases belongs to. */
export function textTerms(text: string): Set<string> {
  const stems = words(text);
  const terms = new Set(stems);
  for (let i = 0; i < stems.length; i++) for (const p of phraseTable()) if (p.stems.every((s, k) => stems[i + k] === s)) terms.add(p.concept);
  return terms;
}

/** What a query asks for: its phrases and words, a group's member standing for its group, little words left out. */
export function queryTerms(query: readonly string[]): string[] {
  const stems = query.flatMap((w) => words(w));
  const terms: string[] = [];
  for (let i = 0; i < stems.length;) {
    const p = phraseAt(stems, i);
    if (p) {
      terms.push(p.concept);
      i += p.stems.length;
    } else {
      if (!STOP_WORDS.has(stems[i])) terms.push(stems[i]);
      i++;
    }
  }
  return [...new Set(terms)];
}
