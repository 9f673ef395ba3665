/**
 * Canonical JSON, the bytes a command signature covers (docs/COMMANDS.md):
 * - objects: members sorted by key (JavaScript string order: UTF-16 code units), written
 *   `{"k":v,...}` with no whitespace; arrays in their order; no whitespace anywhere;
 * - strings, numbers, true/false/null exactly as JSON.stringify writes them (ECMAScript
 *   Number-to-String for numbers, so 1.0 is `1` and 1e21 is `1e+21`);
 * - the top-level member `sig` is left out (it holds the signature).
 * The result is UTF-8 encoded before signing.
 */
export function canonicalJson(value: unknown, omitTopLevel: readonly string[] = ['sig']): string {
  return write(value, omitTopLevel);
}

function write(v: unknown, omit: readonly string[]): string {
  if (Array.isArray(v)) return `[${v.map((x) => write(x, [])).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined && !omit.includes(k)).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${write(obj[k], [])}`).join(',')}}`;
  }
  const s = JSON.stringify(v);
  if (s === undefined) throw new Error(`not representable in JSON: ${typeof v}`);
  return s;
}
