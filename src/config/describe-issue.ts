import type { z } from 'zod';

/**
 * One zod issue as a sentence a technician can act on: what was expected and what was found,
 * e.g. `expected number, got string "thirty"` or `at most 600 (got 99999)`. "required" is
 * kept for a key that is truly missing. Found values are shown short, URLs without credentials.
 */
export function describeIssue(i: z.core.$ZodIssue): string {
  const input: unknown = i.input;
  switch (i.code) {
    case 'invalid_type':
      if (input === undefined) return `required (${i.expected})`;
      return `expected ${i.expected}, got ${found(input)}`;
    case 'too_big':
      return `${i.origin === 'array' || i.origin === 'set' ? `at most ${String(i.maximum)} items` : i.origin === 'string' ? `at most ${String(i.maximum)} characters` : `at most ${String(i.maximum)}`}${i.inclusive === false ? ' (exclusive)' : ''} (got ${measure(i.origin, input)})`;
    case 'too_small':
      return `${i.origin === 'array' || i.origin === 'set' ? `at least ${String(i.minimum)} items` : i.origin === 'string' ? `at least ${String(i.minimum)} characters` : `at least ${String(i.minimum)}`}${i.inclusive === false ? ' (exclusive)' : ''} (got ${measure(i.origin, input)})`;
    case 'invalid_value':
      return `expected ${i.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${found(input)}`;
    case 'invalid_union': {
      // a branch whose type matched failed on its own rule: that rule is the answer
      const matched = i.errors.find((branch) => branch.length > 0 && branch.every((e) => e.code !== 'invalid_type' && e.code !== 'invalid_value'));
      const first = matched?.[0];
      if (first) return describeIssue({ ...first, input } as z.core.$ZodIssue);
      if (input === undefined) return 'required';
      const expected = [...new Set(i.errors.flatMap((b) => b.flatMap((e) => (e.code === 'invalid_type' ? [e.expected] : e.code === 'invalid_value' ? e.values.map((v) => JSON.stringify(v)) : []))))];
      return `expected ${expected.join(' or ') || 'another value'}, got ${found(input)}`;
    }
    case 'invalid_format':
      return `${i.message} (got ${found(input)})`;
    default:
      return i.message;
  }
}

function measure(origin: string, input: unknown): string {
  if ((origin === 'array' || origin === 'string') && (Array.isArray(input) || typeof input === 'string')) return String(input.length);
  return found(input);
}

/** `string "thirty"`, `null`, `boolean true`, `array`, `number 1e+32`. */
export function found(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  switch (typeof v) {
    case 'string': return `string ${short(JSON.stringify(v.replace(/\/\/[^@/\s]*@/, '//***@')))}`;
    case 'number': return `number ${String(v)}`;
    case 'boolean': return `boolean ${String(v)}`;
    case 'object': return 'a mapping';
    default: return typeof v;
  }
}

function short(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…"` : s;
}
