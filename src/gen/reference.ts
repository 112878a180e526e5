// Reads the facts (names, argument order, types, result shapes, tags, modules) out of
// ejabberd's Administration API reference text. Its prose is not used.
import type { Field, ResultType, ValueType } from '../catalogue/types.js';

export interface ReferenceCommand {
  name: string;
  args: { name: string; type: ValueType }[];
  result: { name: string; type: ResultType };
  tags: string[];
  module: string | null;
  since: string | null;
}

const IDENT = /^[a-z][a-z_0-9]*$/;
const FIELD_LINE = /^- ([a-z_0-9]+) :: (.+?)(?: : (.*))?$/;

/** Parses a type in the reference's notation: `string`, `[x::string]`, `{a::string, b::integer}`. */
export function parseType(text: string): ValueType {
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`bad type '${text}': expected ${what} at ${pos}`);
  };
  const skipSpace = () => { while (text[pos] === ' ') pos++; };
  const ident = (): string => {
    const m = /^[a-z_][a-z_0-9]*/.exec(text.slice(pos));
    if (!m) fail('a name');
    pos += m![0].length;
    return m![0];
  };
  const field = (): Field => {
    skipSpace();
    if (text[pos] === '{') return { name: '', type: type() };
    const name = ident();
    if (text.slice(pos, pos + 2) !== '::') fail("'::'");
    pos += 2;
    return { name, type: type() };
  };
  const type = (): ValueType => {
    skipSpace();
    if (text[pos] === '[') {
      pos++;
      const item = field();
      skipSpace();
      if (text[pos++] !== ']') fail("']'");
      return { list: item };
    }
    if (text[pos] === '{') {
      pos++;
      const fields: Field[] = [field()];
      skipSpace();
      while (text[pos] === ',') {
        pos++;
        fields.push(field());
        skipSpace();
      }
      if (text[pos++] !== '}') fail("'}'");
      return { tuple: fields };
    }
    const name = ident();
    if (name !== 'string' && name !== 'integer') fail('string or integer');
    return name as 'string' | 'integer';
  };
  const t = type();
  if (pos !== text.length) fail('the end');
  return t;
}

function resultType(type: ValueType, description: string): ResultType {
  if (type === 'integer' && description.startsWith('Status code (0 on success')) return 'rescode';
  if (type === 'string' && description === 'Raw result string') return 'restuple';
  return type;
}

export function parseReference(text: string): ReferenceCommand[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const commands: ReferenceCommand[] = [];
  lines.forEach((line, i) => {
    if (line !== 'Arguments:') return;
    let n = i - 1;
    while (n >= 0 && !IDENT.test(lines[n])) n--;
    if (n < 0) throw new Error(`no command name before line ${i + 1}`);
    const since = /^added in (.+)$/.exec(lines[n - 1] ?? '')?.[1] ?? null;
    let j = i + 1;
    const args: ReferenceCommand['args'] = [];
    for (; lines[j] !== 'Result:'; j++) {
      const m = FIELD_LINE.exec(lines[j]);
      if (!m) throw new Error(`line ${j + 1}: expected an argument, got '${lines[j]}'`);
      args.push({ name: m[1], type: parseType(m[2]) });
    }
    j++;
    const results: ReferenceCommand['result'][] = [];
    const sectionEnd = /^(Tags|Module|Examples):/;
    for (; !sectionEnd.test(lines[j]); j++) {
      const m = FIELD_LINE.exec(lines[j]);
      if (!m) continue; // continuation text of a result description
      results.push({ name: m[1], type: resultType(parseType(m[2]), m[3] ?? '') });
    }
    if (results.length !== 1) throw new Error(`${lines[n]}: expected one result, found ${results.length}`);
    const tagLine = lines[j].startsWith('Tags:') ? lines[j++] : 'Tags:';
    const tags = tagLine.slice('Tags:'.length).trim().split(/\s+/).filter(Boolean);
    const module = /^Module: (\S+)$/.exec(lines[j])?.[1] ?? null;
    commands.push({ name: lines[n], args, result: results[0], tags, module, since });
  });
  return commands;
}
