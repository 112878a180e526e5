// The generic action: settings, one call through the client, and the formatted result.
import { readFileSync } from 'node:fs';
import type { CommandSpec } from '../catalogue/types.js';
import type { JsonValue } from '../catalogue/args.js';
import { createClient } from '../client/client.js';
import { describeRequest, type RequestObserver, type TransportOptions } from '../client/request.js';
import { UsageError } from '../errors.js';
import { resolveSettings, type GlobalFlags, type Settings } from '../config/settings.js';
import type { Io } from './io.js';
import { escapeControls } from '../format/escape.js';
import { writeResult } from './output.js';

export async function settingsFor(flags: GlobalFlags, io: Io, opts: { readToken?: boolean } = {}): Promise<Settings> {
  const settings = await resolveSettings(flags, io.env, io.cwd, opts);
  for (const n of settings.notes) io.stderr.write(`Note: ${escapeControls(n)}\n`);
  for (const w of settings.warnings) io.stderr.write(`Warning: ${escapeControls(w)}\n`);
  if (settings.user && settings.password === undefined && settings.token === undefined) {
    if (!io.promptSecret) throw new UsageError(`no password for ${settings.user}: set ECTL_PASSWORD or use --password-file`);
    settings.password = await io.promptSecret(`Password for ${settings.user}: `);
  }
  if (settings.insecure && settings.url.startsWith('https:')) io.stderr.write('Warning: TLS certificate verification is off (--insecure)\n');
  return settings;
}

export function clientFor(settings: Settings, connections?: number, observer?: RequestObserver) {
  let ca: Buffer | undefined;
  if (settings.caFile) {
    try {
      ca = readFileSync(settings.caFile);
    } catch (e) {
      throw new UsageError(`cannot read the CA file ${settings.caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
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
