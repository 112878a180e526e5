// A small reader for the Erlang terms that ejabberd's command definitions are written in:
// literals, lists, tuples, records, `++`, `?MODULE`, `?T(...)` and variables bound earlier in
// the same function body. What it cannot evaluate (calls, funs, maps, case...) becomes an
// `unknown` term, so a caller decides whether that part was needed.

export type Term =
  | { readonly k: 'atom'; readonly v: string }
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'bin'; readonly v: string }
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'list'; readonly v: readonly Term[] }
  | { readonly k: 'tuple'; readonly v: readonly Term[] }
  | { readonly k: 'rec'; readonly name: string; readonly fields: ReadonlyMap<string, Term>; readonly line: number }
  | { readonly k: 'unknown'; readonly why: string };

type TokenKind = 'atom' | 'var' | 'str' | 'char' | 'num' | 'punct' | 'kw' | 'dot';
interface Token {
  readonly kind: TokenKind;
  readonly text: string; // the decoded value for atoms, strings and chars
  readonly line: number;
}

const KEYWORDS = new Set(['after', 'and', 'andalso', 'band', 'begin', 'bnot', 'bor', 'bsl', 'bsr', 'bxor', 'case', 'catch',
  'cond', 'div', 'end', 'fun', 'if', 'let', 'not', 'of', 'or', 'orelse', 'receive', 'rem', 'try', 'when', 'xor', 'maybe', 'else']);
/** Keywords that open a block closed by `end` (`fun` only when followed by `(`). */
const BLOCKS = new Set(['case', 'if', 'receive', 'try', 'begin', 'maybe', 'cond', 'let']);
const PUNCT = ['=:=', '=/=', '...', '->', '=>', ':=', '::', '++', '--', '==', '/=', '=<', '>=', '<<', '>>', '||', '<-', '<=', '..', '??'];
const ATOM_RE = /[a-z][A-Za-z0-9_@]*/y;
const VAR_RE = /[A-Z_][A-Za-z0-9_@]*/y;
const NUM_RE = /\d[\d_]*(?:#[0-9a-zA-Z_]+|\.\d[\d_]*(?:[eE][+-]?\d+)?)?/y;
const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', d: '\x7f', e: '\x1b', f: '\f', n: '\n', r: '\r', s: ' ', t: '\t', v: '\v' };

export class ErlangSyntaxError extends Error {}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const fail = (what: string): never => {
    throw new ErlangSyntaxError(`line ${line}: ${what}`);
  };
  /** Reads one character of a quoted literal at i (after any backslash), returning it. */
  const quotedChar = (): string => {
    const c = text[i++];
    if (c === undefined) fail('unterminated literal');
    if (c === '\n') line++;
    if (c !== '\\') return c;
    const e = text[i++];
    if (e === undefined) fail('unterminated escape');
    if (SIMPLE_ESCAPES[e] !== undefined) return SIMPLE_ESCAPES[e];
    if (/[0-7]/.test(e)) {
      let digits = e;
      while (digits.length < 3 && /[0-7]/.test(text[i] ?? '')) digits += text[i++];
      return String.fromCodePoint(parseInt(digits, 8));
    }
    if (e === 'x') {
      if (text[i] === '{') {
        const close = text.indexOf('}', i);
        if (close < 0) fail('bad \\x{} escape');
        const cp = String.fromCodePoint(parseInt(text.slice(i + 1, close), 16));
        i = close + 1;
        return cp;
      }
      const hex = text.slice(i, i + 2);
      i += 2;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    if (e === '^') return String.fromCharCode(text.charCodeAt(i++) & 31);
    if (e === '\n') line++;
    return e;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') { line++; i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (c === '%') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const start = line;
    const word = (re: RegExp): string => {
      re.lastIndex = i;
      const w = re.exec(text)![0];
      i += w.length;
      return w;
    };
    if (/[a-z]/.test(c)) {
      const w = word(ATOM_RE);
      tokens.push({ kind: KEYWORDS.has(w) ? 'kw' : 'atom', text: w, line: start });
    } else if (/[A-Z_]/.test(c)) {
      tokens.push({ kind: 'var', text: word(VAR_RE), line: start });
    } else if (/[0-9]/.test(c)) {
      tokens.push({ kind: 'num', text: word(NUM_RE), line: start });
    } else if (c === '"' || c === "'") {
      i++;
      let value = '';
      while (text[i] !== c) {
        if (i >= text.length) fail('unterminated quoted literal');
        value += quotedChar();
      }
      i++;
      tokens.push({ kind: c === '"' ? 'str' : 'atom', text: value, line: start });
    } else if (c === '$') {
      i++;
      tokens.push({ kind: 'char', text: quotedChar(), line: start });
    } else if (c === '.' && (i + 1 >= text.length || /[\s%]/.test(text[i + 1]))) {
      tokens.push({ kind: 'dot', text: '.', line: start });
      i++;
    } else {
      const p = PUNCT.find((q) => text.startsWith(q, i)) ?? c;
      tokens.push({ kind: 'punct', text: p, line: start });
      i += p.length;
    }
  }
  return tokens;
}

const unknown = (why: string): Term => ({ k: 'unknown', why });

/** The text of a string-like term (charlist, binary, `[]`), or null. */
export function textOf(t: Term): string | null {
  if (t.k === 'str' || t.k === 'bin') return t.v;
  if (t.k === 'list' && t.v.length === 0) return '';
  if (t.k === 'list' && t.v.every((e) => e.k === 'num')) return t.v.map((e) => String.fromCodePoint((e as { v: number }).v)).join('');
  return null;
}

/** Elements of a list term (a charlist counts as a list of its characters' codes). */
function listElements(t: Term): Term[] | null {
  if (t.k === 'list') return [...t.v];
  if (t.k === 'str') return [...t.v].map((ch): Term => ({ k: 'num', v: ch.codePointAt(0)! }));
  return null;
}

function concat(a: Term, b: Term): Term {
  if (a.k === 'unknown') return a;
  if (b.k === 'unknown') return b;
  if (a.k === 'str' && (b.k === 'str' || (b.k === 'list' && b.v.length === 0))) return { k: 'str', v: a.v + textOf(b) };
  if (a.k === 'list' && a.v.length === 0) return b;
  const la = listElements(a);
  const lb = listElements(b);
  if (la && lb) return { k: 'list', v: [...la, ...lb] };
  if (la) return { k: 'list', v: la }; // an improper tail we do not model
  return unknown("'++' of a non-list");
}

interface Context {
  readonly module: string;
  readonly env: Map<string, Term>;
}

/** Parses and evaluates the tokens of one function body or form. */
export class TermParser {
  pos = 0;
  constructor(private readonly tokens: readonly Token[], private readonly ctx: Context) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private is(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return !!t && (t.kind === 'punct' || t.kind === 'kw') && t.text === text;
  }

  private fail(what: string): never {
    const t = this.peek();
    throw new ErlangSyntaxError(`line ${t?.line ?? '?'}: expected ${what}, found '${t?.text ?? 'end of file'}'`);
  }

  private expect(text: string): void {
    if (!this.is(text)) this.fail(`'${text}'`);
    this.pos++;
  }

  get line(): number {
    return this.peek()?.line ?? 0;
  }

  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  /**
   * Moves past one balanced stretch of tokens up to (not including) a `,`, `;`, `}`, `]`, `)`,
   * `>>`, `||` or form end at depth 0: how a field whose value we cannot read is stepped over.
   */
  skipToDelimiter(): number {
    let depth = 0;
    for (; this.pos < this.tokens.length; this.pos++) {
      const t = this.tokens[this.pos];
      if (t.kind === 'dot') return this.pos;
      if (t.kind === 'kw' && (BLOCKS.has(t.text) || (t.text === 'fun' && this.is('(', 1)))) depth++;
      else if (t.kind === 'kw' && t.text === 'end') depth--;
      else if (t.kind === 'punct' && ['(', '[', '{', '<<'].includes(t.text)) depth++;
      else if (t.kind === 'punct' && [')', ']', '}', '>>'].includes(t.text)) {
        if (depth === 0) return this.pos;
        depth--;
      } else if (depth === 0 && t.kind === 'punct' && [',', ';', '||'].includes(t.text)) return this.pos;
    }
    return this.pos;
  }

  /** An expression whose unreadable syntax becomes an unknown term instead of an error. */
  private tolerantExpr(): Term {
    const start = this.pos;
    try {
      const value = this.expr();
      const t = this.peek();
      if (!t || t.kind === 'dot' || (t.kind === 'punct' && [',', ';', '}', ']', ')', '>>', '||', '|'].includes(t.text))) return value;
      this.fail('the end of the expression');
    } catch (e) {
      if (!(e instanceof ErlangSyntaxError)) throw e;
      this.pos = start;
      this.skipToDelimiter();
      return unknown(`unreadable: ${e.message}`);
    }
  }

  /** A function body: `Var = Expr` bindings and expressions separated by commas; the last one's value. */
  body(): Term {
    let value: Term = unknown('empty body');
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'var' && this.is('=', 1)) {
        this.pos += 2;
        this.ctx.env.set(t.text, this.tolerantExpr());
        value = unknown('a match');
      } else value = this.tolerantExpr();
      if (!this.is(',')) break;
      this.pos++;
    }
    return value;
  }

  expr(): Term {
    return this.comparison();
  }

  private comparison(): Term {
    let left = this.listOp();
    while (this.peek()?.kind !== undefined && ['==', '/=', '=<', '<', '>=', '>', '=:=', '=/=', 'andalso', 'orelse'].includes(this.peek()!.text) && ['punct', 'kw'].includes(this.peek()!.kind)) {
      this.pos++;
      this.listOp();
      left = unknown('a comparison');
    }
    return left;
  }

  private listOp(): Term {
    const left = this.additive();
    if (this.is('++')) {
      this.pos++;
      return concat(left, this.listOp());
    }
    if (this.is('--')) {
      this.pos++;
      this.listOp();
      return unknown("'--'");
    }
    return left;
  }

  private additive(): Term {
    let left = this.multiplicative();
    while (this.is('+') || this.is('-') || ['bor', 'bxor', 'bsl', 'bsr', 'or', 'xor'].some((k) => this.is(k))) {
      const op = this.tokens[this.pos++].text;
      const right = this.multiplicative();
      left = left.k === 'num' && right.k === 'num' && (op === '+' || op === '-')
        ? { k: 'num', v: op === '+' ? left.v + right.v : left.v - right.v }
        : unknown(`'${op}'`);
    }
    return left;
  }

  private multiplicative(): Term {
    let left = this.unary();
    while (this.is('*') || this.is('/') || ['div', 'rem', 'band', 'and'].some((k) => this.is(k))) {
      const op = this.tokens[this.pos++].text;
      const right = this.unary();
      left = left.k === 'num' && right.k === 'num' && op === '*' ? { k: 'num', v: left.v * right.v } : unknown(`'${op}'`);
    }
    return left;
  }

  private unary(): Term {
    if (this.is('-') || this.is('+')) {
      const neg = this.tokens[this.pos++].text === '-';
      const v = this.unary();
      return v.k === 'num' ? { k: 'num', v: neg ? -v.v : v.v } : unknown('a unary operator');
    }
    if (this.is('not') || this.is('bnot')) {
      this.pos++;
      this.unary();
      return unknown('a unary operator');
    }
    return this.postfix(this.primary());
  }

  /** Record updates or field access, and calls of a computed function: none of them evaluated. */
  private postfix(value: Term): Term {
    for (;;) {
      if (this.is('#') && this.peek(1)?.kind === 'atom' && (this.is('{', 2) || this.is('.', 2))) {
        this.pos += 2;
        if (this.is('.')) {
          this.pos += 2;
        } else {
          this.recordFields();
        }
        value = unknown('a record update or field access');
      } else if (this.is('(')) {
        this.callArgs();
        value = unknown('a call');
      } else return value;
    }
  }

  private callArgs(): void {
    this.expect('(');
    while (!this.is(')')) {
      this.tolerantExpr();
      if (!this.is(')')) this.expect(',');
    }
    this.pos++;
  }

  /** Steps over a block that ends with `end` (the opening keyword is at pos). */
  private skipBlock(): Term {
    const what = this.peek()!.text;
    let depth = 0;
    for (; this.pos < this.tokens.length; this.pos++) {
      const t = this.tokens[this.pos];
      if (t.kind === 'dot') this.fail(`'end' of ${what}`);
      if (t.kind === 'kw' && (BLOCKS.has(t.text) || (t.text === 'fun' && this.is('(', 1)))) depth++;
      else if (t.kind === 'kw' && t.text === 'end' && --depth === 0) {
        this.pos++;
        return unknown(`a ${what} expression`);
      }
    }
    return this.fail(`'end' of ${what}`);
  }

  private primary(): Term {
    const t = this.peek();
    if (!t) return this.fail('an expression');
    switch (t.kind) {
      case 'num': {
        this.pos++;
        const text = t.text.replace(/_/g, '');
        const radix = /^(\d+)#(.+)$/.exec(text);
        return { k: 'num', v: radix ? parseInt(radix[2], Number(radix[1])) : Number(text) };
      }
      case 'char':
        this.pos++;
        return { k: 'num', v: t.text.codePointAt(0)! };
      case 'str': {
        let v = '';
        while (this.peek()?.kind === 'str') v += this.tokens[this.pos++].text;
        return { k: 'str', v };
      }
      case 'var':
        this.pos++;
        return this.ctx.env.get(t.text) ?? unknown(`the unbound variable ${t.text}`);
      case 'atom':
        this.pos++;
        if (this.is(':') && this.peek(1)?.kind === 'atom' && this.is('(', 2)) {
          this.pos += 2;
          this.callArgs();
          return unknown(`a call of ${t.text}:...`);
        }
        if (this.is('(')) {
          this.callArgs();
          return unknown(`a call of ${t.text}`);
        }
        return { k: 'atom', v: t.text };
      case 'kw':
        if (t.text === 'fun') {
          if (this.is('(', 1)) return this.skipBlock();
          this.pos++;
          this.skipToDelimiter();
          return unknown('a fun reference');
        }
        if (BLOCKS.has(t.text)) return this.skipBlock();
        if (t.text === 'catch') {
          this.pos++;
          this.expr();
          return unknown('a catch');
        }
        return this.fail('an expression');
      case 'dot':
        return this.fail('an expression');
      case 'punct':
        break;
    }
    switch (t.text) {
      case '(': {
        this.pos++;
        const v = this.expr();
        this.expect(')');
        return v;
      }
      case '[':
        return this.list();
      case '{': {
        this.pos++;
        const items: Term[] = [];
        while (!this.is('}')) {
          items.push(this.tolerantExpr());
          if (!this.is('}')) this.expect(',');
        }
        this.pos++;
        return { k: 'tuple', v: items };
      }
      case '<<':
        return this.binary();
      case '#':
        return this.record();
      case '?':
        return this.macro();
      case '??':
        this.pos += 2;
        return unknown('a stringified macro argument');
      default:
        return this.fail('an expression');
    }
  }

  private list(): Term {
    this.expect('[');
    const items: Term[] = [];
    let tail: Term | null = null;
    while (!this.is(']')) {
      items.push(this.tolerantExpr());
      if (this.is('||')) {
        this.pos++;
        while (!this.is(']')) {
          this.skipToDelimiter();
          if (this.is(',')) this.pos++;
          else if (!this.is(']')) this.fail("']' after a list comprehension");
        }
        this.pos++;
        return unknown('a list comprehension');
      }
      if (this.is('|')) {
        this.pos++;
        tail = this.tolerantExpr();
        break;
      }
      if (!this.is(']')) this.expect(',');
    }
    this.expect(']');
    const list: Term = { k: 'list', v: items };
    return tail ? concat(list, tail) : list;
  }

  private binary(): Term {
    this.expect('<<');
    let text = '';
    let known = true;
    while (!this.is('>>')) {
      const seg = this.tolerantExpr();
      if (this.is(':')) {
        this.pos++;
        this.primary();
        known = false;
      }
      if (this.is('/')) {
        this.pos++;
        this.skipToDelimiter();
        if (!(seg.k === 'str')) known = false;
      }
      if (seg.k === 'str') text += seg.v;
      else if (seg.k === 'num' && seg.v >= 0 && seg.v < 256) text += String.fromCharCode(seg.v);
      else known = false;
      if (!this.is('>>')) this.expect(',');
    }
    this.pos++;
    return known ? { k: 'bin', v: text } : unknown('a binary built from values');
  }

  private recordFields(): Map<string, Term> {
    this.expect('{');
    const fields = new Map<string, Term>();
    while (!this.is('}')) {
      const name = this.peek();
      if (!name || (name.kind !== 'atom' && !(name.kind === 'var' && name.text === '_'))) this.fail('a record field name');
      this.pos++;
      this.expect('=');
      fields.set(name!.text, this.tolerantExpr());
      if (!this.is('}')) this.expect(',');
    }
    this.pos++;
    return fields;
  }

  private record(): Term {
    const line = this.line;
    this.expect('#');
    if (this.is('{')) {
      this.pos++;
      this.skipToDelimiter();
      while (this.is(',')) {
        this.pos++;
        this.skipToDelimiter();
      }
      this.expect('}');
      return unknown('a map');
    }
    const name = this.peek();
    if (name?.kind !== 'atom') this.fail('a record name');
    this.pos++;
    return { k: 'rec', name: name!.text, fields: this.recordFields(), line };
  }

  private macro(): Term {
    this.expect('?');
    const name = this.peek();
    if (!name || (name.kind !== 'var' && name.kind !== 'atom')) this.fail('a macro name');
    this.pos++;
    if (name!.text === 'MODULE') return { k: 'atom', v: this.ctx.module };
    if (name!.text === 'MODULE_STRING') return { k: 'str', v: this.ctx.module };
    if (name!.text === 'T' && this.is('(')) {
      this.pos++;
      const v = this.expr();
      this.expect(')');
      return v;
    }
    if (this.is('(')) this.callArgs();
    return unknown(`the macro ?${name!.text}`);
  }
}

/** The value of `-module(Name).` in a source file. */
export function moduleName(tokens: readonly Token[]): string | null {
  for (let i = 0; i + 3 < tokens.length; i++) {
    if (tokens[i].text === '-' && tokens[i + 1].kind === 'atom' && tokens[i + 1].text === 'module' && tokens[i + 2].text === '(') return tokens[i + 3].text;
  }
  return null;
}

/**
 * The value of each clause body of the arity-0 function `name` (e.g. get_commands_spec) defined
 * at the top level of a source file.
 */
export function functionBodies(text: string, name: string): Term[] {
  const tokens = tokenize(text);
  const module = moduleName(tokens) ?? '';
  const bodies: Term[] = [];
  let formStart = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const startsClause = formStart && t.kind === 'atom' && t.text === name && tokens[i + 1]?.text === '(' && tokens[i + 2]?.text === ')' && tokens[i + 3]?.text === '->';
    formStart = t.kind === 'dot';
    if (!startsClause) continue;
    const end = tokens.findIndex((x, j) => j > i && x.kind === 'dot');
    const parser = new TermParser(tokens.slice(i + 4, end < 0 ? tokens.length : end), { module, env: new Map() });
    bodies.push(parser.body());
    if (!parser.atEnd()) throw new ErlangSyntaxError(`line ${parser.line}: ${name}() has more than one clause or unread code`);
    i = end < 0 ? tokens.length : end - 1;
  }
  return bodies;
}
