import { loadConfigFile } from '../config/load.js';
import { controlRequest } from '../control/client.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit.js';

interface ControlOpts {
  json?: boolean;
  socket?: string;
  config?: string;
}

/** The control socket path: --socket, else the config's local.controlSocket, else the default. */
function socketPath(o: ControlOpts): string | null {
  if (o.socket) return o.socket;
  const file = o.config ?? process.env.CAREHUB_CONFIG ?? '/etc/carehub/carehub.yaml';
  const r = loadConfigFile(file);
  if (r.ok) return r.config.local.controlSocket;
  if (o.config) return null;
  return '/run/carehub/control.sock';
}

async function ask(o: ControlOpts, method: string, args: Record<string, unknown> = {}): Promise<{ code: number; result?: unknown }> {
  const path = socketPath(o);
  if (!path) {
    process.stderr.write('carehub: cannot read the config to find the control socket (use --socket)\n');
    return { code: EXIT_USAGE };
  }
  try {
    return { code: EXIT_OK, result: await controlRequest(path, method, args, 5000) };
  } catch (err) {
    process.stderr.write(`carehub: ${(err as Error).message}\n`);
    return { code: EXIT_FAILURE };
  }
}

interface StatusView {
  hub: string;
  version: string;
  uptimeS: number;
  clock: { synced: boolean };
  devices: Array<{ id: string; kind: string; link: string; lastSeen: string | null; last: Record<string, { value: number; unit: string }> }>;
  outbox: { depth: number; oldestUnsentAgeS: number | null; bytesUsed: number; maxBytes: number };
  uplink: { state: string; reconnects: number };
  alarms: Array<{ alarm: string; priority: string; condition: string; device: string | null; text: string; acknowledged: boolean }>;
  console?: { url: string | null; fingerprint: string | null };
}

export async function statusCommand(o: ControlOpts): Promise<number> {
  const r = await ask(o, 'status');
  if (r.code !== EXIT_OK) return r.code;
  if (o.json) { process.stdout.write(`${JSON.stringify(r.result)}\n`); return EXIT_OK; }
  const s = r.result as StatusView;
  const out: string[] = [];
  out.push(`hub ${s.hub} ${s.version}, up ${s.uptimeS} s, clock ${s.clock.synced ? 'synchronised' : 'NOT synchronised'}`);
  out.push(`uplink ${s.uplink.state} (${s.uplink.reconnects} reconnects); outbox ${s.outbox.depth} unsent${s.outbox.oldestUnsentAgeS !== null ? `, oldest ${s.outbox.oldestUnsentAgeS} s` : ''}; storage ${(s.outbox.bytesUsed / 1e6).toFixed(1)} of ${(s.outbox.maxBytes / 1e6).toFixed(0)} MB`);
  if (s.console?.url) out.push(`console ${s.console.url}${s.console.fingerprint ? `  certificate SHA-256 ${s.console.fingerprint}` : ''}`);
  out.push('devices:');
  for (const d of s.devices) {
    const last = Object.entries(d.last).map(([m, v]) => `${m} ${v.value} ${v.unit}`).join(', ');
    out.push(`  ${d.id.padEnd(10)} ${d.kind.padEnd(10)} ${d.link.padEnd(10)} last seen ${d.lastSeen ?? 'never'}${last ? `  ${last}` : ''}`);
  }
  out.push(`alarms: ${s.alarms.length === 0 ? 'none' : ''}`);
  for (const a of s.alarms) out.push(`  ${a.alarm}  ${a.priority.toUpperCase().padEnd(6)} ${a.condition} ${a.device ?? ''} ${a.text}${a.acknowledged ? ' (acknowledged)' : ''}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return EXIT_OK;
}

export async function alarmsListCommand(o: ControlOpts): Promise<number> {
  const r = await ask(o, 'alarms.list');
  if (r.code !== EXIT_OK) return r.code;
  if (o.json) { process.stdout.write(`${JSON.stringify(r.result)}\n`); return EXIT_OK; }
  const list = (Array.isArray(r.result) ? r.result : (r.result as { alarms?: unknown[] }).alarms ?? []) as StatusView['alarms'];
  if (list.length === 0) process.stdout.write('no active alarms\n');
  for (const a of list) process.stdout.write(`${a.alarm}  ${a.priority.toUpperCase().padEnd(6)} ${a.condition} ${a.device ?? ''} ${a.text}${a.acknowledged ? ' (acknowledged)' : ''}\n`);
  return EXIT_OK;
}

export async function alarmsAckCommand(id: string, o: ControlOpts): Promise<number> {
  const r = await ask(o, 'alarms.ack', { id });
  if (r.code !== EXIT_OK) return r.code;
  const res = r.result as { ok?: boolean; error?: string } | boolean;
  const ok = typeof res === 'boolean' ? res : res.ok !== false;
  if (o.json) process.stdout.write(`${JSON.stringify({ ok, id })}\n`);
  else process.stdout.write(ok ? `acknowledged ${id}\n` : `no active alarm ${id}\n`);
  return ok ? EXIT_OK : EXIT_FAILURE;
}

export async function alarmTestCommand(o: ControlOpts): Promise<number> {
  const r = await ask(o, 'alarms.test');
  if (r.code !== EXIT_OK) return r.code;
  if (o.json) process.stdout.write(`${JSON.stringify({ ok: true, result: r.result })}\n`);
  else process.stdout.write('sounded every priority once (high, medium, low)\n');
  return EXIT_OK;
}
