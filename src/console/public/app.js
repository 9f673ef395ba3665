// carehub console: the overview (alarms, devices, hub), live.
'use strict';
(function () {
  const { boot, S, fmt, el, time, post, live } = window.carehub;
  const tech = boot.role === 'technician';
  const msg = document.getElementById('msg');
  const say = (text) => { msg.textContent = text; };
  const act = (fn) => async (ev) => {
    ev.target.disabled = true;
    try { say(await fn()); } catch (e) { say(fmt('failed', { e: e.message })); } finally { ev.target.disabled = false; }
  };
  if (tech) {
    document.getElementById('pause').addEventListener('click', act(async () => fmt('audioPausedFor', { s: (await post('/api/alarms/pause')).pausedForS })));
    document.getElementById('test').addEventListener('click', act(async () => fmt('alarmTestDone', { p: (await post('/api/alarms/test')).sounded.join(', ') })));
  }

  function alarms(list) {
    const body = document.querySelector('#alarms tbody');
    if (!list.length) { body.replaceChildren(el('tr', {}, el('td', { colspan: 6, text: S.noAlarms }))); return; }
    body.replaceChildren(...list.map((a) => {
      const state = el('td', {}, a.acknowledged ? el('span', { class: 'acked', text: S.acknowledged }) : null, a.latched ? el('span', { text: ' ' + S.latched }) : null);
      if (tech && !a.acknowledged) state.append(el('button', { type: 'button', class: 'ack', 'data-id': a.alarm, onclick: act(async () => { await post('/api/alarms/ack', { id: a.alarm }); return S.acknowledged + ': ' + a.condition; }), text: S.acknowledge }));
      return el('tr', { class: 'p-' + a.priority, 'data-alarm': a.alarm },
        el('td', {}, el('span', { class: 'prio', text: a.priority })), el('td', { text: a.condition }), el('td', { text: a.device || '' }),
        el('td', { text: a.text }), el('td', { text: time(a.since) }), state);
    }));
  }

  function devices(list) {
    document.querySelector('#devices tbody').replaceChildren(...list.map((d) => {
      const last = Object.entries(d.last || {}).map(([m, v]) => m + ' ' + v.value + ' ' + v.unit).join(', ');
      const rej = Object.entries(d.rejected || {}).map(([k, n]) => k + ' ' + n).join(', ');
      return el('tr', { 'data-device': d.id },
        el('td', {}, el('a', { href: '/device/' + encodeURIComponent(d.id), text: d.id })), el('td', { text: d.kind }),
        el('td', { class: 'link-' + d.link, text: d.link + (d.bond ? ' · ' + d.bond : ''), title: d.bond ? 'bond: ' + d.bond : null }), el('td', { text: d.battery === null || d.battery === undefined ? '–' : d.battery + ' %' }),
        el('td', { text: time(d.lastSeen) }), el('td', { text: last || '–' }), el('td', { text: rej || '0' }));
    }));
  }

  function hub(s) {
    const up = s.uplink || {};
    const rows = [
      [S.uplink, up.state + (up.lastError ? ' (' + up.lastError + ')' : '') + (up.lastAckAt ? ' · ' + fmt('lastAck', { t: time(up.lastAckAt) }) : '')],
      [S.backlog, String(s.outbox ? s.outbox.depth : '?')],
      [S.clock, (s.clock && s.clock.synced ? S.synced : S.unsynced) + ' · ' + time(s.clock && s.clock.now)],
      [S.storage, s.storage ? (s.storage.mode || '') + (s.storage.fault ? ' · ' + s.storage.fault : '') + (s.outbox ? ' · ' + Math.round(s.outbox.bytesUsed / 1e6 * 10) / 10 + ' / ' + Math.round(s.outbox.maxBytes / 1e6) + ' MB' : '') : '?'],
    ];
    // the stack the hub's real BLE devices use (none when every BLE device is simulated)
    if (s.ble) rows.push([S.bluetooth, s.ble.bindings + ' ' + s.ble.adapter + ' · ' + s.ble.state + (s.ble.reason ? ' (' + s.ble.reason + ')' : '')]);
    if (s.pausedForS > 0) rows.push(['♪', fmt('audioPausedFor', { s: s.pausedForS })]);
    document.getElementById('hubinfo').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
  }

  live((s) => { alarms(s.alarms || []); devices(s.devices || []); hub(s); });
})();
