// Text from the server, from arguments or from input, made safe to show on a terminal: every
// character a terminal would act on (C0 and C1 controls, DEL, line and paragraph separators,
// bidirectional overrides) is written as an escape (`\x1b`, `\n`, `\u202e`), so that it can
// neither move the cursor, clear the screen, colour the text nor split a message into lines.

// What needs escaping (a superset of the ASCII test below: anything matching this is not plain).
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const PLAIN_ASCII = /^[\x20-\x7e]*$/;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Whether the text holds a character a terminal would act on. */
export function hasControls(text: string): boolean {
  UNSAFE.lastIndex = 0;
  return !PLAIN_ASCII.test(text) && UNSAFE.test(text);
}

/** The text with every control character escaped: one line, nothing a terminal acts on. */
export function escapeControls(text: string): string {
  if (PLAIN_ASCII.test(text)) return text;
  return text.replace(UNSAFE, escapeOne);
}

/** Like escapeControls but keeps line feeds and tabs, which only start a line or a column. */
export function escapeControlsKeepLayout(text: string): string {
  if (PLAIN_ASCII.test(text)) return text;
  return text.replace(UNSAFE, (c) => (c === '\n' || c === '\t' ? c : escapeOne(c)));
}

/** JSON text with the characters JSON.stringify leaves raw but a terminal acts on written as \u escapes. */
export function escapeJsonText(json: string): string {
  return json.replace(/[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
