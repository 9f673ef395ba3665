import { Cmd } from './commands.js';

export interface PollOptions {
  /** Settings and text messages every n-th cycle. */
  settingsEvery?: number;
  /** Date/time every n-th cycle. */
  dateEvery?: number;
  /** A request that failed this many times in a row is only tried every `backoffEvery` cycles. */
  failLimit?: number;
  backoffEvery?: number;
}

/**
 * The round-robin of slow-data requests. Every cycle: measured data CP1 and CP2, alarms CP1
 * and CP2; every few cycles the device settings and the text messages (ventilation mode);
 * now and then the date and time. A request the device keeps refusing (NAK or no answer:
 * e.g. a device without codepage 2) is demoted to a rare retry instead of wasting the line.
 */
export class PollSchedule {
  private cycle = 0;
  private readonly fails = new Map<number, number>();
  private readonly o: Required<PollOptions>;
  private extra: number[] = [];

  constructor(o: PollOptions = {}) {
    this.o = { settingsEvery: 5, dateEvery: 60, failLimit: 3, backoffEvery: 30, ...o };
  }

  /** The requests of the next cycle, in order. */
  next(): number[] {
    const c = this.cycle++;
    const want: number[] = [Cmd.AlarmsCp1, Cmd.MeasuredCp1, Cmd.AlarmsCp2, Cmd.MeasuredCp2];
    if (c % this.o.settingsEvery === 0) want.push(Cmd.Settings, Cmd.TextMessages);
    if (c % this.o.dateEvery === 0) want.push(Cmd.DateTime);
    for (const e of this.extra) if (!want.includes(e)) want.push(e);
    this.extra = [];
    return want.filter((code) => (this.fails.get(code) ?? 0) < this.o.failLimit || c % this.o.backoffEvery === 0);
  }

  /** Ask for a request in the next cycle (e.g. date/time after the device says it changed). */
  soon(code: number): void { if (!this.extra.includes(code)) this.extra.push(code); }

  answered(code: number): void { this.fails.delete(code); }
  failed(code: number): void { this.fails.set(code, (this.fails.get(code) ?? 0) + 1); }
  /** Requests currently demoted. */
  demoted(): number[] { return [...this.fails].filter(([, n]) => n >= this.o.failLimit).map(([c]) => c); }
  restart(): void { this.cycle = 0; }
}
