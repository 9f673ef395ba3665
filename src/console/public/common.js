// carehub console: helpers shared by the pages (plain browser JavaScript, no build step).
'use strict';
window.carehub = (function () {
  const boot = JSON.parse(document.getElementById('boot').textContent);
  const S = boot.strings;
  const fmt = (key, vars) => String(S[key] || key).replace(/\{(\w+)\}/g, (_, k) => (vars && k in vars ? String(vars[k]) : ''));
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') e.textContent = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const k of kids) if (k !== null && k !== undefined) e.append(k);
    return e;
  };
  const time = (iso) => (iso ? new Date(iso).toLocaleString(boot.lang === 'da' ? 'da-DK' : 'en-GB') : S.never);
  async function post(path, body) {
    const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': boot.csrf }, body: JSON.stringify(body || {}), credentials: 'same-origin' });
    const out = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(out.error || r.statusText);
    return out;
  }
  /** Live status over server-sent events; `conn` shows whether the view is live. */
  function live(onStatus) {
    const conn = document.getElementById('conn');
    const es = new EventSource('/api/events');
    es.onmessage = (m) => { conn.textContent = S.live; conn.className = 'conn ok'; onStatus(JSON.parse(m.data)); };
    es.onerror = () => { conn.textContent = S.offline; conn.className = 'conn bad'; };
    return es;
  }
  /** The restart button, where a page has one: confirm, ask the hub, wait until it answers again, reload. */
  const restartBtn = document.getElementById('restart');
  if (restartBtn) restartBtn.addEventListener('click', async () => {
    const msg = document.getElementById('restart-msg');
    if (!window.confirm(S.restartConfirm)) return;
    restartBtn.disabled = true;
    try {
      await post('/api/restart');
    } catch (e) {
      msg.textContent = fmt('failed', { e: e.message });
      restartBtn.disabled = false;
      return;
    }
    msg.textContent = S.restarting;
    await new Promise((r) => setTimeout(r, 3000));
    for (let i = 0; i < 60; i++) {
      const up = await fetch('/login', { credentials: 'same-origin' }).then((r) => r.ok).catch(() => false);
      if (up) { msg.textContent = S.restartBack; window.location.reload(); return; }
      await new Promise((r) => setTimeout(r, 2000));
    }
    restartBtn.disabled = false;
  });
  return { boot, S, fmt, el, time, post, live };
})();
