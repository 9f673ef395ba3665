import type { AlarmCategory, AlarmEvent, Priority } from '../alarms/types.js';

/** Newest alarm events a history query reads from the store, at most (the filters apply to these). */
export const HISTORY_SCAN_MAX = 5000;
/** Events in one page of the history, at most. */
export const HISTORY_PAGE_MAX = 100;

const PRIORITIES: readonly Priority[] = ['high', 'medium', 'low'];
const CATEGORIES: readonly AlarmCategory[] = ['physiological', 'technical'];

export interface HistoryFilter {
  priority?: Priority;
  category?: AlarmCategory;
  device?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  page: number;
  size: number;
}

export interface HistoryPage {
  events: AlarmEvent[];
  page: number;
  size: number;
  /** Matching events among the ones read. */
  total: number;
  /** Events read from the store (the newest HISTORY_SCAN_MAX). */
  scanned: number;
  /** True when the store may hold older events than were read. */
  truncated: boolean;
}

/** The filter of a query string; a bad parameter is a message for a 400. */
export function parseHistoryFilter(q: URLSearchParams): HistoryFilter | string {
  const f: HistoryFilter = { page: 0, size: 50 };
  const priority = q.get('priority');
  if (priority) {
    if (!PRIORITIES.includes(priority as Priority)) return `priority is one of ${PRIORITIES.join(', ')}`;
    f.priority = priority as Priority;
  }
  const category = q.get('category');
  if (category) {
    if (!CATEGORIES.includes(category as AlarmCategory)) return `category is one of ${CATEGORIES.join(', ')}`;
    f.category = category as AlarmCategory;
  }
  const device = q.get('device');
  if (device) {
    if (device.length > 64) return 'device: at most 64 characters';
    f.device = device;
  }
  for (const k of ['from', 'to'] as const) {
    const v = q.get(k);
    if (!v) continue;
    const t = Date.parse(v);
    if (!Number.isFinite(t)) return `${k}: a date and time such as 2026-01-31T08:00`;
    f[k] = t;
  }
  if (f.from !== undefined && f.to !== undefined && f.from >= f.to) return 'from must be before to';
  for (const [k, max] of [['page', HISTORY_SCAN_MAX - 1], ['size', HISTORY_PAGE_MAX]] as const) {
    const v = q.get(k);
    if (v === null || v === '') continue;
    const n = Number(v);
    if (!Number.isInteger(n) || n < (k === 'size' ? 1 : 0) || n > max) return `${k}: a whole number from ${k === 'size' ? 1 : 0} to ${max}`;
    f[k] = n;
  }
  return f;
}

/**
 * One page of the alarm history, newest first: the newest HISTORY_SCAN_MAX events of the store
 * filtered by priority, category, device and time; bounded work per request whatever the store holds.
 */
export function historyPage(read: (limit: number) => AlarmEvent[], f: HistoryFilter): HistoryPage {
  const all = read(HISTORY_SCAN_MAX);
  const match = all.filter((e) => {
    if (f.priority && e.priority !== f.priority) return false;
    if (f.category && e.category !== f.category) return false;
    if (f.device && e.device !== f.device) return false;
    const t = Date.parse(e.t);
    if (f.from !== undefined && !(t >= f.from)) return false;
    if (f.to !== undefined && !(t < f.to)) return false;
    return true;
  });
  return {
    events: match.slice(f.page * f.size, (f.page + 1) * f.size),
    page: f.page,
    size: f.size,
    total: match.length,
    scanned: all.length,
    truncated: all.length >= HISTORY_SCAN_MAX,
  };
}
