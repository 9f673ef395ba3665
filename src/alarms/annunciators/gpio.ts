import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Logger } from '../../core/log.js';
import type { SignalState } from '../signals.js';
import type { Priority, TechnicalCondition } from '../types.js';
import { onPath } from './player.js';
import type { Annunciator } from './types.js';

/**
 * A buzzer or LED on one line of a Linux GPIO character device (/dev/gpiochipN). No native GPIO
 * library is installed, so the line is driven with `gpioset` from libgpiod (package `gpiod`):
 * one `gpioset` process holds the line at its value (v1: `--mode=signal`, v2 holds by default)
 * and is replaced when the value changes. `follow: 'audio'` (buzzer, default) drives the line
 * while the audio signal sounds, so acknowledge and audio pause silence it; `follow: 'visual'`
 * (LED) drives it while any alarm is active. Without the chip or gpioset it raises the
 * technical condition `annunciator_failed` (device `annunciator:gpio`).
 */
export interface GpioOptions {
  /** `/dev/gpiochip0` or `gpiochip0`. */
  chip: string;
  line: number;
  log: Logger;
  follow?: 'audio' | 'visual';
  /** Injected in tests: starts a holder process for a value; returns a stop function. */
  hold?: (value: 0 | 1, failed: (err: Error) => void) => () => void;
  probe?: () => string | null;
  report?: (c: TechnicalCondition) => void;
}

export class GpioAnnunciator implements Annunciator {
  readonly name = 'gpio';
  private report: (c: TechnicalCondition) => void;
  private unavailable: string | null | undefined;
  private value: 0 | 1 | undefined;
  private release: (() => void) | undefined;
  private failed = false;
  private hold: (value: 0 | 1, failed: (err: Error) => void) => () => void;

  constructor(private readonly o: GpioOptions) {
    this.report = o.report ?? (() => {});
    this.hold = o.hold ?? ((v, f) => this.gpioset(v, f));
  }

  attach(report: (c: TechnicalCondition) => void): void {
    this.report = report;
    this.unavailable = (this.o.probe ?? (() => this.probe()))();
    if (this.unavailable) {
      this.o.log.warn({ reason: this.unavailable }, 'no GPIO alarm output');
      this.fail(`GPIO alarm output unavailable: ${this.unavailable}`);
      return;
    }
    this.set(0);
  }

  signal(s: SignalState): void {
    this.set((this.o.follow ?? 'audio') === 'audio' ? (s.audio ? 1 : 0) : s.visual ? 1 : 0);
  }

  test(_priorities: Priority[]): void {
    if (this.unavailable) return;
    const before = this.value ?? 0;
    this.set(1);
    setTimeout(() => this.set(before), 1500).unref();
  }

  stop(): void {
    if (!this.unavailable && this.value === 1) this.set(0);
    this.release?.();
    this.release = undefined;
  }

  private set(v: 0 | 1): void {
    if (this.unavailable || v === this.value) return;
    this.value = v;
    this.release?.();
    this.release = this.hold(v, (err) => this.fail(`GPIO alarm output failed: ${err.message}`));
  }

  private fail(text: string): void {
    if (this.failed) return;
    this.failed = true;
    this.report({ code: 'annunciator_failed', device: 'annunciator:gpio', active: true, text });
  }

  private chipName(): string {
    return this.o.chip.replace(/^\/dev\//, '');
  }

  private probe(): string | null {
    if (!existsSync(`/dev/${this.chipName()}`)) return `GPIO chip /dev/${this.chipName()} not found`;
    if (!onPath('gpioset')) return 'gpioset not found on PATH (install libgpiod tools: gpiod)';
    return null;
  }

  private v1: boolean | undefined;

  private gpioset(v: 0 | 1, failed: (err: Error) => void): () => void {
    if (this.v1 === undefined) {
      const r = spawnSync('gpioset', ['--version'], { encoding: 'utf8', timeout: 1000 });
      this.v1 = /v1\./.test(`${r.stdout ?? ''}`);
    }
    const chip = this.chipName();
    const args = this.v1 ? ['--mode=signal', chip, `${this.o.line}=${v}`] : ['-c', chip, `${this.o.line}=${v}`];
    let stopped = false;
    const child = spawn('gpioset', args, { stdio: 'ignore' });
    child.on('error', (err) => failed(err));
    child.on('exit', (code, sig) => { if (!stopped) failed(new Error(`gpioset exited with ${code ?? sig}`)); });
    return () => { stopped = true; child.kill('SIGTERM'); };
  }
}
