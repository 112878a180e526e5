// JSON.parse that keeps integers beyond 2^53 exact. Erlang integers have no size limit, and
// ejabberd sends them as plain JSON numbers; JSON.parse would round 18446744073709551615 to
// 18446744073709552000. Such integers become bigints; every other number stays a number.

// Every integer of at most 15 digits is safe, so a reply without a 16-digit run takes JSON.parse alone.
const LONG_DIGITS = /\d{16}/;
// A JSON string (skipped whole, so that digits inside strings are left alone) or a number.
const STRING_OR_NUMBER = /"[^"\\]*(?:\\.[^"\\]*)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const INTEGER = /^-?\d+$/;

/** Parses JSON text; integers outside Number's safe range come back as bigints. Throws like JSON.parse. */
export function parseJsonExact(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  // Unsafe integers are swapped for marked strings, which the reviver turns into bigints. The
  // mark holds a random part, so that no string the server sends can pass for one.
  const mark = `\u0000${Math.random().toString(36).slice(2)}:`;
  let found = false;
  const marked = text.replace(STRING_OR_NUMBER, (token) => {
    if (token[0] === '"' || !INTEGER.test(token) || Number.isSafeInteger(Number(token))) return token;
    found = true;
    return JSON.stringify(mark + token);
  });
  if (!found) return JSON.parse(text);
  return JSON.parse(marked, (_key, value: unknown) => (typeof value === 'string' && value.startsWith(mark) ? BigInt(value.slice(mark.length)) : value));
}

/** An integer from its decimal text: a number when that is exact, else a bigint. */
export function exactInteger(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}
