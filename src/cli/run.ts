// The generic action: settings, the server's release, one call through the client, and the
// formatted result.
import { MiB, readFailure, readRegularFileSync } from '../bounded-read.js';
import type { JsonValue } from '../catalogue/args.js';
import { checkArguments, parseArguments } from '../catalogue/args.js';
import { NEWEST_RELEASE, argumentsKey, entryFor, nestedListSeparator, pathVersion, specFor, type ReleaseSpec } from '../catalogue/releases.js';
import type { CommandEntry } from '../catalogue/resolve.js';
import { createClient, type Client } from '../client/client.js';
import { ReplyShapeError, type ResultValue } from '../client/normalise.js';
import { describeRequest, type RequestObserver, type TransportOptions } from '../client/request.js';
import { CommandFailedError, type EctlError, NoAnswer, UnreachableError, UsageError } from '../errors.js';
import { nodeLocal } from '../catalogue/node-local.js';
import { resolveSettings, type GlobalFlags, type Settings } from '../config/settings.js';
import { guardOutput, type Io } from './io.js';
import { escapeControls } from '../format/escape.js';
import { columnNames, selectColumns, unknownColumns } from '../format/columns.js';
import { typeToString } from '../catalogue/types.js';
import type { CommandCall } from './main.js';
import { outputFormat, writeResult } from './output.js';
import { summaryLine, summaryRule, wholeArgs } from './summary-lines.js';
import { describeChoice, detectRelease, knownChoice, type ReleaseChoice } from './release.js';

/** The settings, with their notes and warnings said on stderr; a missing password is asked for unless `askPassword` is false. */
export async function settingsFor(flags: GlobalFlags, io: Io, opts: { readToken?: boolean; askPassword?: boolean } = {}): Promise<Settings> {
  const settings = await resolveSettings(flags, io.env, io.cwd, opts);
  for (const n of settings.notes) io.stderr.write(`Note: ${escapeControls(n)}\n`);
  for (const w of settings.warnings) io.stderr.write(`Warning: ${escapeControls(w)}\n`);
  if (opts.askPassword !== false && settings.user && settings.password === undefined && settings.token === undefined) {
    if (!io.promptSecret) throw new UsageError(`no password for ${settings.user}: set ECTL_PASSWORD or use --password-file`);
    settings.password = await io.promptSecret(`Password for ${settings.user}: `);
    settings.credentials = { kind: 'elsewhere', how: 'it was typed at the prompt' };
  }
  guardOutput(io).addCredentials(settings.user, settings.password, settings.token);
  if (settings.insecure && settings.url.startsWith('https:')) io.stderr.write('Warning: TLS certificate verification is off (--insecure)\n');
  return settings;
}

// A CA bundle of every public CA is a few hundred KiB.
const CA_FILE_LIMIT = 10 * MiB;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g;

/**
 * The certificates of --ca-file. Node quietly ignores a CA it cannot read, and the server's
 * certificate would then fail for a misleading reason: a file that is unreadable or holds no
 * usable PEM certificate is a usage error.
 */
export function readCaFile(file: string): string {
  let pem: string;
  try {
    pem = readRegularFileSync(file, CA_FILE_LIMIT);
  } catch (e) {
    throw new UsageError(`cannot read the CA file ${file}: ${readFailure(e)}`);
  }
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new UsageError(`the CA file ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  // node:crypto only when a CA file is given: loading it costs every other command start-up time.
  const { X509Certificate } = process.getBuiltinModule('node:crypto');
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new UsageError(`the CA file ${file}: certificate ${i + 1} of ${blocks.length} is not a valid certificate`);
    }
  });
  return pem;
}

/** A client for the settings' server: undici's kept-alive pool of `connections`, or (`single`) one node:http request per call. */
export function clientFor(settings: Settings, connections?: number, observer?: RequestObserver, single = false, signal?: AbortSignal) {
  const ca = settings.caFile ? readCaFile(settings.caFile) : undefined;
  return createClient({ ...transportOptions(settings), ca, connections, observer, singleRequests: single, signal });
}

export function transportOptions(settings: Settings): TransportOptions {
  return {
    url: settings.url, user: settings.user, password: settings.password, token: settings.token,
    timeoutMs: settings.timeoutMs, maxReplyBytes: settings.maxReplyBytes, apiVersion: settings.apiVersion, insecure: settings.insecure,
  };
}

/** Whether a definition takes the same arguments as another (then a body built for one fits both). */
function sameArguments(a: ReleaseSpec, b: ReleaseSpec): boolean {
  return argumentsKey(a) === argumentsKey(b);
}

/**
 * A server refusal that says the request was shaped for another release, in the API's own words
 * (no such command, missing or unknown arguments): the command did not run. A command's own
 * failure (a 404 "not found", a message that mentions an argument) may follow a run: never sent again.
 */
function refusedAsOtherRelease(err: unknown): boolean {
  return err instanceof CommandFailedError && err.unrun;
}

/**
 * Calls on one server in the release it runs: detected at most once (unless given or cached),
 * and once more when a reply does not fit what a cached release promised.
 */
export class ReleaseSession {
  private redetection: Promise<ReleaseChoice> | undefined;
  private detection: Promise<ReleaseChoice> | undefined;

  constructor(
    private readonly client: Pick<Client, 'send'>,
    readonly settings: Settings,
    private readonly io: Io,
    public choice: ReleaseChoice,
  ) {}

  /** The release, asking the server (`status`) when it is neither given nor cached. */
  async settle(): Promise<ReleaseChoice> {
    if (this.choice.source !== 'unknown') return this.choice;
    this.detection ??= this.detect();
    this.choice = await this.detection;
    return this.choice;
  }

  /** Asks `status` with no API version in the path, which every release answers alike. */
  status(): Promise<ResultValue> {
    const status = specFor(entryFor('status')!, this.choice.release);
    return this.client.send({ ...status, version: undefined }, {}, { signal: this.io.signal });
  }

  private detect(): Promise<ReleaseChoice> {
    return detectRelease(this.settings.url, this.io.env, () => this.status());
  }

  /**
   * Asks the server again, once per session, when the release came from the cache and something
   * did not fit it (the command line, a reply). True when the server now runs another release.
   */
  async recheck(): Promise<boolean> {
    const was = this.choice;
    if (!(was.source === 'cached' || was.source === 'undetected')) return false;
    this.redetection ??= this.detect();
    this.choice = await this.redetection;
    return this.choice.release !== was.release;
  }

  /** The definition to use in the settled release, and the body for it. */
  speak(entry: CommandEntry, spec: ReleaseSpec, body: Record<string, JsonValue>, rebuild: (spec: ReleaseSpec) => Record<string, JsonValue>): { spec: ReleaseSpec; body: Record<string, JsonValue> } {
    const now = specFor(entry, this.choice.release, this.settings.apiVersion);
    // specFor hands out one object per definition: the same one needs no comparison (a batch's every line).
    if (now === spec || sameArguments(now, spec)) return { spec: now, body };
    try {
      return { spec: now, body: rebuild(now) };
    } catch (err) {
      throw err instanceof UsageError ? withNote(err, `as ejabberd ${this.choice.release} defines it`) : err;
    }
  }

  /** Sends a call; when the reply does not fit a release taken from the cache, detects it again. */
  async call(entry: CommandEntry, spec: ReleaseSpec, body: Record<string, JsonValue>, rebuild: (spec: ReleaseSpec) => Record<string, JsonValue>): Promise<{ spec: ReleaseSpec; value: ResultValue }> {
    await this.settle();
    ({ spec, body } = this.speak(entry, spec, body, rebuild));
    const was = this.choice;
    try {
      return { spec, value: await this.client.send(spec, body, { signal: this.io.signal, release: was.release, serverRelease: knownServerRelease(was) }) };
    } catch (err) {
      const refused = refusedAsOtherRelease(err);
      if (!(refused || err instanceof ReplyShapeError) || !(await this.recheck())) throw err;
      const note = `the server now runs ejabberd ${this.choice.reported ?? this.choice.release}, not ${was.reported ?? was.release} as cached`;
      if (!refused) throw withNote(err as EctlError, `${note}; the command ran: check its effect before running it again`);
      ({ spec, body } = this.speak(entry, spec, body, rebuild));
      return { spec, value: await this.client.send(spec, body, { signal: this.io.signal, release: this.choice.release, serverRelease: knownServerRelease(this.choice) }) };
    }
  }
}

/**
 * The release of the settings' server, asked now with `status` (`recheck`: asked again though
 * cached); while a node cannot be reached at all, the profile's other nodes are asked in turn.
 */
export async function askRelease(settings: Settings, io: Io, verbose: boolean, cached?: ReleaseChoice): Promise<ReleaseChoice> {
  const observer = verbose ? (await import('./show-request.js')).verboseObserver(io) : undefined;
  let choice: ReleaseChoice = { release: NEWEST_RELEASE, source: 'unknown' };
  for (const url of [settings.url, ...settings.failover.map((n) => n.url)]) {
    const target = url === settings.url ? settings : { ...settings, url };
    const again = cached !== undefined && url === settings.url;
    const client = clientFor(target, undefined, observer, true);
    const session = new ReleaseSession(client, target, io, again ? cached : choice);
    try {
      choice = again ? ((await session.recheck()), session.choice) : await session.settle();
    } finally {
      await client.close();
    }
    if (choice.source !== 'unknown' || io.signal?.aborted) break;
  }
  return choice;
}

/** Calls a command by name with named arguments in the session's release (login, logout, doctor). */
export async function callNamed(session: ReleaseSession, name: string, args: (spec: ReleaseSpec) => Record<string, unknown>): Promise<ResultValue> {
  await session.settle();
  const entry = entryFor(name)!;
  const rebuild = (spec: ReleaseSpec) => checkArguments(spec, args(spec));
  const spec = specFor(entry, session.choice.release, session.settings.apiVersion);
  return (await session.call(entry, spec, rebuild(spec), rebuild)).value;
}

const servedHosts = new WeakMap<ReleaseSession, Promise<unknown>>();

/**
 * A yes/no command's "no" about a host the server does not serve is an error, not an answer:
 * before 26.07 ejabberd answers it with a plain 1 (26.07 refuses it as not authorized), so the
 * host is looked up in registered_vhosts (once per session). When that cannot be asked, the "no" stands.
 */
export async function noOrUnservedHost(no: NoAnswer, session: ReleaseSession, body: Record<string, JsonValue>): Promise<EctlError> {
  const host = body.host;
  if (typeof host !== 'string') return no;
  let lookup = servedHosts.get(session);
  if (!lookup) servedHosts.set(session, (lookup = callNamed(session, 'registered_vhosts', () => ({})).catch(() => undefined)));
  const hosts = await lookup;
  if (!Array.isArray(hosts) || hosts.some((h) => typeof h === 'string' && h.toLowerCase() === host.toLowerCase())) return no;
  return new CommandFailedError(`the server serves no host '${host}' (registered_vhosts does not list it), so ${no.command} cannot answer about it`);
}

/** A session for the settings' server: given or cached release, else detected on the first call. */
export function sessionFor(client: Pick<Client, 'send'>, settings: Settings, io: Io): ReleaseSession {
  return new ReleaseSession(client, settings, io, knownChoice(settings, io.env));
}

/** The release the server runs as far as ectl knows it (none when it was not detected). */
export function knownServerRelease(c: ReleaseChoice): string | undefined {
  return c.source === 'unknown' || c.source === 'undetected' ? undefined : c.reported ?? c.release;
}

function withNote(err: EctlError, note: string): EctlError {
  err.message = `${err.message} (${note})`;
  return err;
}

const rules = new Map<string, { listSeparator: string; release: string }>();
/** How the release's ejabberdctl prints this call's result. */
export function textRule(choice: ReleaseChoice, settings: Pick<Settings, 'apiVersion'>): { listSeparator: string; release: string } {
  // One object per release and API version: a batch asks line after line.
  const key = `${choice.release}/${settings.apiVersion ?? ''}`;
  let rule = rules.get(key);
  if (!rule) rules.set(key, (rule = { listSeparator: nestedListSeparator(choice.release, settings.apiVersion), release: choice.release }));
  return rule;
}

/** The fields --columns asks for, checked against the result of the definition in use. */
export function checkedColumns(spec: ReleaseSpec, flag: string | undefined): string[] | undefined {
  if (flag === undefined) return undefined;
  const names = flag.split(',').map((n) => n.trim()).filter((n) => n !== '');
  const known = columnNames(spec.result.type);
  if (!known) throw new UsageError(`--columns picks fields of records, and ${spec.name} returns none (${typeToString(spec.result.type)})`);
  if (names.length === 0) throw new UsageError(`--columns needs field names, e.g. --columns ${known.slice(0, 2).join(',')} (${spec.name}'s: ${known.join(', ')})`);
  const unknown = unknownColumns(spec.result.type, names);
  if (unknown.length) throw new UsageError(`${spec.name} has no column${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')} (its columns: ${known.join(', ')})`);
  return names;
}

/** A call's outcome on one server: the definition used, the value, and the release spoken. */
export interface CallResult {
  readonly spec: ReleaseSpec;
  readonly value: ResultValue;
  readonly choice: ReleaseChoice;
  /** The line ejabberdctl prints before this result that the reply lacks (summary-lines.ts), when asked for and had. */
  readonly summary?: string;
}

/**
 * Calls the command on the settings' server: its release (given, cached or detected), one call,
 * the connections closed. `choice` is the release the command line was parsed for, if it is
 * that server's; `label` prefixes the -v lines (a node's name). With `summary`, a command that
 * has a summary line (summary-lines.ts) first makes its read-only call; when that fails, no line.
 */
export async function callOn(given: Settings, call: CommandCall, raws: readonly string[], body: Record<string, JsonValue>, flags: GlobalFlags, io: Io, choice: ReleaseChoice, label = '', summary = false): Promise<CallResult> {
  const settings = afterItsWait(given, call.entry.name, body);
  const show = flags.verbose ? await import('./show-request.js') : undefined;
  const observer = show?.verboseObserver(io);
  // One command, one or two requests (the second when the release must be asked first).
  const client = clientFor(settings, undefined, observer, true);
  const session = new ReleaseSession(client, settings, io, choice);
  try {
    await session.settle();
    const rebuild = (spec: ReleaseSpec) => parseArguments(spec, raws);
    if (flags.verbose) {
      const { spec } = session.speak(call.entry, call.spec, body, rebuild);
      io.stderr.write(`* ${label}${describeChoice(session.choice, pathVersion(session.choice.release, spec) ?? spec.version)}\n`);
    }
    const rule = summary ? summaryRule(call.entry.name, session.choice.release) : undefined;
    // Before the command: a destroy counts the rooms that were there, as ejabberdctl does.
    const whole = rule && await Promise.all(rule.whole.map((c) => callNamed(session, c.command, () => wholeArgs(c, body)))).catch(() => undefined);
    try {
      const { spec, value } = await session.call(call.entry, call.spec, body, rebuild);
      return { spec, value, choice: session.choice, summary: rule && whole !== undefined ? summaryLine(rule, whole, value) : undefined };
    } catch (caught) {
      const err = caught instanceof NoAnswer ? await noOrUnservedHost(caught, session, body) : caught;
      if (flags.verbose && err instanceof NoAnswer) io.stderr.write(`* ${escapeControls(`${label}${err.message}`)}\n`);
      return { spec: call.spec, value: closedByItself(call.entry.name, err, io, label, settings.url), choice: session.choice };
    }
  } finally {
    await client.close();
  }
}

/** A command that waits before it replies (node-local.ts `waitsFor`): --timeout starts after the wait. */
function afterItsWait(settings: Settings, name: string, body: Record<string, JsonValue>): Settings {
  const arg = nodeLocal(name)?.waitsFor;
  const waitS = arg === undefined ? 0 : Number(body[arg]);
  return Number.isFinite(waitS) && waitS > 0 ? { ...settings, timeoutMs: settings.timeoutMs + waitS * 1000 } : settings;
}

/**
 * A command that closes its own connection before the reply (node-local.ts `cutsItsReply`):
 * halt's cut says that it ended the node (exit 3, as ejabberdctl's); a command that stops
 * ejabberd together with its request ran, and is done (its rescode), with a note on what it
 * left. Any other error is thrown on.
 */
function closedByItself(name: string, err: unknown, io: Io, label: string, url: string): true {
  const cuts = nodeLocal(name)?.cutsItsReply;
  if (!cuts || !(err instanceof UnreachableError) || !err.cut) throw err;
  if (cuts === 'halts') throw new UnreachableError(`${new URL(url).host} closed the connection without a reply, as ${name} does: it ends the node at once`, { cut: true });
  io.stderr.write(`Note: ${escapeControls(label)}${new URL(url).host} closed the connection without a reply, as ${name} does over HTTP: it stops ejabberd there `
    + 'together with the request, so the steps after that do not run; the Erlang node keeps running without ejabberd until it is stopped\n');
  return true;
}

/** A failure that left before any byte of the request was written: another node may take the call. */
export function neverSent(err: unknown): boolean {
  return err instanceof UnreachableError && err.notSent;
}

/** A connection that failed after the request was written: the command may have run, it is never sent again. */
function mayHaveRun(err: unknown): err is UnreachableError {
  return err instanceof UnreachableError && !err.notSent;
}

/** The name of the profile's node at a URL (the URL itself when no node has it). */
function nodeName(settings: Settings, url: string): string {
  return settings.nodes.find((n) => n.url === url)?.name ?? url;
}

/** A reply narrowed to the fields --columns asks for (as it is without the flag). */
export function withColumns<R extends { spec: ReleaseSpec; value: ResultValue }>(reply: R, flag: string | undefined): R {
  const columns = checkedColumns(reply.spec, flag);
  return columns ? { ...reply, ...selectColumns(reply.spec, reply.value, columns) } : reply;
}

/** Runs one command line's command; returns its exit code (0: the action's errors are thrown). */
export async function runCommand(call: CommandCall, raws: readonly string[], body: Record<string, JsonValue>, flags: GlobalFlags, io: Io): Promise<number> {
  // Checked before anything is read or sent.
  checkedColumns(call.spec, flags.columns);
  const settings = call.settings ?? (await settingsFor(flags, io));
  if (flags.allNodes) return (await import('./all-nodes.js')).runOnAllNodes(call, raws, body, flags, settings, io);
  if (flags.dryRun) {
    // Nothing is sent, not even `status`: the given or cached release, else the newest.
    const { dryRunText } = await import('./show-request.js');
    io.stdout.write(dryRunText(describeRequest(transportOptions(settings), call.spec.name, body, pathVersion(call.choice.release, call.spec), call.spec.renamedAway), settings));
    return 0;
  }
  const local = nodeLocal(call.entry.name);
  let target = settings;
  let choice = call.choice;
  for (const next of [...settings.failover, undefined]) {
    try {
      const reply = await callOn(target, call, raws, body, flags, io, choice, '', outputFormat(call.spec, settings, io) === 'text');
      const { spec, value } = withColumns(reply, flags.columns);
      if (reply.summary) io.stdout.write(`${reply.summary}\n`);
      await writeResult(spec, value, settings, io, textRule(reply.choice, settings));
      return 0;
    } catch (err) {
      if (mayHaveRun(err) && settings.failover.length) throw withNote(err, `node ${nodeName(settings, target.url)}: not sent to another node`);
      if (!neverSent(err) || next === undefined || io.signal?.aborted) throw err;
      if (local) throw withNote(err as EctlError, `${call.entry.name} runs on the node that receives it, so it is not sent to another node`);
      if (flags.verbose) io.stderr.write(`* ${escapeControls((err as Error).message)}: nothing was sent; trying node ${escapeControls(next.name)} at ${next.url}\n`);
      target = { ...settings, url: next.url };
      choice = knownChoice(target, io.env);
    }
  }
  throw new Error('unreachable: the failover loop always returns or throws');
}
