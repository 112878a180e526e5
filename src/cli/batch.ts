// `ectl batch [FILE|-]`: many commands over kept-alive connections, with bounded concurrency,
// results printed in input order.
import type { Readable } from 'node:stream';
import { parseArguments, checkArguments, type JsonValue } from '../catalogue/args.js';
import { catalogueFor, entryFor, pathVersion, specFor, type ReleaseSpec } from '../catalogue/releases.js';
import type { CommandEntry } from '../catalogue/resolve.js';
import type { ResultValue } from '../client/normalise.js';
import { type EctlError, NoAnswer, UsageError, interruptedExitCode } from '../errors.js';
import type { GlobalFlags, Settings } from '../config/settings.js';
import { resultData, stringifyExact } from '../format/json.js';
import { formatText } from '../format/text.js';
import { expandAtArguments, type AtArgumentRules, type Io } from './io.js';
import { parseBatchLine } from './batch-parse.js';
import { terminalSafe } from './output.js';
import { batchLines } from './batch-input.js';
import { ReleaseSession, clientFor, noOrUnservedHost, settingsFor, textRule, transportOptions } from './run.js';
import { knownChoice } from './release.js';
import { describeRequest, type RequestDescription } from '../client/request.js';
import { isSecretArgument, secretArguments, secretStrings } from '../catalogue/secrets.js';
import { escapeControls, escapeJsonText, shownWord } from '../format/escape.js';
import { openForReading, readFailure } from '../bounded-read.js';
import { didYouMean } from '../catalogue/closest.js';
import { conflictKeys } from './batch-keys.js';
import { KeyedQueue } from './keyed-queue.js';

/** Lines in flight at first (see runBatch); -j is reached one finished line at a time. */
const RAMP_START = 4;

export interface BatchOptions {
  jobs: number;
  stopOnError: boolean;
  /** --allow-files: a line's `@path` arguments are read (else each is an error for its line). */
  allowFiles?: boolean;
}

/**
 * What a batch line may do with `@`: a batch file is data (generated, received, edited by
 * others), so it reads no local file unless the command line says so, and never standard input.
 */
function atRules(allowFiles: boolean): AtArgumentRules {
  return {
    filesRefused: allowFiles ? undefined : "'@path' in a batch line reads a local file: allowed only with 'ectl batch --allow-files' (a literal '@' is written '@@')",
    stdinRefused: "'@-' cannot be used in batch input (standard input is the batch itself or a terminal); use '@path' with --allow-files",
  };
}

interface Outcome {
  line: number;
  command: string | null;
  /** Bytes of input through this line (for the progress bar). */
  end: number;
  spec?: ReleaseSpec;
  value?: ResultValue;
  error?: EctlError | Error;
  /** The input could not be read past this line. */
  fatal?: boolean;
  /** --dry-run: the request that would have been sent. */
  shown?: RequestDescription;
  /** In flight when Ctrl-C came: it may or may not have run. */
  interrupted?: boolean;
  /** Waited for an earlier line and was not sent because the batch stopped. */
  unsent?: boolean;
}

type ExitCodeOf = (err: unknown) => number;

interface Prepared {
  entry: CommandEntry;
  spec: ReleaseSpec;
  body: Record<string, JsonValue>;
  /** The body for another definition of the command (when the release turns out different). */
  rebuild: (spec: ReleaseSpec) => Record<string, JsonValue>;
}

/** A line ready to send in the release spoken, or the reason it cannot be. */
async function prepare(text: string, io: Io, release: string, apiVersion: number | undefined, rules: AtArgumentRules): Promise<Prepared | null> {
  const parsed = parseBatchLine(text);
  if (!parsed) return null;
  const name = parsed.kind === 'json' ? parsed.command : parsed.words[0];
  const entry = entryFor(name);
  if (!entry) throw new UsageError(`unknown command '${shownWord(name)}'${didYouMean(name, catalogueFor(release, apiVersion).map((s) => s.name))}`);
  const spec = specFor(entry, release, apiVersion);
  if (parsed.kind === 'json' && !Array.isArray(parsed.args)) {
    const args = parsed.args;
    io.secrets?.add(...secretStrings(args));
    const rebuild = (s: ReleaseSpec) => checkArguments(s, args);
    return { entry, spec, body: rebuild(spec), rebuild };
  }
  const words = parsed.kind === 'words' ? parsed.words.slice(1) : (parsed.args as string[]);
  const raws = await expandAtArguments(words, io, (i) => isSecretArgument(spec, i, words), rules);
  io.secrets?.add(...secretArguments(spec, raws));
  const rebuild = (s: ReleaseSpec) => parseArguments(s, raws);
  const body = rebuild(spec);
  io.secrets?.add(...secretStrings(body));
  return { entry, spec, body, rebuild };
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

/** One JSON Lines record, with nothing a terminal would act on. */
const jsonLine = (record: Record<string, unknown>) => `${escapeJsonText(stringifyExact(record))}\n`;

const count = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, ','); // toLocaleString would load ICU data

/** `3, 5-7, 9`: line numbers, runs joined. */
function lineRanges(lines: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j] + 1) j++;
    out.push(j === i ? String(lines[i]) : `${lines[i]}-${lines[j]}`);
    i = j;
  }
  return out.join(', ');
}

/** On a terminal, once a batch has run for half a second: lines done and, for a file, how far into it. */
class Progress {
  private last = 0;
  private shown = false;
  private readonly started = Date.now();
  constructor(private io: Io, private size: number | undefined) {}
  update(done: number, bytes: number, force = false): void {
    const now = Date.now();
    if (now - this.started < 500 || (!force && now - this.last < 100)) return;
    this.last = now;
    this.shown = true;
    if (this.size) {
      const width = 30;
      const part = Math.min(1, bytes / this.size);
      const filled = Math.round(part * width);
      this.io.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.floor(part * 100)}%, ${count(done)} lines done`);
    } else this.io.stderr.write(`\r${count(done)} lines done`);
  }
  /** Clears the bar before other output; true if there was one. */
  clear(): boolean {
    if (this.shown) this.io.stderr.write('\r\x1b[K');
    return this.shown;
  }
}

/** The input: standard input, or a file of any readable kind (a FIFO, `<(command)`, /dev/stdin) and its size if regular. */
async function openInput(source: string | undefined, io: Io): Promise<{ input: Readable; size?: number }> {
  if (source === undefined || source === '-') return { input: io.openStdin() };
  try {
    const { stream, stats } = await openForReading(source);
    return { input: stream, size: stats.isFile() ? stats.size : undefined };
  } catch (e) {
    throw new UsageError(`cannot read batch file ${source}: ${readFailure(e)}`);
  }
}

/** Text or JSON Lines, from -o, ECTL_OUTPUT or the config file like every command's format. */
function batchFormat(output: string | undefined, flags: GlobalFlags, io: Io): 'text' | 'json' {
  if (output === undefined || output === 'text' || output === 'json') return output ?? 'text';
  const from = flags.output !== undefined ? '' : io.env.ECTL_OUTPUT ? ' (from ECTL_OUTPUT)' : ' (from the config file)';
  throw new UsageError(`batch prints text or JSON Lines (-o json), not ${output}${from}`);
}

/**
 * The lines of a batch's results, written a few at a time (once per turn of the event loop,
 * or sooner past 64 KiB) rather than with one system call each; stdout and stderr in the
 * order written.
 */
class LineOutput {
  private readonly parts: { toErr: boolean; text: string }[] = [];
  private size = 0;
  private scheduled = false;

  constructor(private readonly io: Io) {}

  stdout(text: string): void {
    this.add(false, text);
  }

  stderr(text: string): void {
    this.add(true, text);
  }

  private add(toErr: boolean, text: string): void {
    const last = this.parts[this.parts.length - 1];
    if (last?.toErr === toErr) last.text += text;
    else this.parts.push({ toErr, text });
    this.size += text.length;
    if (this.size >= 65536) this.drain();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  drain(): void {
    this.scheduled = false;
    this.size = 0;
    for (const { toErr, text } of this.parts.splice(0)) (toErr ? this.io.stderr : this.io.stdout).write(text);
  }
}

export async function runBatch(source: string | undefined, opts: BatchOptions, flags: GlobalFlags, io: Io, exitCodeOf: ExitCodeOf, signal?: AbortSignal): Promise<number> {
  if (flags.columns !== undefined) throw new UsageError('--columns applies to one command, not to batch (its lines are different commands)');
  const { input, size } = await openInput(source, io);
  let settings: Settings;
  let json: boolean;
  try {
    settings = await settingsFor(flags, io);
    json = batchFormat(settings.output, flags, io) === 'json';
  } catch (e) {
    input.destroy();
    throw e;
  }
  const show = flags.verbose || flags.dryRun ? await import('./show-request.js') : undefined;
  // Ctrl-C ends every line in flight through the client's one listener (the session's calls pass the same signal).
  const client = clientFor(settings, opts.jobs, flags.verbose ? show!.verboseObserver(io) : undefined, false, io.signal);
  // One release for the whole batch: given, cached, or asked once before the first line (not with --dry-run).
  const session = new ReleaseSession(client, settings, io, knownChoice(settings, io.env));
  const rules = atRules(!!opts.allowFiles);
  const progress = io.stderr.isTTY ? new Progress(io, size) : null;
  const out = new LineOutput(io);

  const outcomes = new Map<number, Outcome>();
  const inflight = new Set<Promise<void>>();
  // Lines about the same account, room or shared roster group run one after another, in input order.
  // Concurrency grows from RAMP_START by one per finished line up to -j, so that new connections
  // open a few at a time: ejabberd 23.01's listener queues only 5 connections not yet accepted
  // (its default backlog), and at -j 64 opened at once some waited past the time limit.
  const queue = new KeyedQueue(Math.min(opts.jobs, RAMP_START));
  let seq = 0;
  let printed = 0;
  let printedEnd = 0;
  let ok = 0;
  let failed = 0;
  let answeredNo = 0;
  const interrupted: number[] = [];
  let firstFailureCode = 0;
  let stopping = false;
  let inputError: Error | undefined;
  let lastSent = 0;
  const window = opts.jobs * 64;
  // The reading loop waits on this for a line to finish (one waiter, not a race over every line in flight).
  let slotFreed: (() => void) | undefined;

  const record = (seqNo: number, o: Outcome) => {
    outcomes.set(seqNo, o);
    // A yes/no command's "no" is an answer, not a failure to stop at.
    if (o.error && !(o.error instanceof NoAnswer) && opts.stopOnError) stopping = true;
  };
  const write = (o: Outcome) => {
    if (o.unsent) {
      // Nothing to say: like the lines after a stop, it was never sent.
    } else if (o.interrupted) {
      interrupted.push(o.line);
      const message = 'interrupted: it may or may not have run';
      if (json) out.stdout(jsonLine({ line: o.line, command: o.command, ok: null, result: null, error: message, interrupted: true }));
      else out.stderr(`line ${o.line}: ${message}\n`);
    } else if (o.error) {
      const no = o.error instanceof NoAnswer;
      if (no) answeredNo++;
      else failed++;
      const code = exitCodeOf(o.error);
      if (!firstFailureCode) firstFailureCode = code;
      if (json) out.stdout(jsonLine({ line: o.line, command: o.command, ok: false, result: null, error: o.error.message, exit: code }));
      else out.stderr(`line ${o.line}: ${no ? '' : 'Error: '}${escapeControls(o.error.message)}\n`);
    } else if (o.shown) {
      ok++;
      if (json) out.stdout(jsonLine({ line: o.line, command: o.command, ok: true, result: null, error: null, request: show!.dryRunRecord(o.shown, settings) }));
      else out.stdout(`# line ${o.line}\n${show!.dryRunText(o.shown, settings)}`);
    } else {
      ok++;
      const spec = o.spec!;
      if (json) {
        out.stdout(jsonLine({ line: o.line, command: spec.name, ok: true, result: resultData(spec, o.value!), error: null }));
      } else {
        const text = terminalSafe(formatText(spec, o.value!, textRule(session.choice, settings)), io);
        if (text !== '') out.stdout(`${text.split('\n').map((l) => `${o.line}: ${l}`).join('\n')}\n`);
      }
    }
    printedEnd = o.end;
  };
  const flush = () => {
    if (!outcomes.has(printed)) return progress?.update(printed, printedEnd);
    const hadBar = progress?.clear();
    while (outcomes.has(printed)) {
      write(outcomes.get(printed)!);
      outcomes.delete(printed);
      printed++;
    }
    if (progress) out.drain(); // the bar is drawn after the lines it counts
    progress?.update(printed, printedEnd, hadBar);
  };

  // Ctrl-C also ends a wait for the next line (a terminal, a quiet pipe).
  const stopReading = () => input.destroy();
  signal?.addEventListener('abort', stopReading, { once: true });
  let lineNo = 0;
  try {
    try {
      for await (const item of batchLines(input)) {
        lineNo = item.number;
        if (stopping || signal?.aborted) break;
        const seqNo = seq;
        if ('error' in item) {
          seq++;
          record(seqNo, { line: item.number, command: null, end: item.end, error: item.error });
          flush();
          if (item.fatal) {
            inputError = item.error;
            break;
          }
          continue;
        }
        const { text, end } = item;
        let prepared: Prepared | null;
        try {
          if (!flags.dryRun) await session.settle();
          try {
            prepared = await prepare(text, io, session.choice.release, settings.apiVersion, rules);
          } catch (e) {
            // A line that does not read in the cached release: the server is asked (once a batch) whether it still runs it.
            if (!(e instanceof UsageError) || flags.dryRun || !(await session.recheck())) throw e;
            prepared = await prepare(text, io, session.choice.release, settings.apiVersion, rules);
          }
        } catch (e) {
          if (signal?.aborted) break;
          seq++;
          record(seqNo, { line: lineNo, command: commandNameOf(text), end, error: e as Error });
          flush();
          continue;
        }
        if (!prepared) continue;
        seq++;
        while (queue.active >= queue.allowed || seqNo - printed >= window) await new Promise<void>((resolve) => { slotFreed = resolve; });
        if (stopping || signal?.aborted) break;
        const { entry, spec, body, rebuild } = prepared;
        const line = lineNo;
        if (flags.dryRun) {
          lastSent = line;
          // Nothing is sent: each line's request is shown instead.
          record(seqNo, { line, command: spec.name, end, spec, shown: describeRequest(transportOptions(settings), spec.name, body, pathVersion(session.choice.release, spec), spec.renamedAway) });
          flush();
          continue;
        }
        // A line that waited for an earlier one about the same thing is not sent once the batch stops.
        const send = () => {
          if (stopping || signal?.aborted) return Promise.resolve(null);
          lastSent = Math.max(lastSent, line);
          return session.call(entry, spec, body, rebuild);
        };
        const p: Promise<void> = queue.run(conflictKeys(spec, body), send).then(
          (done) => record(seqNo, done ? { line, command: spec.name, end, spec: done.spec, value: done.value } : { line, command: spec.name, end, unsent: true }),
          // After Ctrl-C a request that did not finish was cut short: whether it ran is not known.
          async (error) => record(seqNo, signal?.aborted ? { line, command: spec.name, end, spec, interrupted: true }
            : { line, command: spec.name, end, spec, error: error instanceof NoAnswer ? await noOrUnservedHost(error, session, body) : error }),
        ).finally(() => {
          inflight.delete(p);
          flush();
          queue.raise(Math.min(opts.jobs, queue.allowed + 1));
          slotFreed?.();
          slotFreed = undefined;
        });
        inflight.add(p);
      }
    } catch (e) {
      if (!signal?.aborted) {
        inputError = new UsageError(`cannot read on: ${readFailure(e)}`);
        record(seq++, { line: lineNo + 1, command: null, end: printedEnd, error: inputError });
      }
    }
    await Promise.all(inflight);
    flush();
  } finally {
    signal?.removeEventListener('abort', stopReading);
    input.destroy();
    out.drain();
    progress?.clear();
    await client.close();
  }
  const early = stopping || signal?.aborted || inputError ? ' (stopped early)' : '';
  const cut = interrupted.length ? `, ${count(interrupted.length)} interrupted` : '';
  const no = answeredNo ? `, ${count(answeredNo)} answered no` : '';
  io.stderr.write(`${count(ok)} ok, ${count(failed)} failed${no}${cut}${early}\n`);
  if (signal?.aborted) {
    const inFlight = interrupted.length ? `line${interrupted.length > 1 ? 's' : ''} ${lineRanges(interrupted)} ${interrupted.length > 1 ? 'were' : 'was'} in flight and may or may not have run; ` : '';
    io.stderr.write(`interrupted: ${inFlight}${lastSent ? `nothing after line ${lastSent} was sent` : 'nothing was sent'}\n`);
    return interruptedExitCode(signal);
  }
  // Input that could not be read to its end (binary, a line too long) is a usage error whatever came before.
  return inputError ? exitCodeOf(inputError) : firstFailureCode;
}
