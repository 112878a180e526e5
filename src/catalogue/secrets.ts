// Arguments and result fields that hold secrets: shown as *** in --verbose, --dry-run and errors.
const SECRET_NAMES = new Set(['password', 'newpass', 'passwordhash', 'secret', 'token']);

export function isSecretName(name: string): boolean {
  return SECRET_NAMES.has(name);
}

/** A copy of a JSON text with the values of secret fields (at any depth) replaced by ***. */
export function redactJson(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, isSecretName(k) ? '***' : walk(x)]));
    }
    return v;
  };
  return JSON.stringify(walk(value));
}
