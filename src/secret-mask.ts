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

/** Every way one character (a code point) may be written by a server or by ectl's escaping. */
function characterPattern(c: string): string {
  const forms = new Set<string>([escapeRegExp(c)]);
  const bytes = Buffer.from(c, 'utf8');
  // Encoded once or more (%2540 is %40 encoded again; \\\" is \" in JSON inside JSON).
  forms.add([...bytes].map((b) => `%(?:25)*${hexPattern(b, 2)}`).join(''));
  const units = c.length === 2 ? [c.charCodeAt(0), c.charCodeAt(1)] : [c.charCodeAt(0)];
  forms.add(units.map((u) => `\\\\+u${hexPattern(u, 4)}`).join(''));
  const code = c.codePointAt(0)!;
  if (code < 0x100) forms.add(`\\\\+x${hexPattern(code, 2)}`);
  if (JSON_SHORT[c]) forms.add(c === '\\' ? '\\\\+' : `\\\\+${escapeRegExp(JSON_SHORT[c].slice(1))}`);
  for (const named of HTML_NAMED[c] ?? []) forms.add(escapeRegExp(named));
  forms.add(`&#0*${code};`).add(`&#[xX]0*${hexPattern(code, 1)};`);
  if (c === ' ') forms.add('\\+');
  const any = forms.size === 1 ? escapeRegExp(c) : `(?:${[...forms].join('|')})`;
  // A character JSON escapes with a backslash may carry backslashes before any of its spellings (\&quot;).
  return JSON_SHORT[c] ? `\\\\*${any}` : any;
}

function secretPattern(secret: string): string {
  const chars = [...secret];
  const body = secret.length > SPELLED_SECRET_LIMIT ? escapeRegExp(secret) : chars.map(characterPattern).join('');
  return chars.length < SHORT_SECRET ? `(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])` : body;
}

/** Base64 as sent (padding dropped, so that a cut or re-padded copy matches too) and in its URL-safe alphabet. */
function base64Forms(text: string): string[] {
  const plain = Buffer.from(text, 'utf8').toString('base64').replace(/=+$/, '');
  return [plain, plain.replace(/\+/g, '-').replace(/\//g, '_')];
}

// A password in a URL's user info (`https://user:pw@host`), whatever the scheme and its case.
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:'"<>]*:)[^\s/?#@'"<>]*@/gi;

export class SecretMask {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null | undefined = null;

  /** Adds secrets in play (empty and undefined ones are ignored); each is masked with its Base64 too. */
  add(...secrets: (string | number | undefined | null)[]): this {
    for (const s of secrets) {
      if (s === undefined || s === null || s === '') continue;
      const text = String(s);
      if (this.secrets.has(text)) continue;
      this.secrets.add(text);
      if ([...text].length >= SHORT_SECRET) for (const b of base64Forms(text)) this.secrets.add(b);
      this.pattern = undefined;
    }
    return this;
  }

  /** Adds the password and the HTTP Basic credentials (user:password, in Base64) sent with it. */
  addCredentials(user: string | undefined, password: string | undefined, token?: string): this {
    this.add(password, token);
    if (user !== undefined && password !== undefined) for (const b of base64Forms(`${user}:${password}`)) this.secrets.add(b);
    this.pattern = undefined;
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
    if (this.pattern === undefined) this.pattern = this.build();
    const masked = this.pattern ? text.replace(this.pattern, MASKED) : text;
    return masked.includes('://') ? masked.replace(URL_PASSWORD, `$1${MASKED}@`) : masked;
  }

  private build(): RegExp | null {
    if (this.secrets.size === 0) return null;
    // Longest first, so that a secret holding another is masked whole.
    const sorted = [...this.secrets].sort((a, b) => b.length - a.length);
    return new RegExp(sorted.map(secretPattern).join('|'), 'gu');
  }
}
