// The one way a secret is kept out of what ectl prints. The secrets in play (the admin password,
// the token, the Basic credentials, a password in a URL, secret command arguments) are collected
// as they become known, and every piece of text bound for stdout or stderr goes through mask(),
// whatever produced it: our own messages, the -v trace, a server's reply or error page.
//
// A server may echo a secret in its own spelling, so each character of a secret is matched in
// every way it could be written: as is, percent-encoded (either case), JSON-escaped (\uXXXX,
// \", \\, \/), as an HTML character reference, a space as '+', and as ectl's own terminal
// escapes (\x1b, \u202e). Mixed spellings (a%40b\u0021) match too.

/** What a secret is shown as. */
export const MASKED = '***';

/** Secrets shorter than this (in characters) are masked only where they stand as a word of their own: blanking every "pw" would garble the text, not protect it. */
const SHORT_SECRET = 4;
/** Longer secrets are matched as typed only: the pattern of every spelling grows with the secret. */
const SPELLED_SECRET_LIMIT = 512;

const escapeRegExp = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/** A hex number matched in either case, at least `width` digits. */
function hexPattern(n: number, width: number): string {
  return n.toString(16).padStart(width, '0').replace(/[a-f]/g, (d) => `[${d}${d.toUpperCase()}]`);
}

const JSON_SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '/': '\\/', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };
const HTML_NAMED: Record<string, string[]> = { '&': ['&amp;'], '<': ['&lt;'], '>': ['&gt;'], '"': ['&quot;'], "'": ['&#39;', '&apos;'] };

/**
 * Every way one character (a code point) may be written by a server or by ectl's escaping. The
 * spellings that start with backslashes take one run of them (`\\+`), and no two spellings
 * start alike, so that a run of backslashes is read one way only (no costly backtracking).
 */
function characterPattern(c: string): string {
  const code = c.codePointAt(0)!;
  // Written as is, or (a character JSON escapes) after backslashes, as JSON inside JSON does (\\\").
  const plain = new Set<string>([escapeRegExp(c)]);
  for (const named of HTML_NAMED[c] ?? []) plain.add(escapeRegExp(named));
  plain.add(`&#0*${code};`).add(`&#[xX]0*${hexPattern(code, 1)};`);
  if (c === ' ') plain.add('\\+');
  // Encoded once or more (%2540 is %40 encoded again).
  plain.add([...Buffer.from(c, 'utf8')].map((b) => `%(?:25)*${hexPattern(b, 2)}`).join(''));
  const escaped = new Set<string>();
  const units = c.length === 2 ? [c.charCodeAt(0), c.charCodeAt(1)] : [c.charCodeAt(0)];
  escaped.add(units.map((u, i) => `${i ? '\\\\+' : ''}u${hexPattern(u, 4)}`).join(''));
  if (code < 0x100) escaped.add(`x${hexPattern(code, 2)}`);
  const short = JSON_SHORT[c];
  if (short && c !== '\\' && c !== '"' && c !== '/') escaped.add(escapeRegExp(short.slice(1)));
  const group = (forms: Set<string>) => (forms.size === 1 ? [...forms][0] : `(?:${[...forms].join('|')})`);
  if (c === '\\') return `(?:\\\\+(?:${[...escaped].join('|')})?|${group(new Set([...plain].slice(1)))})`;
  const lead = short ? '\\\\*' : '';
  return `(?:${lead}${group(plain)}|\\\\+${group(escaped)})`;
}

/** Base64's own symbols as a URL or JSON may carry them; its letters and digits are never encoded. */
function base64CharacterPattern(c: string): string {
  return c === '+' || c === '/' || c === '=' ? characterPattern(c) : c;
}

/** A secret as typed (`spelled`: false) or in every spelling; a short one only as a word of its own. */
function secretPattern(secret: string, spelled: boolean, base64: boolean): string {
  const chars = [...secret];
  const body = !spelled || secret.length > SPELLED_SECRET_LIMIT ? escapeRegExp(secret) : chars.map(base64 ? base64CharacterPattern : characterPattern).join('');
  return chars.length < SHORT_SECRET ? `(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])` : body;
}

/** Base64 as sent (padding dropped, so that a cut or re-padded copy matches too) and in its URL-safe alphabet. */
function base64Forms(text: string): string[] {
  const plain = Buffer.from(text, 'utf8').toString('base64').replace(/=+$/, '');
  return [plain, plain.replace(/\+/g, '-').replace(/\//g, '_')];
}

/**
 * How Erlang (ejabberd) may print a secret in an error it sends back: its bytes as a list of
 * numbers (`~p` of a binary or list holding a byte it does not print, `<<112,195,169>>`), and
 * its UTF-8 bytes read as Latin-1 (`~p` of a binary: "pÃ©", which then reaches us re-encoded),
 * and its Unicode normal forms (a server normalises what it stores and may echo that).
 */
function echoedForms(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const forms = [[...bytes].join(',')];
  const latin1 = bytes.toString('latin1');
  if (latin1 !== text) forms.push(latin1);
  // Normalised as SASLprep (ejabberd's stringprep) would (NFKC), or composed (NFC).
  for (const form of ['NFC', 'NFKC', 'NFD'] as const) if (text.normalize(form) !== text) forms.push(text.normalize(form));
  return forms;
}

// A password in a URL's user info (`https://user:pw@host`), whatever the scheme and its case.
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:'"<>]*:)[^\s/?#@'"<>]*@/gi;

export class SecretMask {
  private readonly secrets = new Set<string>();
  /** The Base64 forms of the secrets (spelt only in their symbols). */
  private readonly base64 = new Set<string>();
  /** Built on first use after a change: the secrets as typed, and in every spelling. */
  private patterns: { literals: string[]; typed: RegExp; spelled: RegExp; encoded: RegExp } | null | undefined = null;

  /** Adds secrets in play (empty and undefined ones are ignored); each is masked with its Base64 too. */
  add(...secrets: (string | number | undefined | null)[]): this {
    for (const s of secrets) {
      if (s === undefined || s === null || s === '') continue;
      const text = String(s);
      if (this.secrets.has(text)) continue;
      this.secrets.add(text);
      if ([...text].length >= SHORT_SECRET) {
        for (const b of base64Forms(text)) this.base64.add(b);
        for (const form of echoedForms(text)) this.secrets.add(form);
      }
      this.patterns = undefined;
    }
    return this;
  }

  /** Adds the password and the HTTP Basic credentials (user:password, in Base64) sent with it. */
  addCredentials(user: string | undefined, password: string | undefined, token?: string): this {
    this.add(password, token);
    if (user !== undefined && password !== undefined) for (const b of base64Forms(`${user}:${password}`)) this.base64.add(b);
    this.patterns = undefined;
    return this;
  }

  /** Adds the password of a URL's user info (`user:pw@host`, with or without a scheme), as written and decoded. */
  addUrl(url: string | undefined): this {
    const info = url && /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^/?#]*)@/i.exec(url)?.[1];
    if (!info) return this;
    const colon = info.indexOf(':');
    const password = colon < 0 ? info : info.slice(colon + 1);
    let decoded = password;
    try {
      decoded = decodeURIComponent(password);
    } catch {
      // not valid percent-encoding: only the spelling given is in play
    }
    return this.add(password, decoded);
  }

  /** The text with every secret in play and every URL password as ***. */
  mask(text: string): string {
    if (this.patterns === undefined) this.patterns = this.build();
    let masked = text;
    if (this.patterns) {
      // Most text holds no secret: a plain search for each says so quicker than the pattern.
      if (this.patterns.literals.some((s) => masked.includes(s))) masked = masked.replace(this.patterns.typed, MASKED);
      // Every spelling is a slow pattern: tried only on text holding an escape or encoding.
      if (this.patterns.encoded.test(masked)) masked = masked.replace(this.patterns.spelled, MASKED);
    }
    return masked.includes('://') ? masked.replace(URL_PASSWORD, `$1${MASKED}@`) : masked;
  }

  private build(): { literals: string[]; typed: RegExp; spelled: RegExp; encoded: RegExp } | null {
    if (this.secrets.size === 0) return null;
    // Longest first, so that a secret holding another is masked whole.
    const sorted = [...this.secrets, ...this.base64].sort((a, b) => b.length - a.length);
    const pattern = (spelled: boolean) => new RegExp(sorted.map((s) => secretPattern(s, spelled, this.base64.has(s) && !this.secrets.has(s))).join('|'), 'gu');
    // A space may be spelt '+'; every other spelling holds %, \\ or &.
    const encoded = sorted.some((s) => s.includes(' ')) ? /[%\\&+]/ : /[%\\&]/;
    return { literals: sorted, typed: pattern(false), spelled: pattern(true), encoded };
  }
}
