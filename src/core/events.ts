import type { Logger } from './log.js';

/**
 * A small typed event emitter. A listener that throws is logged and isolated: it never stops
 * the other listeners nor the emitter (a broken terminal view must not stop alarms).
 */
export class TypedEmitter<Events extends { [K in keyof Events]: (...args: never[]) => void }> {
  private listeners = new Map<keyof Events, Set<Events[keyof Events]>>();

  constructor(private readonly log?: Logger) {}

  on<K extends keyof Events>(event: K, fn: Events[K]): () => void {
    let set = this.listeners.get(event);
    if (!set) { set = new Set(); this.listeners.set(event, set); }
    set.add(fn);
    return () => { set.delete(fn); };
  }

  emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const fn of set) {
      try {
        (fn as (...a: Parameters<Events[K]>) => void)(...args);
      } catch (err) {
        this.log?.error({ event: String(event), err: (err as Error).message }, 'listener failed');
      }
    }
  }
}
