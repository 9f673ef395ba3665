// carehub console: the pairing wizard (scan → pair → passkey when asked → first reading → save; serial port → first frame → save).
'use strict';
(function () {
  const { S, fmt, el, post } = window.carehub;
  const $ = (id) => document.getElementById(id);
  const progress = $('progress');
  const error = $('error');
  let timer = null;
  let lastSay = '';
  const say = (text) => { if (text !== lastSay) { progress.textContent = text; lastSay = text; } };
  const fail = (e) => { error.textContent = e ? String(e) : ''; };
  const label = (t) => (t ? (t.name || t.address || t.path || '') + ' (' + t.kind + ')' : '');

  async function poll() {
    const r = await fetch('/api/wizard', { credentials: 'same-origin' });
    if (!r.ok) throw new Error(r.statusText);
    return r.json();
  }

  function renderScan(scan) {
    $('scan').disabled = scan.running;
    const rows = scan.rows.map((d) => {
      const paired = d.configured ? fmt('configuredAs', { id: d.configured }) : (S['bond_' + d.bond] || d.bond);
      const btn = d.configured ? '' : el('button', { type: 'button', 'data-address': d.address, 'aria-label': S.choose + ' ' + (d.name || d.address), onclick: () => pair(d.address, '') }, S.choose);
      // one cell for kind, name, address and the button: the row fits a phone's width
      return el('tr', { 'data-address': d.address, 'data-kind': d.kind },
        el('td', {}, el('strong', { text: d.name || d.address }), el('br'), el('span', { class: 'kind', text: d.kind + ' · ' + d.address }), btn ? el('br') : null, btn),
        el('td', { class: 'rssi', text: d.rssi + ' dBm' }), el('td', { class: 'paired' + (d.configured || d.bond === 'bonded' ? ' ok' : ''), text: paired }));
    });
    document.querySelector('#scanlist tbody').replaceChildren(...rows);
  }

  function renderJob(job) {
    const busy = job.state === 'pairing' || job.state === 'reading';
    for (const b of document.querySelectorAll('#scanlist button, #serial-form button, #passkey-form button')) b.disabled = busy;
    $('passkey-form').hidden = job.state !== 'needs_passkey';
    $('display').textContent = job.target && job.target.display ? fmt('simDisplay', { p: job.target.display }) : '';
    const show = job.state === 'ready' || job.state === 'saved';
    $('result').hidden = !show;
    if (job.state === 'pairing') say(fmt('pairingWith', { t: label(job.target) }));
    else if (job.state === 'reading') say(S.waitingReading);
    else if (job.state === 'needs_passkey') say(S.passkeyAsk);
    else if (job.state === 'ready') say(job.reading.length ? S.readyReading : fmt('readyNoReading', { e: job.note || '' }));
    else if (job.state === 'saved') say(fmt('savedRestart', { id: job.saved.id, f: job.saved.file }));
    if (job.state === 'failed' || (job.state === 'needs_passkey' && job.error)) fail(fmt('notPaired', { e: job.error || '' }));
    if (!show) return;
    $('target').textContent = label(job.target);
    $('info').textContent = job.info ? fmt('deviceInfo', { i: job.info }) : '';
    $('reading').replaceChildren(...job.reading.flatMap((m) => [el('dt', { text: m.metric }), el('dd', { 'data-metric': m.metric, text: m.value + (m.unit ? ' ' + m.unit : '') })]));
    $('note').textContent = job.note || '';
    $('save-form').hidden = job.state === 'saved';
    $('saved').textContent = job.state === 'saved' ? fmt('savedRestart', { id: job.saved.id, f: job.saved.file }) : '';
    const restart = $('restart-box') || $('restart-how');
    if (restart) restart.hidden = job.state !== 'saved';
  }

  function render(v) {
    renderScan(v.scan);
    renderJob(v.job);
    if (v.scan.running) say(S.scanning);
    else if (v.job.state === 'idle' && v.scan.at) say(v.scan.rows.length ? fmt('scanDone', { n: v.scan.rows.length }) : S.noneFound);
    if (v.scan.problems.length) fail(v.scan.problems.join('; '));
    const busy = v.scan.running || v.job.state === 'pairing' || v.job.state === 'reading';
    clearTimeout(timer);
    if (busy) timer = setTimeout(() => refresh(), 600);
  }

  async function refresh() {
    try { render(await poll()); } catch (e) { fail(e.message); timer = setTimeout(() => refresh(), 2000); }
  }

  async function act(path, body) {
    fail('');
    try { render(await post(path, body)); } catch (e) { fail(e.message); }
  }

  function pair(address, passkey) {
    $('passkey-form').dataset.address = address;
    return act('/api/wizard/pair', { address, passkey });
  }

  $('scan').addEventListener('click', () => act('/api/wizard/scan', { seconds: 6 }));
  $('passkey-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = $('passkey');
    const key = input.value.trim();
    input.value = ''; // the passkey is not kept in the page either
    pair($('passkey-form').dataset.address || '', key);
  });
  $('ports').addEventListener('click', async () => {
    fail('');
    try {
      const r = await fetch('/api/wizard/ports', { credentials: 'same-origin' });
      const { ports } = await r.json();
      const sel = $('port');
      sel.replaceChildren(el('option', { value: '', text: '—' }), ...ports.map((p) => el('option', { value: p.path, disabled: Boolean(p.configured), text: p.path + (p.configured ? ' (' + fmt('inUse', { id: p.configured }) + ')' : '') })));
      if (!ports.length) say(S.noPorts);
    } catch (e) { fail(e.message); }
  });
  $('serial-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const path = $('path').value.trim() || $('port').value;
    act('/api/wizard/serial', { path, protocol: $('protocol').value });
  });
  $('save-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    act('/api/wizard/save', { id: $('devid').value.trim() });
  });
  $('reset').addEventListener('click', () => act('/api/wizard/reset'));
  refresh();
})();
