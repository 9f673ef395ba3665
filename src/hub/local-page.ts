import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/log.js';

/**
 * The local status page for technicians: `/` a small self-refreshing HTML view, `/status.json`
 * the same data as `carehub status --json`. Bound to loopback by default; read-only.
 */
export async function startLocalPage(opts: { bind: string; port: number; log: Logger; status: () => unknown }): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    try {
      if (req.method !== 'GET') { res.writeHead(405).end(); return; }
      if (req.url === '/status.json') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(opts.status()));
        return;
      }
      if (req.url === '/' || req.url === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(PAGE);
        return;
      }
      res.writeHead(404).end();
    } catch (err) {
      opts.log.warn({ err: (err as Error).message }, 'local page request failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.bind, () => resolve());
  });
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    url: `http://${host}:${a.port}/`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>carehub</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.high{background:#fbb}.medium{background:#fe9}.low{background:#dff}
.lost{color:#b00}.connected{color:#070}small{color:#666}</style></head><body>
<h1>carehub <small id="hub"></small></h1><p><small>Not a certified medical device. The devices' own alarms remain primary.</small></p>
<h2>Alarms</h2><table id="alarms"></table><h2>Devices</h2><table id="devices"></table><h2>Hub</h2><table id="hubt"></table>
<script>
const esc=s=>String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
async function tick(){try{const s=await (await fetch('status.json')).json();
document.getElementById('hub').textContent=s.hub+' '+s.version;
document.getElementById('alarms').innerHTML='<tr><th>priority</th><th>condition</th><th>device</th><th>text</th><th>since</th></tr>'+
(s.alarms||[]).map(a=>'<tr class="'+esc(a.priority)+'"><td>'+esc(a.priority)+'</td><td>'+esc(a.condition)+'</td><td>'+esc(a.device??'')+'</td><td>'+esc(a.text)+'</td><td>'+esc(a.since)+'</td></tr>').join('');
document.getElementById('devices').innerHTML='<tr><th>device</th><th>kind</th><th>link</th><th>last seen</th><th>last readings</th></tr>'+
(s.devices||[]).map(d=>'<tr><td>'+esc(d.id)+'</td><td>'+esc(d.kind)+'</td><td class="'+esc(d.link)+'">'+esc(d.link)+'</td><td>'+esc(d.lastSeen??'never')+'</td><td>'+
Object.entries(d.last||{}).map(([m,v])=>esc(m)+' '+esc(v.value)+' '+esc(v.unit)).join(', ')+'</td></tr>').join('');
document.getElementById('hubt').innerHTML=['uplink','outbox','clock'].map(k=>'<tr><th>'+k+'</th><td><code>'+esc(JSON.stringify(s[k]))+'</code></td></tr>').join('');
}catch(e){}}
tick();setInterval(tick,2000);
</script></body></html>`;
