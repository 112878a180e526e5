// What the caller (src/cli) decides about the output device; formatters never look themselves.
export interface FormatOptions {
  /** ANSI colour and bold in tables. */
  readonly color: boolean;
  /** Terminal columns a table must fit in; Infinity for no limit. */
  readonly width: number;
  /** Indented JSON (for a person at a terminal) rather than one compact line. */
  readonly pretty: boolean;
  /** Rows rendered per output chunk; large results stream in chunks of this many rows. */
  readonly chunkRows?: number;
}

export const DEFAULT_CHUNK_ROWS = 1000;

export const PLAIN: FormatOptions = { color: false, width: Infinity, pretty: false };
