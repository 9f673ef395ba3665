import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { SystemClock } from '../../core/system-clock.js';
import type { TechnicalCondition } from '../types.js';
import { ConsoleAnnunciator } from './console.js';
import { GpioAnnunciator } from './gpio.js';
import { SoundAnnunciator } from './sound.js';
import type { Annunciator } from './types.js';

export type { Annunciator } from './types.js';
export { ConsoleAnnunciator } from './console.js';
export { GpioAnnunciator } from './gpio.js';
export { SoundAnnunciator } from './sound.js';

/** The `local` config fields the annunciators use. */
export interface AnnunciatorConfig {
  console: boolean;
  sound: boolean;
  soundDevice?: string | undefined;
  gpioChip?: string | undefined;
  gpioLine?: number | undefined;
}

export interface AnnunciatorExtras {
  clock?: Clock;
  /** Terminal lines with the alarm text (demo / foreground). */
  out?: (line: string) => void;
  gpioFollow?: 'audio' | 'visual';
}

/**
 * The local annunciators the config asks for. They probe their hardware when the engine starts
 * (attach) and report failures through the engine; `report` is used before that.
 */
export function createAnnunciators(local: AnnunciatorConfig, log: Logger, report: (c: TechnicalCondition) => void, extras: AnnunciatorExtras = {}): Annunciator[] {
  const alog = log.child('alarms');
  const out: Annunciator[] = [];
  if (local.console) out.push(new ConsoleAnnunciator({ log: alog, ...(extras.out ? { out: extras.out } : {}) }));
  if (local.sound) out.push(new SoundAnnunciator({ clock: extras.clock ?? new SystemClock(), log: alog.child('sound'), ...(local.soundDevice ? { device: local.soundDevice } : {}), report }));
  if (local.gpioChip !== undefined && local.gpioLine !== undefined) {
    out.push(new GpioAnnunciator({ chip: local.gpioChip, line: local.gpioLine, log: alog.child('gpio'), follow: extras.gpioFollow ?? 'audio', report }));
  }
  return out;
}
