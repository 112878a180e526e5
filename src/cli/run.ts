// The generic action: settings, one call through the client, and the formatted result.
import { MiB, readFailure, readRegularFileSync } from '../bounded-read.js';
import type { CommandSpec } from '../catalogue/types.js';
import type { JsonValue } from '../catalogue/args.js';
import { createClient } from '../client/client.js';
import { describeRequest, type RequestObserver, type TransportOptions } from '../client/request.js';
import { UsageError } from '../errors.js';
import { resolveSettings, type GlobalFlags, type Settings } from '../config/settings.js';
import type { Io } from './io.js';
import { escapeControls } from '../format/escape.js';
import { writeResult } from './output.js';

/** The settings, with their notes and warnings said on stderr; a missing password is asked for unless `askPassword` is false. */
export async function settingsFor(flags: GlobalFlags, io: Io, opts: { readToken?: boolean; askPassword?: boolean } = {}): Promise<Settings> {
  const settings = await resolveSettings(flags, io.env, io.cwd, opts);
  for (const n of settings.notes) io.stderr.write(`Note: ${escapeControls(n)}\n`);
  for (const w of settings.warnings) io.stderr.write(`Warning: ${escapeControls(w)}\n`);
  if (opts.askPassword !== false && settings.user && settings.password === undefined && settings.token === undefined) {
    if (!io.promptSecret) throw new UsageError(`no password for ${settings.user}: set ECTL_PASSWORD or use --password-file`);
    settings.password = await io.promptSecret(`Password for ${settings.user}: `);
  }
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

export function clientFor(settings: Settings, connections?: number, observer?: RequestObserver) {
  const ca = settings.caFile ? readCaFile(settings.caFile) : undefined;
  return createClient({ ...transportOptions(settings), ca, connections, observer });
}

export function transportOptions(settings: Settings): TransportOptions {
  return {
    url: settings.url, user: settings.user, password: settings.password, token: settings.token,
    timeoutMs: settings.timeoutMs, maxReplyBytes: settings.maxReplyBytes, apiVersion: settings.apiVersion, insecure: settings.insecure,
  };
}

export async function runCommand(spec: CommandSpec, body: Record<string, JsonValue>, flags: GlobalFlags, io: Io): Promise<void> {
  const settings = await settingsFor(flags, io);
  if (flags.dryRun) {
    const { dryRunText } = await import('./show-request.js');
    io.stdout.write(dryRunText(describeRequest(transportOptions(settings), spec.name, body), settings.user));
    return;
  }
  const observer = flags.verbose ? (await import('./show-request.js')).verboseObserver(io) : undefined;
  const client = clientFor(settings, undefined, observer);
  try {
    const value = await client.send(spec, body, { signal: io.signal });
    await writeResult(spec, value, settings, io);
  } finally {
    await client.close();
  }
}
