import { escapeHtml as h } from './http-util.js';
import { LANGS, STRINGS, type Lang, type Strings } from './i18n.js';
import type { Role } from './password-file.js';

/** What every console page knows about the viewer; `boot` goes to the page's scripts as JSON. */
export interface PageContext {
  lang: Lang;
  role: Role;
  csrf: string;
  /** False on a console without login (demo on loopback). */
  login: boolean;
  hubId: string;
  /** A service manager starts the hub again after a stop: the console may offer a restart. */
  restartable?: boolean;
}

/** The restart button (technicians, where the hub can be restarted), with where its outcome shows. */
export function restartControl(c: PageContext, s: Strings, hidden = false): string {
  if (!c.restartable || c.role !== 'technician') return `<p class="note" id="restart-how"${hidden ? ' hidden' : ''}>${h(s.restartYourself)}</p>`;
  return `<div class="actions" id="restart-box"${hidden ? ' hidden' : ''}><button id="restart" type="button">${h(s.restart)}</button> <span class="note">${h(s.restartNote)}</span></div>
<p id="restart-msg" role="status" aria-live="polite"></p>`;
}

function json(v: unknown): string {
  // inside <script type="application/json">: no "</script>" can end it early
  return JSON.stringify(v).replace(/</g, '\\u003c');
}

export function shell(lang: Lang, title: string, body: string, scripts: string[], css: string[] = []): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${h(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/style.css">${css.map((c) => `<link rel="stylesheet" href="/assets/${c}">`).join('')}
</head><body>${body}${scripts.map((s) => `<script src="/assets/${s}"></script>`).join('')}</body></html>`;
}

function langSwitch(lang: Lang, s: Strings, path: string): string {
  const names: Record<Lang, string> = { en: 'English', da: 'Dansk' };
  return `<nav class="lang" aria-label="${h(s.language)}">${LANGS.map((l) => (l === lang
    ? `<span aria-current="true" lang="${l}">${names[l]}</span>`
    : `<a href="${h(path)}?lang=${l}" lang="${l}" hreflang="${l}">${names[l]}</a>`)).join(' ')}</nav>`;
}

export function header(c: PageContext, s: Strings, path: string): string {
  const who = c.login
    ? `<span class="role">${h(s.role)}: ${h(c.role === 'technician' ? s.technician : s.viewer)}</span>
<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="${h(c.csrf)}"><button type="submit">${h(s.logout)}</button></form>`
    : '';
  const notes = [s.disclaimer, c.login ? '' : s.noLogin, c.role === 'viewer' ? s.readOnly : ''].filter(Boolean);
  const links: Array<[string, string]> = [['/', s.back], ['/alarms/history', s.history], ...(c.role === 'technician' ? [['/wizard', s.pairDevice], ['/config', s.configuration], ['/diagnostics', s.diagnostics]] as Array<[string, string]> : [])];
  const nav = `<nav class="pages" aria-label="${h(s.pages)}">${links.map(([href, text]) => (href === path ? `<span aria-current="page">${h(text)}</span>` : `<a href="${href}">${h(text)}</a>`)).join(' ')}</nav>`;
  return `<header><h1>${h(s.title)} <small>${h(c.hubId)}</small></h1><div class="bar">${nav}${langSwitch(c.lang, s, path)}${who}</div></header>
${notes.map((n) => `<p class="note">${h(n)}</p>`).join('')}`;
}

export function boot(c: PageContext, extra: Record<string, unknown> = {}): string {
  return `<script type="application/json" id="boot">${json({ strings: STRINGS[c.lang], lang: c.lang, role: c.role, csrf: c.csrf, ...extra })}</script>`;
}

export function overviewPage(c: PageContext): string {
  const s = STRINGS[c.lang];
  const tech = c.role === 'technician';
  const body = `${header(c, s, '/')}<main>
<section aria-labelledby="alarms-h"><h2 id="alarms-h">${h(s.alarms)}</h2>
${tech ? `<div class="actions"><button id="pause" type="button">${h(s.pauseAudio)}</button> <button id="test" type="button">${h(s.alarmTest)}</button></div>` : ''}
<p id="msg" role="status" aria-live="polite"></p>
<table id="alarms"><caption class="sr">${h(s.alarms)}</caption><thead><tr><th scope="col">${h(s.priority)}</th><th scope="col">${h(s.condition)}</th><th scope="col">${h(s.device)}</th><th scope="col">${h(s.text)}</th><th scope="col">${h(s.since)}</th><th scope="col">${h(s.state)}</th></tr></thead><tbody></tbody></table></section>
<section aria-labelledby="devices-h"><h2 id="devices-h">${h(s.devices)}</h2>
<table id="devices"><caption class="sr">${h(s.devices)}</caption><thead><tr><th scope="col">${h(s.device)}</th><th scope="col">${h(s.kind)}</th><th scope="col">${h(s.link)}</th><th scope="col">${h(s.battery)}</th><th scope="col">${h(s.lastSeen)}</th><th scope="col">${h(s.lastReadings)}</th><th scope="col">${h(s.rejected)}</th></tr></thead><tbody></tbody></table></section>
<section aria-labelledby="hub-h"><h2 id="hub-h">${h(s.hub)}</h2><dl id="hubinfo"></dl></section>
<p id="conn" class="conn" role="status"></p></main>${boot(c)}`;
  return shell(c.lang, s.title, body, ['common.js', 'app.js']);
}

export function devicePage(c: PageContext, device: { id: string; kind: string }, limits: Record<string, { low: number[]; high: number[] }>): string {
  const s = STRINGS[c.lang];
  const path = `/device/${encodeURIComponent(device.id)}`;
  const body = `${header(c, s, path)}<main>
<p><a href="/">← ${h(s.back)}</a></p>
<h2>${h(s.device)} ${h(device.id)} <small>${h(device.kind)}</small></h2>
<dl id="live"></dl>
<section aria-labelledby="trend-h"><h2 id="trend-h">${h(s.trends)}</h2>
<div class="actions" role="group" aria-label="${h(s.trends)}"><button type="button" data-range="1h" aria-pressed="true">${h(s.hour)}</button> <button type="button" data-range="24h" aria-pressed="false">${h(s.day)}</button> <button type="button" data-range="7d" aria-pressed="false">${h(s.week)}</button></div>
<p id="msg" role="status" aria-live="polite"></p><div id="charts"></div></section>
<section id="waves-s" aria-labelledby="waves-h" hidden><h2 id="waves-h">${h(s.waveforms)}</h2><div id="waves"></div></section>
<p id="conn" class="conn" role="status"></p></main>${boot(c, { device: device.id, limits })}`;
  return shell(c.lang, `${device.id} · ${s.title}`, body, ['common.js', 'uplot.js', 'device.js'], ['uplot.css']);
}

export function loginPage(lang: Lang, hubId: string, problem: string | null): string {
  const s = STRINGS[lang];
  const body = `<header><h1>${h(s.title)} <small>${h(hubId)}</small></h1><div class="bar">${langSwitch(lang, s, '/login')}</div></header>
<p class="note">${h(s.disclaimer)}</p>
<main><form method="post" action="/login" class="login"><h2>${h(s.login)}</h2>
${problem ? `<p class="error" role="alert" id="login-error">${h(problem)}</p>` : ''}
<label for="password">${h(s.password)}</label> <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256" autofocus>
<button type="submit">${h(s.login)}</button></form></main>`;
  return shell(lang, `${s.login} · ${s.title}`, body, []);
}
