// `ectl batch [FILE|-]`: many commands over kept-alive connections, with bounded concurrency,
// results printed in input order.
import { accessSync, constants as fsConstants, createReadStream, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseArguments, checkArguments, type JsonValue } from '../catalogue/args.js';
import type { CommandSpec } from '../catalogue/types.js';
import { findCommand } from '../client/client.js';
import type { ResultValue } from '../client/normalise.js';
import { EctlError, UsageError } from '../errors.js';
import type { GlobalFlags } from '../config/settings.js';
import { resultData, stringifyExact } from '../format/json.js';
import { formatText } from '../format/text.js';
import { expandAtArguments, type Io } from './io.js';
import { parseBatchLine } from './batch-parse.js';
import { terminalSafe } from './output.js';
import { clientFor, settingsFor, transportOptions } from './run.js';
import { describeRequest } from '../client/request.js';
import { isSecretArgument } from '../catalogue/secrets.js';
import { escapeControls, escapeJsonText } from '../format/escape.js';

export interface BatchOptions {
  jobs: number;
  stopOnError: boolean;
  json: boolean;
}

interface Outcome {
  line: number;
  command: string | null;
  spec?: CommandSpec;
  value?: ResultValue;
  error?: EctlError | Error;
  /** --dry-run: the request was shown, not sent. */
  shown?: boolean;
}

type ExitCodeOf = (err: unknown) => number;

/** A line ready to send, or the reason it cannot be. */
async function prepare(text: string, io: Io): Promise<{ spec: CommandSpec; body: Record<string, JsonValue> } | null> {
  const parsed = parseBatchLine(text);
  if (!parsed) return null;
  const name = parsed.kind === 'json' ? parsed.command : parsed.words[0];
  const spec = findCommand(name);
  if (!spec) throw new UsageError(`unknown command '${name}'`);
  if (parsed.kind === 'json' && !Array.isArray(parsed.args)) return { spec, body: checkArguments(spec, parsed.args) };
  const raws = parsed.kind === 'words' ? parsed.words.slice(1) : (parsed.args as string[]);
  return { spec, body: parseArguments(spec, await expandAtArguments(raws, io, (i) => isSecretArgument(spec, i, raws))) };
}

function commandNameOf(text: string): string | null {
  try {
    const parsed = parseBatchLine(text);
    if (!parsed) return null;
    return parsed.kind === 'json' ? parsed.command : parsed.words[0];
  } catch {
    return null;
  }
}

class Progress {
  private last = 0;
  constructor(private io: Io, private total: number | null) {}
  update(done: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    if (this.total) {
      const width = 30;
      const filled = Math.round((done / this.total) * width);
      this.io.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${this.total}`);
    } else this.io.stderr.write(`\r${done} done`);
  }
  clear(): void {
    this.io.stderr.write('\r\x1b[K');
  }
}

export async function runBatch(source: string | undefined, opts: BatchOptions, flags: GlobalFlags, io: Io, exitCodeOf: ExitCodeOf, signal?: AbortSignal): Promise<number> {
  const fromStdin = source === undefined || source === '-';
  let input: Readable;
  let total: number | null = null;
  if (fromStdin) input = io.openStdin();
  else {
    try {
      if (statSync(source).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      accessSync(source, fsConstants.R_OK);
      // The length is only for the progress bar, shown on a terminal: cron and pipes read the file once.
      if (io.stderr.isTTY) total = readFileSync(source, 'utf8').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')).length;
    } catch (e) {
      throw new UsageError(`cannot read batch file ${source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    input = createReadStream(source);
  }
  const settings = await settingsFor(flags, io);
  const show = flags.verbose || flags.dryRun ? await import('./show-request.js') : undefined;
  const client = clientFor(settings, opts.jobs, flags.verbose ? show!.verboseObserver(io) : undefined);
  // Lines read from stdin cannot also take arguments from stdin.
  const lineIo: Io = { ...io, readStdin: () => Promise.reject(new UsageError("'@-' cannot be used in batch input")) };
  const progress = io.stderr.isTTY && (total === null || total >= 50) ? new Progress(io, total) : null;

  const outcomes = new Map<number, Outcome>();
  const inflight = new Set<Promise<void>>();
  let seq = 0;
  let printed = 0;
  let ok = 0;
  let failed = 0;
  let firstFailureCode = 0;
  let stopping = false;
  let lastLine = 0;
  let lastDone = 0;
  const window = opts.jobs * 64;

  const record = (seqNo: number, o: Outcome) => {
    outcomes.set(seqNo, o);
    if (o.error && opts.stopOnError) stopping = true;
  };
  const write = (o: Outcome) => {
    if (o.error) {
      failed++;
      const code = exitCodeOf(o.error);
      if (!firstFailureCode) firstFailureCode = code;
      if (opts.json) {
        io.stdout.write(`${escapeJsonText(JSON.stringify({ line: o.line, command: o.command, ok: false, result: null, error: o.error.message, exit: code }))}\n`);
      } else io.stderr.write(`line ${o.line}: Error: ${escapeControls(o.error.message)}\n`);
    } else if (o.shown) {
      ok++;
    } else {
      ok++;
      const spec = o.spec!;
      if (opts.json) {
        io.stdout.write(`${escapeJsonText(stringifyExact({ line: o.line, command: spec.name, ok: true, result: resultData(spec, o.value!), error: null }))}
`);
      } else {
        const text = terminalSafe(formatText(spec, o.value!), io);
        if (text !== '') io.stdout.write(`${text.split('\n').map((l) => `${o.line}: ${l}`).join('\n')}\n`);
      }
    }
    lastDone = o.line;
  };
  const flush = () => {
    if (progress) progress.clear();
    while (outcomes.has(printed)) {
      write(outcomes.get(printed)!);
      outcomes.delete(printed);
      printed++;
    }
    if (progress) progress.update(printed, true);
  };

  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    let lineNo = 0;
    for await (const text of rl) {
      lineNo++;
      if (stopping || signal?.aborted) break;
      let prepared;
      const seqNo = seq;
      try {
        prepared = await prepare(text, lineIo);
      } catch (e) {
        seq++;
        record(seqNo, { line: lineNo, command: commandNameOf(text), error: e as Error });
        flush();
        continue;
      }
      if (!prepared) continue;
      seq++;
      lastLine = lineNo;
      while (inflight.size >= opts.jobs || seqNo - printed >= window) await Promise.race(inflight);
      if (stopping || signal?.aborted) break;
      const { spec, body } = prepared;
      const line = lineNo;
      if (flags.dryRun) {
        // Nothing is sent: each line's request is shown instead.
        io.stdout.write(`# line ${line}\n${show!.dryRunText(describeRequest(transportOptions(settings), spec.name, body), settings.user)}`);
        record(seqNo, { line, command: spec.name, spec, shown: true });
        flush();
        continue;
      }
      const p: Promise<void> = client.send(spec, body, { signal }).then(
        (value) => record(seqNo, { line, command: spec.name, spec, value }),
        (error) => record(seqNo, { line, command: spec.name, spec, error }),
      ).finally(() => {
        inflight.delete(p);
        flush();
      });
      inflight.add(p);
    }
    await Promise.all(inflight);
    flush();
  } finally {
    rl.close();
    input.destroy();
    if (progress) progress.clear();
    await client.close();
  }
  const notRun = stopping || signal?.aborted ? ' (stopped early)' : '';
  const fmt = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, ','); // toLocaleString would load ICU data
  io.stderr.write(`${fmt(ok)} ok, ${fmt(failed)} failed${notRun}\n`);
  if (signal?.aborted) {
    io.stderr.write(`interrupted: lines up to ${lastDone} are done; ${lastLine > lastDone ? `line ${lastLine} was the last one read` : 'nothing else was sent'}\n`);
    return 130;
  }
  return firstFailureCode;
}
