// carehub console: self-test of annunciators, broker, BLE adapter and serial ports.
'use strict';
(function () {
  const { S, fmt, el, post } = window.carehub;
  const msg = document.getElementById('msg');
  document.getElementById('selftest').addEventListener('click', async (ev) => {
    ev.target.disabled = true;
    msg.textContent = '';
    try {
      const { checks } = await post('/api/diagnostics/selftest');
      document.querySelector('#checks tbody').replaceChildren(...checks.map((c) => el('tr', { 'data-check': c.name },
        el('td', { text: c.name }), el('td', { class: c.ok ? 'ok' : 'error', text: c.ok ? S.passed : S.notPassed }),
        el('td', { text: c.detail + (c.ports && c.ports.length ? ': ' + c.ports.map((p) => p.path).join(', ') : '') }))));
    } catch (e) {
      msg.textContent = fmt('failed', { e: e.message });
    } finally {
      ev.target.disabled = false;
    }
  });
})();
