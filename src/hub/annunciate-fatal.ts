import { randomUUID } from 'node:crypto';
import { createAnnunciators, type AnnunciatorConfig } from '../alarms/annunciators/index.js';
import type { AlarmEvent, TechnicalCondition } from '../alarms/types.js';
import type { Logger } from '../core/log.js';

/** How long the outputs sound before the process exits (systemd restarts it 5 s later). */
export const FATAL_ANNOUNCE_MS = 2000;

/**
 * The hub cannot monitor (no usable config, local monitoring failed to start) and is about to
 * exit: sound a high-priority technical alarm on whatever local outputs can be reached, without
 * an alarm engine. `local` null (no config at all) means the shipped defaults: console and
 * sound. The console line goes to stderr, which systemd puts in the journal. Every output is
 * stopped again before returning so no buzzer is left held by an orphaned helper process.
 */
export async function annunciateFatal(o: { local: AnnunciatorConfig | null; log: Logger; hubId: string | null; condition: string; text: string; holdMs?: number }): Promise<void> {
  const log = o.log.child('fatal');
  const report = (c: TechnicalCondition): void => log.error({ code: c.code, text: c.text }, 'alarm output problem');
  const local: AnnunciatorConfig = o.local ?? { console: true, sound: true };
  const outputs = createAnnunciators({ ...local, console: true }, log, report, { out: (line) => process.stderr.write(`${line}\n`) });
  const ev: AlarmEvent = {
    v: 1, hub: o.hubId ?? 'unknown', id: randomUUID(), alarm: randomUUID(), event: 'raised', priority: 'high', category: 'technical',
    condition: o.condition, device: null, metric: null, value: null, limit: null, t: new Date().toISOString(), text: o.text,
  };
  for (const a of outputs) {
    try {
      a.attach?.(report);
      a.event?.(ev);
      a.signal({ visual: 'high', audio: 'high', paused: false });
    } catch (err) {
      log.error({ output: a.name, err: (err as Error).message }, 'alarm output failed');
    }
  }
  if (outputs.some((a) => a.name !== 'console')) await new Promise((r) => setTimeout(r, o.holdMs ?? FATAL_ANNOUNCE_MS));
  for (const a of outputs) {
    try { a.stop?.(); } catch { /* exiting anyway */ }
  }
}
