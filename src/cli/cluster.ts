// The whole cluster of a profile's `nodes:`: `ectl cluster` (one row per node: reachable,
// release, uptime, online users, whether its list_cluster agrees with the profile) and
// `ectl rolling-restart` (one node at a time, each back in the cluster before the next).
import type { CommandSpec, Field } from '../catalogue/types.js';
import type { ResultValue } from '../client/normalise.js';
import type { ClusterNode, GlobalFlags, Settings } from '../config/settings.js';
import { CommandFailedError, EctlError, UnreachableError, UsageError } from '../errors.js';
import { escapeControls } from '../format/escape.js';
import type { Io } from './io.js';
import { onEveryNode, reportNodeErrors, settingsForNode } from './all-nodes.js';
import { writeResult } from './output.js';
import { releaseInStatus } from './release.js';
import { callNamed, clientFor, sessionFor, settingsFor, type ReleaseSession } from './run.js';
import { entryFor, specFor } from '../catalogue/releases.js';
import { exitCodeFor } from './main.js';

/** The profile's nodes, or a usage error saying how to list them. */
function profileNodes(settings: Settings, flags: GlobalFlags, what: string): ClusterNode[] {
  if (flags.allNodes) throw new UsageError(`${what} works on every node of the profile already: leave out --all-nodes`);
  if (flags.url !== undefined) throw new UsageError(`${what} uses the nodes of the profile: leave out --url`);
  if (flags.dryRun) throw new UsageError(`--dry-run applies to ejabberd commands and batch, not to ${what}`);
  if (settings.nodes.length === 0) throw new UsageError(`${what} needs the nodes of a cluster: add nodes: to the profile, or set ECTL_NODES=name=url,...`);
  if (flags.node === undefined) return settings.nodes;
  return settings.nodes.filter((n) => n.name === flags.node);
}

/** One node's connection: its release session, and a way to call a command by position. */
interface NodeLink {
  session: ReleaseSession;
  call(name: string, values?: (string | number)[]): Promise<ResultValue>;
  close(): Promise<void>;
}

function linkTo(settings: Settings, node: ClusterNode, io: Io): NodeLink {
  const s = settingsForNode(settings, node);
  const client = clientFor(s);
  const session = sessionFor(client, s, io);
  return {
    session,
    call: (name, values = []) => callNamed(session, name, (spec) => Object.fromEntries(spec.args.map((a, i) => [a.name, values[i]]))),
    close: () => client.close(),
  };
}

/** A node's list_cluster (atoms as text), sorted. */
async function members(link: NodeLink): Promise<string[]> {
  return ((await link.call('list_cluster')) as ResultValue[]).map(String).sort();
}

/** How a node's list_cluster differs from the profile's node names ('' when it agrees). */
export function clusterDisagreement(listed: readonly string[], profile: readonly string[]): string {
  const extra = listed.filter((n) => !profile.includes(n));
  const missing = profile.filter((n) => !listed.includes(n));
  const parts: string[] = [];
  if (extra.length) parts.push(`not in the profile: ${extra.join(', ')}`);
  if (missing.length) parts.push(`not in its cluster: ${missing.join(', ')}`);
  return parts.join('; ');
}

const CLUSTER_FIELDS: Field[] = [
  { name: 'node', type: 'string' },
  { name: 'url', type: 'string' },
  { name: 'reachable', type: 'string' },
  { name: 'release', type: 'string' },
  { name: 'uptime', type: 'integer' },
  { name: 'online_users', type: 'integer' },
  { name: 'list_cluster', type: 'string' },
];

/** The records `ectl cluster` prints, laid out like a command's list of records. */
const CLUSTER_SPEC: CommandSpec = {
  name: 'cluster', summary: '', details: '', args: [], tags: [], module: null, example: [], since: null,
  result: { name: 'nodes', type: { list: { name: 'node', type: { tuple: CLUSTER_FIELDS } } }, description: '' },
};

interface NodeReport {
  release: string;
  uptime: number;
  online: number;
  listed: string[];
}

async function inspect(link: NodeLink): Promise<NodeReport> {
  const status = String(await link.call('status'));
  const [uptime, online, listed] = await Promise.all([link.call('stats', ['uptimeseconds']), link.call('stats', ['onlineusersnode']), members(link)]);
  return { release: releaseInStatus(status) ?? '', uptime: Number(uptime), online: Number(online), listed };
}

export async function clusterCommand(flags: GlobalFlags, io: Io): Promise<number> {
  const settings = await settingsFor(flags, io);
  const nodes = profileNodes(settings, flags, 'ectl cluster');
  const names = settings.nodes.map((n) => n.name);
  const outcomes = await onEveryNode(nodes, async (node) => {
    const link = linkTo(settings, node, io);
    try {
      return await inspect(link);
    } finally {
      await link.close();
    }
  });
  const rows = outcomes.map((o) => {
    const base = { node: o.node.name, url: o.node.url };
    if (!o.ok) return { ...base, reachable: o.error instanceof UnreachableError ? 'no' : 'yes', release: '', uptime: '', online_users: '', list_cluster: '' };
    const differs = clusterDisagreement(o.result.listed, names);
    return { ...base, reachable: 'yes', release: o.result.release, uptime: o.result.uptime, online_users: o.result.online, list_cluster: differs ? `differs: ${differs}` : 'agrees' };
  });
  await writeResult(CLUSTER_SPEC, rows as unknown as ResultValue, settings, io);
  const failed = await reportNodeErrors(outcomes, flags, io);
  if (failed) return failed;
  return rows.some((r) => r.list_cluster !== 'agrees') ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Rolling restart

export interface RollingOptions {
  /** Seconds a node has to go down and come back. */
  waitS: number;
  /** restart_kindly's delay and announcement. */
  delayS: number;
  message?: string;
}

const POLL_MS = 500;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether a command exists over HTTP in the release the session speaks. */
function releaseHas(link: NodeLink, name: string): boolean {
  try {
    specFor(entryFor(name)!, link.session.choice.release);
    return true;
  } catch {
    return false;
  }
}

/** The node's status when it answers as a started ejabberd, else undefined. */
async function answers(settings: Settings, node: ClusterNode, io: Io): Promise<NodeLink | undefined> {
  const link = linkTo(settings, node, io);
  try {
    const status = String(await link.call('status'));
    if (/ is started/.test(status) && / is running in that node/.test(status)) return link;
  } catch { /* not yet */ }
  await link.close();
  return undefined;
}

export async function rollingRestart(flags: GlobalFlags, io: Io, opts: RollingOptions): Promise<number> {
  const settings = await settingsFor(flags, io);
  const nodes = profileNodes(settings, flags, 'ectl rolling-restart');
  const say = (text: string) => io.stdout.write(`${escapeControls(text)}\n`);
  const started = Date.now();
  // Every node must answer first: restarting one while another is down could leave none.
  const before = await onEveryNode(settings.nodes, async (node) => {
    const link = linkTo(settings, node, io);
    try {
      return await members(link);
    } finally {
      await link.close();
    }
  });
  if (before.some((o) => !o.ok)) {
    say('not restarting anything: every node must answer first');
    return reportNodeErrors(before, flags, io);
  }
  for (const node of nodes) {
    const t0 = Date.now();
    const link = linkTo(settings, node, io);
    let kindly: boolean;
    try {
      await link.session.settle();
      kindly = releaseHas(link, 'restart_kindly');
      const release = link.session.choice.reported ?? link.session.choice.release;
      say(kindly ? `${node.name}: restart_kindly (${opts.delayS} s warning to its users)` : `${node.name}: restart (ejabberd ${release} has no restart_kindly)`);
      try {
        if (kindly) await link.call('restart_kindly', [opts.delayS, opts.message ?? `This server restarts in ${opts.delayS} seconds`]);
        else await link.call('restart');
      } catch (err) {
        // The node going down may cut the reply: the restart was asked for all the same.
        if (!(err instanceof UnreachableError) || err.notSent) throw err;
      }
    } catch (err) {
      return stopped(io, flags, node, nodes, err, 'could not be restarted');
    } finally {
      await link.close();
    }
    const deadline = t0 + (opts.waitS + (kindly ? opts.delayS : 0)) * 1000;
    // First it goes down (its API stops answering), then it comes back.
    let down = false;
    while (!down && Date.now() < deadline) {
      const up = await answers(settings, node, io);
      if (up) await up.close();
      else down = true;
      if (!down) await sleep(POLL_MS);
    }
    if (!down) return stopped(io, flags, node, nodes, new UnreachableError(`it still answers after ${opts.waitS} s: it did not restart`), 'did not restart');
    const downAt = Date.now();
    let back: string | undefined;
    const others = settings.nodes.filter((n) => n.name !== node.name);
    while (back === undefined && Date.now() < deadline) {
      await sleep(POLL_MS);
      const up = await answers(settings, node, io);
      if (!up) continue;
      try {
        const listed = await members(up);
        const want = (before.find((o) => o.node.name === node.name) as { result: string[] }).result;
        // Back in the cluster: it lists the members it had, and one of the others lists it.
        if (listed.join() !== want.join()) continue;
        if (others.length === 0) back = '';
        for (const other of others) {
          const o = linkTo(settings, other, io);
          try {
            if ((await members(o)).includes(node.name) || !want.includes(node.name)) back = ` and in the list_cluster of ${other.name}`;
          } catch { /* ask the next one */ } finally {
            await o.close();
          }
          if (back !== undefined) break;
        }
      } catch { /* not yet */ } finally {
        await up.close();
      }
    }
    if (back === undefined) {
      const err = new UnreachableError(`it was not back in the cluster within ${opts.waitS} s of the restart`);
      return stopped(io, flags, node, nodes, err, 'did not come back');
    }
    say(`${node.name}: down after ${((downAt - t0) / 1000).toFixed(1)} s, answering again${back} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  say(`rolling restart done: ${nodes.length} node${nodes.length === 1 ? '' : 's'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return 0;
}

/** Ends a rolling restart at a node: says which, and which nodes were left alone. */
async function stopped(io: Io, flags: GlobalFlags, node: ClusterNode, nodes: readonly ClusterNode[], err: unknown, what: string): Promise<number> {
  const rest = nodes.slice(nodes.indexOf(node) + 1).map((n) => n.name);
  const error = err instanceof EctlError ? err : new CommandFailedError(String((err as Error)?.message ?? err));
  error.message = `${error.message}; rolling restart stopped${rest.length ? `, not restarted: ${rest.join(', ')}` : ''}`;
  io.stdout.write(`${escapeControls(`${node.name}: ${what}`)}\n`);
  return (await reportNodeErrors([{ node, ok: false, error }], flags, io)) || exitCodeFor(error);
}
