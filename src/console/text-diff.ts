/** One line of a line diff: kept (' '), removed ('-') or added ('+'), with its line numbers. */
export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
  /** Line in the old text (kept, removed) and in the new text (kept, added). */
  a?: number;
  b?: number;
}

/** Cells of the LCS table at most (the middle of two 2,000-line files); beyond, the middle is shown replaced. */
export const MAX_DIFF_CELLS = 4_000_000;
/** Unchanged lines shown around a change. */
const CONTEXT = 3;

/**
 * A line diff of two texts, changes with CONTEXT lines around them (hunks separated by a `…` line).
 * Common head and tail are cut first; the rest is a longest-common-subsequence diff, bounded by
 * MAX_DIFF_CELLS (a larger middle is shown as all removed, then all added).
 */
export function lineDiff(oldText: string, newText: string): DiffLine[] {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const all: DiffLine[] = [];
  for (let i = 0; i < head; i++) all.push({ op: ' ', text: a[i]!, a: i + 1, b: i + 1 });
  for (const d of middle(am, bm)) all.push({ ...d, ...(d.a !== undefined ? { a: d.a + head } : {}), ...(d.b !== undefined ? { b: d.b + head } : {}) });
  for (let i = tail; i > 0; i--) all.push({ op: ' ', text: a[a.length - i]!, a: a.length - i + 1, b: b.length - i + 1 });
  return withContext(all);
}

function middle(a: string[], b: string[]): DiffLine[] {
  if ((a.length + 1) * (b.length + 1) > MAX_DIFF_CELLS) {
    return [...a.map((text, i): DiffLine => ({ op: '-', text, a: i + 1 })), ...b.map((text, j): DiffLine => ({ op: '+', text, b: j + 1 }))];
  }
  const w = b.length + 1;
  const len = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      len[i * w + j] = a[i] === b[j] ? len[(i + 1) * w + j + 1]! + 1 : Math.max(len[(i + 1) * w + j]!, len[i * w + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) { out.push({ op: ' ', text: a[i]!, a: i + 1, b: j + 1 }); i++; j++; }
    else if (i < a.length && (j === b.length || len[(i + 1) * w + j]! >= len[i * w + j + 1]!)) { out.push({ op: '-', text: a[i]!, a: i + 1 }); i++; }
    else { out.push({ op: '+', text: b[j]!, b: j + 1 }); j++; }
  }
  return out;
}

function withContext(all: DiffLine[]): DiffLine[] {
  const keep = new Uint8Array(all.length);
  all.forEach((d, i) => {
    if (d.op === ' ') return;
    for (let k = Math.max(0, i - CONTEXT); k <= Math.min(all.length - 1, i + CONTEXT); k++) keep[k] = 1;
  });
  const out: DiffLine[] = [];
  let gap = false;
  all.forEach((d, i) => {
    if (keep[i]) {
      if (gap && out.length) out.push({ op: ' ', text: '…' });
      out.push(d);
      gap = false;
    } else gap = true;
  });
  return out;
}
