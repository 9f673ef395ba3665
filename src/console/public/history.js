// carehub console: alarm history with filters, a page at a time.
'use strict';
(function () {
  const { S, fmt, el, time } = window.carehub;
  const form = document.getElementById('filter');
  const msg = document.getElementById('msg');
  const SIZE = 50;
  let page = 0;
  let total = 0;
  async function load() {
    const q = new URLSearchParams({ page: String(page), size: String(SIZE) });
    for (const [k, v] of new FormData(form)) {
      if (!v) continue;
      q.set(k, k === 'from' || k === 'to' ? new Date(String(v)).toISOString() : String(v));
    }
    const r = await fetch('/api/alarms/history?' + q, { credentials: 'same-origin' });
    const out = await r.json().catch(() => ({}));
    if (!r.ok) { msg.textContent = fmt('failed', { e: out.error || r.statusText }); return; }
    total = out.total;
    const body = document.querySelector('#history tbody');
    if (!out.events.length) body.replaceChildren(el('tr', {}, el('td', { colspan: 7, text: S.noEvents })));
    else body.replaceChildren(...out.events.map((e) => el('tr', { class: 'p-' + e.priority, 'data-event': e.id },
      el('td', { text: time(e.t) }), el('td', {}, el('span', { class: 'prio', text: e.priority })), el('td', { text: e.event }),
      el('td', { text: e.condition }), el('td', { text: e.device || '' }), el('td', { text: e.value === null ? '' : String(e.value) }), el('td', { text: e.text }))));
    const a = total ? page * SIZE + 1 : 0;
    msg.textContent = fmt('shown', { a, b: page * SIZE + out.events.length, n: total }) + (out.truncated ? ' · ' + fmt('scannedNote', { n: out.scanned }) : '');
    document.getElementById('newer').disabled = page === 0;
    document.getElementById('older').disabled = (page + 1) * SIZE >= total;
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); page = 0; void load(); });
  document.getElementById('newer').addEventListener('click', () => { page = Math.max(0, page - 1); void load(); });
  document.getElementById('older').addEventListener('click', () => { page++; void load(); });
  void load();
})();
