// The library entry point: `import { createClient } from 'ectl'`.
export { createClient, findCommand } from './client/client.js';
export type { Client, ClientOptions, CallOptions } from './client/client.js';
export type { CommandArgs, CommandResults, CommandName, Release, NewestRelease, ReleaseCommands } from './catalogue/command-types.js';
export type { CommandSpec, ArgSpec, ResultSpec, ValueType, ResultType, Field, CommandEntry, Definition } from './catalogue/types.js';
export { commands } from './catalogue/commands.js';
export { EctlError, UsageError, CommandFailedError, NoAnswer, UnreachableError, UnauthorizedError } from './errors.js';
export { formatText } from './format/text.js';
