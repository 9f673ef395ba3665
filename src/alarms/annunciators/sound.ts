import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { SignalState } from '../signals.js';
import type { Priority, TechnicalCondition } from '../types.js';
import { aplayPlayer, audioUnavailable, type Playback, type Player } from './player.js';
import type { Annunciator } from './types.js';
import { sequenceWav, wavFile, burstSamples, informSamples } from './wav.js';

/**
 * Audio alarm signal through ALSA. The burst of the highest audible priority plays at once and
 * repeats (high every 10 s, medium every 20 s; low plays once per change, as IEC 60601-1-8
 * allows). Without a sound device (no card in /proc/asound/cards, or no aplay) it raises the
 * technical condition `annunciator_failed` once; a player that fails raises it too, and a
 * later successful playback clears it. An information signal (inform) is one short pure tone,
 * played only while no alarm sounds (it never cuts an alarm burst short).
 */
export const REPEAT_MS: Record<Priority, number | null> = { high: 10_000, medium: 20_000, low: null };

export interface SoundOptions {
  clock: Clock;
  log: Logger;
  /** ALSA device (`aplay -D`), default device when absent. */
  device?: string;
  /** Injected in tests; default aplay. */
  player?: Player;
  /** Why sound is unavailable, or null; default looks at /proc/asound/cards and PATH. */
  probe?: () => string | null;
  report?: (c: TechnicalCondition) => void;
}

export class SoundAnnunciator implements Annunciator {
  readonly name = 'sound';
  private readonly wavs: Record<Priority, Buffer>;
  private readonly informWav = wavFile(informSamples());
  private readonly player: Player;
  private report: (c: TechnicalCondition) => void;
  private unavailable: string | null | undefined;
  private playing: Playback | undefined;
  private repeat: TimerHandle | undefined;
  private current: Priority | null = null;
  private failed = false;

  constructor(private readonly o: SoundOptions) {
    this.wavs = { high: wavFile(burstSamples('high')), medium: wavFile(burstSamples('medium')), low: wavFile(burstSamples('low')) };
    this.player = o.player ?? aplayPlayer(o.device);
    this.report = o.report ?? (() => {});
  }

  attach(report: (c: TechnicalCondition) => void): void {
    this.report = report;
    this.unavailable = (this.o.probe ?? (() => audioUnavailable()))();
    if (this.unavailable) {
      this.o.log.warn({ reason: this.unavailable }, 'no audio alarm output');
      this.fail(`Alarm sound unavailable: ${this.unavailable}`);
    }
  }

  signal(s: SignalState): void {
    if (s.audio === this.current) return;
    this.current = s.audio;
    this.halt();
    if (s.audio === null || this.unavailable) return;
    const p = s.audio;
    this.play(this.wavs[p]);
    const every = REPEAT_MS[p];
    if (every !== null) {
      this.repeat = this.o.clock.setInterval(() => this.play(this.wavs[p]), every);
      this.repeat.unref?.();
    }
  }

  inform(_text: string): void {
    if (this.unavailable || this.current !== null || this.playing) return;
    this.play(this.informWav);
  }

  test(priorities: Priority[]): void {
    if (this.unavailable) return;
    this.playing?.stop();
    this.play(sequenceWav(priorities));
  }

  stop(): void {
    this.current = null;
    this.halt();
  }

  private halt(): void {
    if (this.repeat) this.o.clock.clearInterval(this.repeat);
    this.repeat = undefined;
    this.playing?.stop();
    this.playing = undefined;
  }

  private play(wav: Buffer): void {
    this.playing?.stop();
    let pb: Playback | undefined;
    pb = this.player(wav, (err) => {
      if (pb !== undefined && this.playing === pb) this.playing = undefined;
      if (err) this.fail(`Alarm sound failed: ${err.message}`);
      else if (this.failed) {
        this.failed = false;
        this.report({ code: 'annunciator_failed', device: 'annunciator:sound', active: false, text: 'Alarm sound works again' });
      }
    });
    this.playing = pb;
  }

  private fail(text: string): void {
    if (this.failed) return;
    this.failed = true;
    this.report({ code: 'annunciator_failed', device: 'annunciator:sound', active: true, text });
  }
}
