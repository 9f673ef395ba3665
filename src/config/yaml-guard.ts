import { isAlias, isCollection, isPair, isScalar, isSeq, visit, type Document, type Node } from 'yaml';
import type { LineIndex } from './line-index.js';

/**
 * Checks on the YAML text and document that must run before the document is turned into data:
 * a config file is small and flat, and anything else is a mistake or an attack.
 *  - nesting: the yaml parser recurses per flow level; thousands of `[` crash the process
 *    (10,000 in 20 kB ran V8 out of memory), so more than MAX_NESTING is refused unparsed;
 *  - aliases: an undefined alias, an alias inside its own anchor, and aliases that expand to
 *    more than MAX_ALIAS_EXPANSION nodes in total (the "billion laughs" bomb) are refused with
 *    the alias's path and line, before any expansion happens.
 */
export const MAX_NESTING = 64;
export const MAX_ALIAS_EXPANSION = 10_000;

export interface YamlProblem {
  path: string;
  message: string;
  line?: number;
}

/** Deepest run of `[`/`{`; counts every bracket outside comments, so it never under-counts. */
export function nestingProblem(text: string, lines: LineIndex): YamlProblem | null {
  let depth = 0;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) { comment = false; continue; }
    if (comment) continue;
    if (c === 35 /* # */ && (i === 0 || text.charCodeAt(i - 1) <= 32)) { comment = true; continue; }
    if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > MAX_NESTING) return { path: '(file)', message: `nested deeper than ${MAX_NESTING} levels of [ or {`, line: lines.line(i) };
    } else if ((c === 93 /* ] */ || c === 125 /* } */) && depth > 0) depth--;
  }
  return null;
}

/** Undefined, self-referencing and exploding aliases, each with its path and line. */
export function aliasProblems(doc: Document, lines: LineIndex): YamlProblem[] {
  const anchors = new Map<string, Node>();
  const size = new Map<Node, number>();
  const open = new Set<Node>();
  const problems: YamlProblem[] = [];
  let total = 0;

  const sizeOf = (n: unknown): number => {
    if (!n || typeof n !== 'object') return 1;
    if (isAlias(n)) {
      const target = anchors.get(n.source);
      return target ? sizeOf(target) : 1;
    }
    if (isPair(n)) return sizeOf(n.key) + sizeOf(n.value);
    if (!isCollection(n)) return 1;
    const known = size.get(n);
    if (known !== undefined) return known;
    if (open.has(n)) return Number.POSITIVE_INFINITY; // an alias inside its own anchor
    open.add(n);
    let s = 1;
    for (const item of n.items as unknown[]) { s += sizeOf(item); if (s > MAX_ALIAS_EXPANSION) break; }
    open.delete(n);
    size.set(n, s);
    return s;
  };

  visit(doc, {
    Node(_key, node, path) {
      if (isAlias(node)) {
        const where = { path: pathOf(path, node), line: node.range ? lines.line(node.range[0]) : undefined };
        const target = anchors.get(node.source);
        if (!target) {
          problems.push({ ...where, message: `undefined alias *${node.source} (the anchor &${node.source} must come before it)` });
          return visit.SKIP;
        }
        if (path.includes(target as never)) {
          problems.push({ ...where, message: `alias *${node.source} is inside its own anchor` });
          return visit.BREAK;
        }
        total += sizeOf(target);
        if (total > MAX_ALIAS_EXPANSION) {
          problems.push({ ...where, message: `aliases expand to more than ${MAX_ALIAS_EXPANSION} values (a YAML alias bomb?)` });
          return visit.BREAK;
        }
        return undefined;
      }
      if (node.anchor) anchors.set(node.anchor, node);
      return undefined;
    },
  });
  return problems;
}

/** `devices[2].options` style path of a node from the visitor's ancestry. */
function pathOf(path: readonly unknown[], node: unknown): string {
  const chain = [...path, node];
  let out = '';
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (isPair(parent) && child === parent.value) {
      const key = isScalar(parent.key) ? String(parent.key.value) : '?';
      out += out ? `.${key}` : key;
    } else if (isSeq(parent)) {
      out += `[${(parent.items as unknown[]).indexOf(child)}]`;
    }
  }
  return out || '(root)';
}

