import type { Logger } from '../core/log.js';

/**
 * What a start-up has brought up, to be stopped in reverse order: by Hub.stop(), and by a
 * start-up that fails half-way (so a failed start never leaves a half-running hub behind).
 */
export class StopList {
  private readonly items: Array<{ name: string; stop: () => Promise<void> | void }> = [];

  constructor(private readonly log: Logger) {}

  push(name: string, stop: () => Promise<void> | void): void {
    this.items.push({ name, stop });
  }

  /** Stops everything, newest first; one failing stop does not keep the others from running. */
  async stopAll(): Promise<void> {
    while (this.items.length > 0) {
      const { name, stop } = this.items.pop()!;
      try {
        await stop();
      } catch (err) {
        this.log.warn({ part: name, err: (err as Error).message }, 'error while stopping');
      }
    }
  }
}
