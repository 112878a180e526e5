// The typed client: `createClient(options).call('register', {...})` or `client.register({...})`.
import type { Dispatcher } from 'undici';
import type { CommandArgs, CommandName, CommandResults, NewestRelease, Release } from '../catalogue/command-types.js';
import type { CommandSpec } from '../catalogue/types.js';
import { NEWEST_RELEASE, entryFor, pathVersion, specFor, type ReleaseSpec } from '../catalogue/releases.js';
import { knownRelease } from '../catalogue/resolve.js';
import { checkArguments, type JsonValue } from '../catalogue/args.js';
import { UsageError } from '../errors.js';
import { secretStrings } from '../catalogue/secrets.js';
import { SecretMask } from '../secret-mask.js';
import { credentialsOf, decodeSuccess, describeRequest, errorForReply, type Reply, type TransportOptions } from './request.js';
import { normaliseResult, type ResultValue } from './normalise.js';
// node:http itself is loaded only when a request is sent.
import { sendSingle } from './single-request.js';

export interface ClientOptions extends TransportOptions {
  /**
   * Send each request on a connection of its own with node:http instead of undici: quicker to
   * start for a program that makes one or two calls and exits (the ectl command line); ignored
   * when a dispatcher is given.
   */
  singleRequests?: boolean;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** The release this call speaks (the CLI's detected one); default: the client's. */
  release?: string;
  /** The release the server is known to run (given, cached or detected), named in error messages. */
  serverRelease?: string;
}

type CommandMethods<R extends Release> = {
  [K in CommandName<R>]: (args: CommandArgs<R>[K], options?: CallOptions) => Promise<CommandResults<R>[K]>;
};

/** A client typed for the commands of ejabberd release R (by default the newest). */
export type Client<R extends Release = NewestRelease> = CommandMethods<R> & ClientBase<R>;

interface ClientBase<R extends Release> {
  /** Calls a command by name with its named arguments. */
  call<K extends CommandName<R>>(command: K, args: CommandArgs<R>[K], options?: CallOptions): Promise<CommandResults<R>[K]>;
  /**
   * Sends an already checked JSON body for a command's definition (what the CLI uses); a
   * definition with an API version goes to `<url>/<command>/v<N>` on releases that read it.
   */
  send(spec: CommandSpec & Partial<Pick<ReleaseSpec, 'version' | 'renamedAway' | 'binaryResultFails'>>, body: Record<string, JsonValue>, options?: CallOptions): Promise<ResultValue>;
  /** The catalogue release this client speaks. */
  readonly release: string;
  /** Closes kept-alive connections. */
  close(): Promise<void>;
}

/** A command's definition in the newest release ectl knows, by ejabberd name or dashed spelling. */
export function findCommand(name: string): ReleaseSpec | undefined {
  const entry = entryFor(name);
  return entry && specFor(entry, NEWEST_RELEASE);
}

/** A server's error message with the secrets sent in the request (should it echo them) as ***. */
function withoutSecrets(err: Error, body: Record<string, JsonValue>, options: TransportOptions): Error {
  err.message = new SecretMask().add(...secretStrings(body)).addCredentials(options.user, options.password, options.token).mask(err.message);
  return err;
}

/** Why a call can fail with internal_error however it is made: a bug of that release's server. */
function knownFault(spec: { name: string; binaryResultFails?: true }, release: string): string | undefined {
  if (!spec.binaryResultFails) return undefined;
  return `ejabberd ${release}'s HTTP API cannot send '${spec.name}' results that are not empty (internal_error: its `
    + "mod_http_api cannot encode values declared 'binary', a bug fixed in ejabberd 25.03); ejabberdctl on the server shows them";
}

/** A client; `release` (e.g. '23.01') types its commands as that ejabberd release has them. */
export function createClient<R extends Release = NewestRelease>(options: ClientOptions & { release?: R }): Client<R> {
  let dispatcher: Dispatcher | undefined;
  let http: typeof import('./http.js') | undefined;
  // Without a release, the newest (what the types describe); a release ectl does not know speaks as the one before it.
  const release = options.release === undefined ? NEWEST_RELEASE : knownRelease(options.release);
  const send = async (spec: CommandSpec & Partial<Pick<ReleaseSpec, 'version' | 'renamedAway' | 'binaryResultFails'>>, body: Record<string, JsonValue>, call?: CallOptions): Promise<ResultValue> => {
    // A release given (to the client or the call) is named in the path; without one the server's default is used.
    const speaks = call?.release ?? (options.release === undefined ? undefined : release);
    const version = spec.version === undefined || speaks === undefined ? undefined : pathVersion(speaks, { version: spec.version });
    const req = describeRequest(options, spec.name, body, version, spec.renamedAway);
    let reply: Reply;
    const everyCall = options.signal;
    const signal = call?.signal === everyCall ? undefined : call?.signal;
    if (everyCall?.aborted) throw everyCall.reason;
    if (options.singleRequests && !options.dispatcher) {
      reply = await sendSingle(options, req, call?.signal ?? everyCall);
    } else {
      // undici is loaded on the first real call, not at start-up (help, usage errors, --dry-run).
      http ??= await import('./http.js');
      if (!dispatcher) {
        const made = (dispatcher = http.makeDispatcher(options));
        // The client's signal ends every request in flight by closing their connections.
        everyCall?.addEventListener('abort', () => { if (!options.dispatcher) made.destroy(everyCall.reason as Error).catch(() => {}); }, { once: true });
      }
      try {
        reply = await http.send(dispatcher, options, req, signal);
      } catch (err) {
        throw everyCall?.aborted ? everyCall.reason : err;
      }
    }
    if (reply.status !== 200) throw withoutSecrets(errorForReply(spec.name, reply, spec.module, { credentials: credentialsOf(options), args: body, release: call?.serverRelease ?? (options.release === undefined ? undefined : release), fault: knownFault(spec, call?.release ?? release) }), body, options);
    return normaliseResult(spec, decodeSuccess(spec.name, reply.text));
  };
  const call = (name: string, args: Record<string, unknown>, call?: CallOptions) => {
    const entry = entryFor(name);
    if (!entry) return Promise.reject(new UsageError(`unknown command '${name}'`));
    let spec: ReleaseSpec;
    let body: Record<string, JsonValue>;
    try {
      spec = specFor(entry, release, options.apiVersion);
      body = checkArguments(spec, args ?? {});
    } catch (e) {
      return Promise.reject(e);
    }
    return send(spec, body, call);
  };
  const base = {
    call,
    send,
    release,
    close: async () => {
      // After the client's signal, its connections are already closed (destroyed): nothing is left to close.
      if (dispatcher && !options.dispatcher) await dispatcher.close().catch((e: unknown) => { if (!options.signal?.aborted) throw e; });
      dispatcher = undefined;
    },
  };
  return new Proxy(base, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && !(prop in target) && entryFor(prop)) {
        return (args: Record<string, unknown>, o?: CallOptions) => call(prop, args, o);
      }
      return Reflect.get(target, prop, receiver);
    },
  }) as unknown as Client<R>;
}
