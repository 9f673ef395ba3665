import { describe, expect, it } from 'vitest';
import type { AlarmEvent } from '../../src/alarms/types.js';
import { HISTORY_PAGE_MAX, HISTORY_SCAN_MAX, historyPage, parseHistoryFilter } from '../../src/console/alarm-history.js';
import { redactText } from '../../src/console/config-edit.js';
import { lineDiff, MAX_DIFF_CELLS } from '../../src/console/text-diff.js';

describe('configuration diff and redaction', () => {
  it('a line diff shows the changed lines with their numbers and 3 lines of context, hunks apart', () => {
    const a = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const b = [...a];
    b[4] = 'line five';
    b.splice(20, 1);
    const d = lineDiff(a.join('\n'), b.join('\n'));
    expect(d.filter((x) => x.op !== ' ')).toEqual([
      { op: '-', text: 'line 5', a: 5 }, { op: '+', text: 'line five', b: 5 }, { op: '-', text: 'line 21', a: 21 },
    ]);
    expect(d.some((x) => x.text === '…')).toBe(true);
    expect(d.some((x) => x.text === 'line 12')).toBe(false);
    expect(lineDiff('same\n', 'same\n')).toEqual([]);
  });

  it(`a middle larger than ${MAX_DIFF_CELLS} cells is shown as replaced, not computed`, () => {
    const a = Array.from({ length: 2100 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 2100 }, (_, i) => `b${i}`).join('\n');
    const d = lineDiff(a, b);
    expect(d.filter((x) => x.op === '-')).toHaveLength(2100);
    expect(d.filter((x) => x.op === '+')).toHaveLength(2100);
  });

  it('passwords inside URLs are redacted; users, hosts and credential file names are not', () => {
    const t = 'url: mqtts://hub7:pa55w0rd@broker.example:8883\ncredentialsFile: /etc/carehub/mqtt.cred\nfhir: https://h.example/fhir/Patient/123\n';
    const r = redactText(t);
    expect(r).toContain('mqtts://hub7:***@broker.example:8883');
    expect(r).not.toContain('pa55w0rd');
    expect(r).toContain('/etc/carehub/mqtt.cred');
    expect(r).toContain('Patient/123');
  });
});

describe('alarm history query', () => {
  const ev = (i: number, over: Partial<AlarmEvent> = {}): AlarmEvent => ({
    v: 1, hub: 'h', id: `e${i}`, alarm: `a${i}`, event: 'raised', priority: 'medium', category: 'technical', condition: 'c', device: 'oxi-1',
    metric: null, value: null, limit: null, t: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), text: 't', ...over,
  });

  it(`reads at most the newest ${HISTORY_SCAN_MAX} events whatever the store holds, and says so`, () => {
    let asked = 0;
    const read = (limit: number): AlarmEvent[] => { asked = limit; return Array.from({ length: limit }, (_, i) => ev(i)); };
    const f = parseHistoryFilter(new URLSearchParams('size=100&page=2'));
    if (typeof f === 'string') throw new Error(f);
    const p = historyPage(read, f);
    expect(asked).toBe(HISTORY_SCAN_MAX);
    expect(p).toMatchObject({ total: HISTORY_SCAN_MAX, scanned: HISTORY_SCAN_MAX, truncated: true });
    expect(p.events.map((e) => e.id)[0]).toBe('e200');
    expect(p.events).toHaveLength(HISTORY_PAGE_MAX);
  });

  it('filters combine: priority, category, device, [from, to)', () => {
    const all = [ev(1, { priority: 'high' }), ev(2, { category: 'physiological' }), ev(3, { device: 'cgm-1' }), ev(4), ev(5)];
    const f = parseHistoryFilter(new URLSearchParams({ priority: 'medium', category: 'technical', device: 'oxi-1', from: all[3]!.t, to: all[4]!.t }));
    if (typeof f === 'string') throw new Error(f);
    expect(historyPage(() => all, f).events.map((e) => e.id)).toEqual(['e4']);
    expect(parseHistoryFilter(new URLSearchParams('category=other'))).toMatch(/category is one of/);
    expect(parseHistoryFilter(new URLSearchParams('from=yesterday'))).toMatch(/^from:/);
    expect(parseHistoryFilter(new URLSearchParams('size=0'))).toMatch(/^size:/);
  });
});
