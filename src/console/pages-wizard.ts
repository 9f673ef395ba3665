import { escapeHtml as h } from './http-util.js';
import { STRINGS } from './i18n.js';
import { boot, header, restartControl, shell, type PageContext } from './pages.js';

/**
 * The pairing wizard (technicians): Bluetooth scan list → pair (passkey when asked) → first
 * reading → save; serial port (listed or typed) → first frame → save. Filled by wizard.js.
 */
export function wizardPage(c: PageContext): string {
  const s = STRINGS[c.lang];
  const body = `${header(c, s, '/wizard')}<main><h2>${h(s.pairDevice)}</h2>
<p class="note">${h(s.wizardNote)}</p>
<p id="progress" role="status" aria-live="polite"></p>
<p id="error" class="error" role="alert"></p>
<section aria-labelledby="ble-h"><h3 id="ble-h">${h(s.bleDevices)}</h3>
<div class="actions"><button id="scan" type="button">${h(s.scan)}</button></div>
<table id="scanlist"><caption class="sr">${h(s.bleDevices)}</caption><thead><tr><th scope="col">${h(s.device)}</th><th scope="col">${h(s.rssi)}</th><th scope="col">${h(s.paired)}</th></tr></thead><tbody></tbody></table>
<form id="passkey-form" hidden><p>${h(s.passkeyAsk)}</p><p id="display" class="note"></p>
<label for="passkey">${h(s.passkeyLabel)}</label> <input id="passkey" name="passkey" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="off" required>
<button type="submit">${h(s.choose)}</button></form>
</section>
<section aria-labelledby="serial-h"><h3 id="serial-h">${h(s.serialDevices)}</h3>
<form id="serial-form">
<div class="actions"><button id="ports" type="button">${h(s.listPorts)}</button></div>
<p><label for="port">${h(s.port)}</label> <select id="port"></select></p>
<p><label for="path">${h(s.orPath)}</label> <input id="path" name="path" maxlength="1024" autocomplete="off" spellcheck="false"></p>
<p><label for="protocol">${h(s.protocol)}</label> <select id="protocol" name="protocol"><option value="medibus">Ventilator (MEDIBUS)</option></select></p>
<button type="submit">${h(s.openPort)}</button></form>
</section>
<section id="result" aria-labelledby="result-h" hidden><h3 id="result-h">${h(s.firstReading)}</h3>
<p id="target"></p><p id="info"></p><dl id="reading"></dl><p id="note" class="note"></p>
<form id="save-form"><label for="devid">${h(s.deviceId)}</label> <input id="devid" name="id" maxlength="64" pattern="[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}" autocomplete="off">
<button type="submit">${h(s.saveDevice)}</button></form>
<p id="saved" class="ok"></p>
${restartControl(c, s, true)}
<div class="actions"><button id="reset" type="button">${h(s.startOver)}</button></div>
</section>
</main>${boot(c)}`;
  return shell(c.lang, `${s.pairDevice} · ${s.title}`, body, ['common.js', 'wizard.js']);
}
