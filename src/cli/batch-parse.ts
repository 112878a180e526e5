// Parsing of batch input lines: shell-style words (quotes, backslashes, # comments) or a JSON
// object {"command": "...", "args": {...} | [...]}.
import { UsageError } from '../errors.js';
import { jsonSyntaxProblem } from '../catalogue/args.js';

export type BatchLine =
  | { kind: 'words'; words: string[] }
  | { kind: 'json'; command: string; args: Record<string, unknown> | string[] };

/** Splits a line into words as a POSIX shell would (no expansions); null for a blank or comment line. */
export function shellWords(line: string): string[] | null {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new UsageError('unterminated single quote');
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        // Inside double quotes a backslash escapes only $ ` " \ (as in sh).
        if (line[i] === '\\' && i + 1 < line.length && '$`"\\'.includes(line[i + 1])) i++;
        cur += line[i++];
      }
      if (i >= line.length) throw new UsageError('unterminated double quote');
      inWord = true;
      i++;
    } else if (c === '\\') {
      if (i + 1 < line.length) cur += line[i + 1];
      inWord = true;
      i += 2;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words.length ? words : null;
}

/** Parses one input line; null when there is nothing to run on it. */
export function parseBatchLine(line: string): BatchLine | null {
  const trimmed = line.trim();
  if (trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (e) {
      throw new UsageError(`not valid JSON (${jsonSyntaxProblem(e)})`);
    }
    const obj = value as { command?: unknown; args?: unknown };
    if (typeof obj.command !== 'string') throw new UsageError('a JSON line needs a "command" string');
    const args = obj.args ?? {};
    if (Array.isArray(args)) {
      if (!args.every((a) => typeof a === 'string' || typeof a === 'number')) throw new UsageError('"args" as a list must hold strings');
      return { kind: 'json', command: obj.command, args: args.map(String) };
    }
    if (typeof args !== 'object' || args === null) throw new UsageError('"args" must be an object of named arguments or a list');
    return { kind: 'json', command: obj.command, args: args as Record<string, unknown> };
  }
  const words = shellWords(line);
  return words ? { kind: 'words', words } : null;
}
