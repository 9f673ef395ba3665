import type { SignalState } from '../signals.js';
import type { AlarmEvent, Priority, TechnicalCondition } from '../types.js';

/**
 * A local alarm output. Every method is called synchronously from the alarm engine and must
 * return at once: start a process without awaiting it, never wait on the network or the disk.
 */
export interface Annunciator {
  readonly name: string;
  /** Called once by the engine: where to report the annunciator's own failures (technical). */
  attach?(report: (c: TechnicalCondition) => void): void;
  /** The alarm signals changed (highest priority, audio on/off). */
  signal(state: SignalState): void;
  /** An alarm event happened (for logs and consoles). */
  event?(ev: AlarmEvent): void;
  /**
   * An information signal, once (e.g. "alarm rules changed remotely"): not an alarm, never
   * repeated, never in place of an alarm signal. `text` holds no patient data.
   */
  inform?(text: string): void;
  /** Sound/show each given priority once, in order (alarm-test). */
  test?(priorities: Priority[]): void;
  /** Stop every output and timer. */
  stop?(): void;
}
