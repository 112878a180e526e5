// --all-nodes: one command on every node of the profile at once, the results in the profile's
// node order as one output (src/format/by-node.ts), one `Error:` line per node that failed.
import type { JsonValue } from '../catalogue/args.js';
import { nodeLocal } from '../catalogue/node-local.js';
import { pathVersion } from '../catalogue/releases.js';
import { describeRequest } from '../client/request.js';
import type { ClusterNode, GlobalFlags, Settings } from '../config/settings.js';
import { UsageError } from '../errors.js';
import { dataByNode, formatTextByNode, recordsByNode, type NodeResult } from '../format/by-node.js';
import { escapeJsonText } from '../format/escape.js';
import { stringifyExact } from '../format/json.js';
import type { Io } from './io.js';
import { reportError, type CommandCall } from './main.js';
import { errorLabel, formatOptions, outputFormat, terminalSafe, writeResult } from './output.js';
import { knownChoice } from './release.js';
import { callOn, textRule, transportOptions, withColumns, type CallResult } from './run.js';

/** The cluster's nodes for --all-nodes (or a usage error saying why there are none to use). */
export function allNodes(settings: Settings, flags: GlobalFlags): ClusterNode[] {
  if (flags.node !== undefined) throw new UsageError('give --node or --all-nodes, not both');
  if (flags.url !== undefined) throw new UsageError('give --url or --all-nodes, not both: --all-nodes uses the nodes of the profile');
  if (settings.nodes.length === 0) throw new UsageError('--all-nodes needs the nodes of a cluster: add nodes: to the profile, or set ECTL_NODES=name=url,...');
  return settings.nodes;
}

/** Settings that send to one node, with no failover. */
export function settingsForNode(settings: Settings, node: ClusterNode): Settings {
  return { ...settings, url: node.url, node: node.name, failover: [] };
}

type Outcome = { node: ClusterNode } & ({ ok: true; result: CallResult } | { ok: false; error: unknown });

/** Calls something on every node at once; each outcome in node order. */
export async function onEveryNode<T>(nodes: readonly ClusterNode[], fn: (node: ClusterNode) => Promise<T>): Promise<({ node: ClusterNode } & ({ ok: true; result: T } | { ok: false; error: unknown }))[]> {
  return Promise.all(nodes.map(async (node) => {
    try {
      return { node, ok: true as const, result: await fn(node) };
    } catch (error) {
      return { node, ok: false as const, error };
    }
  }));
}

/** Says each failed node's error on one `Error:` line naming it; returns the first one's exit code (0 when none failed). */
export async function reportNodeErrors(outcomes: readonly { node: ClusterNode; ok: boolean; error?: unknown }[], flags: GlobalFlags, io: Io): Promise<number> {
  let code = 0;
  const label = await errorLabel(io, flags.color === false ? ['--no-color'] : []);
  for (const o of outcomes) {
    if (o.ok) continue;
    const err = o.error;
    if (err instanceof Error) err.message = `node ${o.node.name}: ${err.message}`;
    code ||= reportError(err, io, false, label);
  }
  return code;
}

export async function runOnAllNodes(call: CommandCall, raws: readonly string[], body: Record<string, JsonValue>, flags: GlobalFlags, settings: Settings, io: Io): Promise<number> {
  const nodes = allNodes(settings, flags);
  const name = call.entry.name;
  const local = nodeLocal(name);
  if (local?.destructive && !flags.yes) {
    throw new UsageError(`${name} with --all-nodes reaches every node at once (${nodes.map((n) => n.name).join(', ')}): add --yes to do that (ectl rolling-restart restarts them one at a time)`);
  }
  if (!local) io.stderr.write(`Note: ${name} is cluster-wide: every node answers it for the whole cluster, and --all-nodes asks each of them the same\n`);
  if (flags.dryRun) {
    const { dryRunText } = await import('./show-request.js');
    for (const node of nodes) {
      const s = settingsForNode(settings, node);
      io.stdout.write(`# node ${terminalSafe(node.name, io)}\n${dryRunText(describeRequest(transportOptions(s), call.spec.name, body, pathVersion(knownChoice(s, io.env).release, call.spec), call.spec.renamedAway), s)}`);
    }
    return 0;
  }
  const outcomes: Outcome[] = await onEveryNode(nodes, (node) => {
    const s = settingsForNode(settings, node);
    return callOn(s, call, raws, body, flags, io, knownChoice(s, io.env), `${node.name}: `);
  });
  if (io.signal?.aborted) throw new UsageError('interrupted');
  const results: NodeResult[] = outcomes.flatMap((o) => {
    if (!o.ok) return [];
    const { spec, value } = withColumns(o.result, flags.columns);
    return [{ node: o.node.name, spec, value, rule: textRule(o.result.choice, settings) }];
  });
  await writeByNode(results, settings, io);
  return reportNodeErrors(outcomes, flags, io);
}

async function writeByNode(results: readonly NodeResult[], settings: Settings, io: Io): Promise<void> {
  if (results.length === 0) return;
  // The format a single node's result would get (a table on a terminal only for records).
  const format = outputFormat(results[0].spec, settings, io);
  if (format === 'text') {
    io.stdout.write(terminalSafe(formatTextByNode(results), io));
  } else if (format === 'json') {
    io.stdout.write(`${escapeJsonText(stringifyExact(dataByNode(results), formatOptions(settings, io).pretty ? 2 : undefined))}\n`);
  } else if (format === 'yaml') {
    io.stdout.write((await import('../format/yaml.js')).formatYamlMapping(dataByNode(results)));
  } else {
    const rows = recordsByNode(results);
    if (rows) await writeResult(rows.spec, rows.value, { ...settings, output: format }, io);
  }
}
