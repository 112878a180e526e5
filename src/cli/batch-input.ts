// Batch input split into lines without trusting it: only the current line is held, and a line
// longer than the limit or holding a NUL byte (binary input, /dev/zero) ends the input with an
// error that names the line.
import { MiB, sizeText } from '../bounded-read.js';
import { UsageError } from '../errors.js';

/** The longest batch line; larger arguments can come from files (`@path`). */
export const MAX_BATCH_LINE = 1 * MiB;

export type InputLine =
  | { number: number; text: string; /** bytes of input up to the end of this line */ end: number }
  /** `fatal`: nothing after this line is read. */
  | { number: number; error: UsageError; fatal: boolean; end: number };

const NEWLINE = 0x0a;
const NUL = 0x00;

export async function* batchLines(input: AsyncIterable<Buffer | string>, maxLine = MAX_BATCH_LINE): AsyncGenerator<InputLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let parts: Buffer[] = [];
  let length = 0; // of the current line so far
  let number = 1;
  let offset = 0; // bytes before the current chunk
  const complete = (end: number): InputLine => {
    const bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts, length);
    parts = [];
    length = 0;
    try {
      return { number, text: decoder.decode(bytes).replace(/\r$/, ''), end };
    } catch {
      return { number, error: new UsageError('not valid UTF-8 text'), fatal: false, end };
    }
  };
  for await (const raw of input) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    const nul = chunk.indexOf(NUL); // looked for once per chunk: a scan per line would be quadratic
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      const stop = newline < 0 ? chunk.length : newline;
      if (nul >= start && nul < stop) {
        yield { number, error: new UsageError('binary data (a NUL byte): not batch input; nothing after this line was read'), fatal: true, end: offset + nul };
        return;
      }
      if (length + stop - start > maxLine) {
        yield { number, error: new UsageError(`line too long (over ${sizeText(maxLine)}; larger arguments can be read from files with @path and --allow-files); nothing after it was read`), fatal: true, end: offset + stop };
        return;
      }
      if (stop > start) parts.push(chunk.subarray(start, stop));
      length += stop - start;
      if (newline < 0) break;
      yield complete(offset + newline + 1);
      number++;
      start = newline + 1;
    }
    offset += chunk.length;
  }
  if (length > 0) yield complete(offset);
}
