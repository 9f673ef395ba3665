import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { controlRequest } from '../../src/control/client.js';

/** A hub config for the start-up fault runs: one simulated oximeter, sound off, page on any port. */
export function startupConfig(dir: string, o: { url: string; protocolVersion: 4 | 5; hub?: string; mqtt?: string; schedule?: string; device?: string; file?: string }): string {
  const f = join(dir, o.file ?? 'carehub.yaml');
  writeFileSync(f, `hub: { id: hub-safe${o.hub ?? ''} }
storage: { path: ${join(dir, 'carehub.db')}, maxBytes: 64MB }
uplink:
  mqtt: { url: "${o.url}", protocolVersion: ${o.protocolVersion}, reconnectMinMs: 200, reconnectMaxMs: 1000${o.mqtt ?? ''} }
  batchMaxDelayMs: 50
devices:
  - ${o.device ?? '{ id: oxi-1, kind: oximeter, transport: ble, protocol: plxs, simulate: desaturation }'}
local: { pagePort: 0, controlSocket: ${join(dir, 'control.sock')}, sound: false }
${o.schedule ? `schedule: ${o.schedule}\n` : ''}log: { level: info }
`);
  return f;
}

export interface ActiveAlarmView { alarm: string; condition: string; priority: string; category: string; metric: string | null; text: string }

/** The running hub's active alarms through its control socket (what `carehub alarms` shows); [] while it does not answer. */
export async function activeAlarms(sock: string): Promise<ActiveAlarmView[]> {
  try {
    const r = (await controlRequest(sock, 'alarms.list', {}, 3000)) as { alarms: ActiveAlarmView[] };
    return r.alarms;
  } catch {
    return [];
  }
}

/** Polls the control socket until `pick` finds an alarm; throws with the last list and the hub log after timeoutMs. */
export async function waitForAlarm(sock: string, pick: (a: ActiveAlarmView) => boolean, timeoutMs: number, what: string, log: () => string): Promise<ActiveAlarmView> {
  const end = Date.now() + timeoutMs;
  let last: ActiveAlarmView[] = [];
  for (;;) {
    last = await activeAlarms(sock);
    const hit = last.find(pick);
    if (hit) return hit;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; active: ${JSON.stringify(last.map((a) => a.condition))}\nhub log tail:\n${log().slice(-2500)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A physiological SpO2 alarm (the simulated desaturation). */
export const isSpo2Alarm = (a: ActiveAlarmView): boolean => a.category === 'physiological' && a.metric === 'spo2';
