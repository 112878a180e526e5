// The generic action: settings, one call through the client, and the formatted result.
import { readFileSync } from 'node:fs';
import type { CommandSpec } from '../catalogue/types.js';
import type { JsonValue } from '../catalogue/args.js';
import { createClient } from '../client/client.js';
import { UsageError } from '../errors.js';
import { resolveSettings, type GlobalFlags, type Settings } from '../config/settings.js';
import type { Io } from './io.js';
import { writeResult } from './output.js';

export async function settingsFor(flags: GlobalFlags, io: Io): Promise<Settings> {
  const settings = await resolveSettings(flags, io.env, io.cwd);
  for (const w of settings.warnings) io.stderr.write(`Warning: ${w}\n`);
  if (settings.user && settings.password === undefined) {
    throw new UsageError(`no password for ${settings.user}: set ECTL_PASSWORD or use --password-file`);
  }
  if (settings.insecure && settings.url.startsWith('https:')) io.stderr.write('Warning: TLS certificate verification is off (--insecure)\n');
  return settings;
}

export function clientFor(settings: Settings, connections?: number) {
  let ca: Buffer | undefined;
  if (settings.caFile) {
    try {
      ca = readFileSync(settings.caFile);
    } catch (e) {
      throw new UsageError(`cannot read the CA file ${settings.caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return createClient({
    url: settings.url, user: settings.user, password: settings.password, token: settings.token,
    timeoutMs: settings.timeoutMs, apiVersion: settings.apiVersion, ca, insecure: settings.insecure, connections,
  });
}

export async function runCommand(spec: CommandSpec, body: Record<string, JsonValue>, flags: GlobalFlags, io: Io): Promise<void> {
  const settings = await settingsFor(flags, io);
  const client = clientFor(settings);
  try {
    const value = await client.send(spec, body, { signal: io.signal });
    await writeResult(spec, value, settings, io);
  } finally {
    await client.close();
  }
}
