// carehub console: one device, live values and trend charts (uPlot) from the store.
'use strict';
(function () {
  const { boot, S, fmt, el, time, live } = window.carehub;
  const charts = document.getElementById('charts');
  const msg = document.getElementById('msg');
  const COLOURS = ['#1a5fb4', '#c01c28', '#26a269', '#9141ac', '#a51d2d', '#e66100'];
  let range = '1h';
  let plots = [];

  live((s) => {
    const d = (s.devices || []).find((x) => x.id === boot.device);
    if (!d) return;
    const rows = [[S.link, d.link], [S.battery, d.battery === null || d.battery === undefined ? '–' : d.battery + ' %'], [S.lastSeen, time(d.lastSeen)]];
    for (const [m, v] of Object.entries(d.last || {})) rows.push([m, v.value + ' ' + v.unit]);
    document.getElementById('live').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
  });

  function limitSeries(limits, xs) {
    const out = [];
    for (const v of [...(limits.low || []), ...(limits.high || [])]) out.push({ label: S.limits + ' ' + v, values: xs.map(() => v) });
    return out;
  }

  function chart(metric, series, limits, win) {
    const width = Math.max(280, Math.min(charts.clientWidth || 800, 1000));
    // the whole requested window on the x axis: the limit lines span it even with few points
    const xs = [win.from, ...series.t, win.to];
    const ys = [null, ...series.avg, null];
    const lims = limitSeries(limits || {}, xs);
    const box = el('figure', { class: 'chart', 'data-metric': metric, 'data-points': series.t.length });
    box.append(el('figcaption', { text: metric + ' (' + series.unit + ')' }));
    const lo = limits && limits.low && limits.low[0];
    const hi = limits && limits.high && limits.high[0];
    if (metric === 'glucose' && lo !== undefined && hi !== undefined && series.avg.length) {
      const inRange = series.avg.filter((v) => v >= lo && v <= hi).length;
      box.append(el('p', { class: 'tir', text: fmt('timeInRange', { lo, hi, pct: Math.round((inRange / series.avg.length) * 100) }) }));
    }
    charts.append(box);
    const opts = {
      width, height: 220,
      series: [{}, { label: metric, stroke: COLOURS[0], width: 2, points: { show: series.t.length < 200 } },
        ...lims.map((l, i) => ({ label: l.label, stroke: COLOURS[(i + 1) % COLOURS.length], dash: [6, 4], width: 1, points: { show: false } }))],
      scales: { x: { time: true, range: [win.from, win.to] } },
      axes: [{}, { label: series.unit }],
      legend: { show: true },
    };
    plots.push(new uPlot(opts, [xs, ys, ...lims.map((l) => l.values)], box));
  }

  let seq = 0;
  async function load() {
    const mine = ++seq;
    msg.textContent = '';
    for (const p of plots) p.destroy();
    plots = [];
    charts.replaceChildren();
    for (const b of document.querySelectorAll('[data-range]')) b.setAttribute('aria-pressed', String(b.dataset.range === range));
    const r = await fetch('/api/devices/' + encodeURIComponent(boot.device) + '/trend?range=' + range, { credentials: 'same-origin' });
    const out = await r.json().catch(() => ({}));
    if (mine !== seq) return; // a newer choice of range is on its way
    if (!r.ok) { msg.textContent = fmt('failed', { e: out.error || r.statusText }); return; }
    const metrics = Object.entries(out.metrics || {});
    if (!metrics.length) { msg.textContent = S.noData; return; }
    const win = { from: out.from / 1000, to: out.to / 1000 };
    for (const [m, s] of metrics) chart(m, s, boot.limits[m], win);
  }

  for (const b of document.querySelectorAll('[data-range]')) b.addEventListener('click', () => { range = b.dataset.range; void load(); });
  void load();

  // Live waveforms: shown only when the device forwards them; polled twice a second while visible.
  const wavesBox = document.getElementById('waves');
  const wavePlots = new Map();
  function drawWave(metric, w, now) {
    // x: seconds before now, so the trace scrolls left as new samples arrive
    const xs = w.samples.map((_, i) => (w.t0 + i * w.periodMs - now) / 1000);
    let p = wavePlots.get(metric);
    if (!p) {
      const box = el('figure', { class: 'chart wave', 'data-metric': metric });
      box.append(el('figcaption', { text: metric + ' (' + w.unit + ')' }));
      wavesBox.append(box);
      const width = Math.max(280, Math.min(wavesBox.clientWidth || 800, 1000));
      p = new uPlot({
        width, height: 160, legend: { show: false },
        series: [{}, { label: metric, stroke: COLOURS[wavePlots.size % COLOURS.length], width: 1.5, points: { show: false } }],
        scales: { x: { time: false, range: [-10, 0] } },
        axes: [{ label: 's' }, { label: w.unit }],
      }, [xs, w.samples], box);
      wavePlots.set(metric, p);
    } else p.setData([xs, w.samples]);
    p.root.parentElement.dataset.points = String(w.samples.length);
  }
  let polling = false;
  async function pollWaves() {
    if (document.hidden || polling) return;
    polling = true;
    const r = await fetch('/api/devices/' + encodeURIComponent(boot.device) + '/waveform', { credentials: 'same-origin' }).catch(() => null).finally(() => { polling = false; });
    if (!r || !r.ok) return;
    const out = await r.json().catch(() => null);
    if (!out) return;
    const waves = Object.entries(out.waves || {});
    if (!waves.length) return;
    document.getElementById('waves-s').hidden = false;
    for (const [m, w] of waves) drawWave(m, w, out.now);
  }
  void pollWaves();
  setInterval(() => { void pollWaves(); }, 500);
})();
