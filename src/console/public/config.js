// carehub console: the configuration file, validated like check-config, diffed, applied.
'use strict';
(function () {
  const { boot, S, fmt, el, post } = window.carehub;
  const cfg = document.getElementById('cfg');
  if (!cfg) return;
  const result = document.getElementById('result');
  const diff = document.getElementById('diff');
  function showProblems(problems, warnings) {
    const items = (problems || []).map((p) => el('li', { class: 'problem', text: p.path + (p.line ? ' (' + fmt('line', { n: p.line }) + ')' : '') + ': ' + p.message }));
    const warns = (warnings || []).map((w) => el('li', { text: S.warning + ': ' + w }));
    const head = el('p', { class: items.length ? 'error' : 'ok', text: items.length ? fmt('problemsFound', { n: items.length }) : S.valid });
    result.replaceChildren(head, items.length || warns.length ? el('ul', { id: 'problems' }, ...items, ...warns) : null);
  }
  function showDiff(lines) {
    if (!lines.length) { diff.textContent = S.noChanges; return; }
    diff.replaceChildren(...lines.map((d) => el('span', { class: d.op === '+' ? 'add' : d.op === '-' ? 'del' : '', text: d.op + ' ' + d.text + '\n' })));
  }
  async function validate() {
    const r = await post('/api/config/check', { text: cfg.value });
    showProblems(r.problems, r.warnings);
    showDiff(r.diff || []);
    return r;
  }
  const busy = (fn) => async (ev) => {
    ev.target.disabled = true;
    try { await fn(); } catch (e) { result.replaceChildren(el('p', { class: 'error', text: fmt('failed', { e: e.message }) })); } finally { ev.target.disabled = false; }
  };
  document.getElementById('validate').addEventListener('click', busy(validate));
  document.getElementById('apply').addEventListener('click', busy(async () => {
    const r = await validate();
    if (!r.ok) return;
    const out = await post('/api/config/apply', { text: cfg.value, base: boot.base });
    boot.base = out.sha256;
    result.replaceChildren(el('p', { class: 'ok', id: 'applied', text: fmt('applied', { n: out.changedLines }) }));
  }));
})();
