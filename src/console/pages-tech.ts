import { escapeHtml as h } from './http-util.js';
import { STRINGS } from './i18n.js';
import { boot, header, restartControl, shell, type PageContext } from './pages.js';

/** The configuration page (technicians): the file in a textarea, problems, diff, apply. */
export function configPage(c: PageContext, file: string | null, view: { text: string; sha256: string } | { error: string } | null): string {
  const s = STRINGS[c.lang];
  let inner: string;
  if (file === null || view === null) inner = `<p class="note">${h(s.noConfigFile)}</p>`;
  else if ('error' in view) inner = `<p class="error" role="alert">${h(view.error)}</p>`;
  else {
    inner = `<p class="note">${h(s.redactedNote)}</p>
<label for="cfg">${h(s.configFile.replace('{f}', file))}</label>
<textarea id="cfg" spellcheck="false" rows="24" autocomplete="off">${h(view.text)}</textarea>
<div class="actions"><button id="validate" type="button">${h(s.validate)}</button> <button id="apply" type="button">${h(s.apply)}</button></div>
<div id="result" role="status" aria-live="polite"></div>
${restartControl(c, s)}
<section aria-labelledby="diff-h"><h2 id="diff-h">${h(s.diff)}</h2><pre id="diff" class="diff"></pre></section>`;
  }
  const body = `${header(c, s, '/config')}<main><h2>${h(s.configuration)}</h2>${inner}</main>${boot(c, view && 'sha256' in view ? { base: view.sha256 } : {})}`;
  return shell(c.lang, `${s.configuration} · ${s.title}`, body, ['common.js', 'config.js']);
}

/** The alarm history page: filters and a page of events (filled by history.js). */
export function historyPage(c: PageContext, devices: string[]): string {
  const s = STRINGS[c.lang];
  const opt = (v: string, text: string): string => `<option value="${h(v)}">${h(text)}</option>`;
  const body = `${header(c, s, '/alarms/history')}<main><h2>${h(s.history)}</h2>
<form id="filter" class="filter">
<label>${h(s.priority)} <select name="priority">${opt('', s.any)}${['high', 'medium', 'low'].map((p) => opt(p, p)).join('')}</select></label>
<label>${h(s.category)} <select name="category">${opt('', s.any)}${['physiological', 'technical'].map((p) => opt(p, p)).join('')}</select></label>
<label>${h(s.device)} <select name="device">${opt('', s.any)}${devices.map((d) => opt(d, d)).join('')}</select></label>
<label>${h(s.from)} <input type="datetime-local" name="from"></label>
<label>${h(s.to)} <input type="datetime-local" name="to"></label>
<button type="submit">${h(s.filter)}</button></form>
<p id="msg" role="status" aria-live="polite"></p>
<table id="history"><caption class="sr">${h(s.history)}</caption><thead><tr><th scope="col">${h(s.time)}</th><th scope="col">${h(s.priority)}</th><th scope="col">${h(s.event)}</th><th scope="col">${h(s.condition)}</th><th scope="col">${h(s.device)}</th><th scope="col">${h(s.value)}</th><th scope="col">${h(s.text)}</th></tr></thead><tbody></tbody></table>
<div class="actions"><button id="newer" type="button">${h(s.newer)}</button> <button id="older" type="button">${h(s.older)}</button></div>
</main>${boot(c)}`;
  return shell(c.lang, `${s.history} · ${s.title}`, body, ['common.js', 'history.js']);
}

/** The diagnostics page (technicians): self-test and the diagnostics bundle. */
export function diagnosticsPage(c: PageContext): string {
  const s = STRINGS[c.lang];
  const body = `${header(c, s, '/diagnostics')}<main><h2>${h(s.diagnostics)}</h2>
<p class="note">${h(s.selfTestNote)}</p>
<div class="actions"><button id="selftest" type="button">${h(s.selfTest)}</button></div>
<p id="msg" role="status" aria-live="polite"></p>
<table id="checks"><caption class="sr">${h(s.selfTest)}</caption><thead><tr><th scope="col">${h(s.check)}</th><th scope="col">${h(s.result)}</th><th scope="col">${h(s.text)}</th></tr></thead><tbody></tbody></table>
<p><a id="bundle" href="/api/diagnostics/bundle" download>${h(s.bundle)}</a></p><p class="note">${h(s.bundleNote)}</p>
</main>${boot(c)}`;
  return shell(c.lang, `${s.diagnostics} · ${s.title}`, body, ['common.js', 'diagnostics.js']);
}
