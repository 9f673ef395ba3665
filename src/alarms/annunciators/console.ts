import type { Logger } from '../../core/log.js';
import type { SignalState } from '../signals.js';
import type { AlarmEvent, Priority } from '../types.js';
import type { Annunciator } from './types.js';

/**
 * Alarms in the log (namespace `alarms:console`, ids and states only, no patient values) and,
 * when `out` is given, as readable lines with the alarm text on a terminal (demo, foreground run).
 */
export interface ConsoleOptions {
  log: Logger;
  out?: (line: string) => void;
}

export class ConsoleAnnunciator implements Annunciator {
  readonly name = 'console';
  private readonly log: Logger;

  constructor(private readonly o: ConsoleOptions) {
    this.log = o.log.child('console');
  }

  signal(s: SignalState): void {
    this.log.info({ visual: s.visual, audio: s.audio, paused: s.paused }, 'alarm signal');
  }

  event(ev: AlarmEvent): void {
    const fields = { alarm: ev.alarm, event: ev.event, priority: ev.priority, category: ev.category, condition: ev.condition, device: ev.device };
    if (ev.event === 'raised' || ev.event === 'escalated') this.log.warn(fields, 'ALARM');
    else this.log.info(fields, 'alarm');
    this.o.out?.(`ALARM ${ev.event.padEnd(12)} ${ev.priority.toUpperCase().padEnd(6)} ${ev.condition} ${ev.device ?? ''} ${ev.text} [${ev.alarm}]`);
  }

  inform(text: string): void {
    this.log.warn({ signal: 'information' }, text);
    this.o.out?.(`INFO  ${text}`);
  }

  test(priorities: Priority[]): void {
    this.log.info({ priorities }, 'alarm test');
    for (const p of priorities) this.o.out?.(`ALARM TEST ${p.toUpperCase()}`);
  }
}
