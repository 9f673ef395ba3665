import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { GpioAnnunciator } from '../../src/alarms/annunciators/gpio.js';
import { audioUnavailable, type Player } from '../../src/alarms/annunciators/player.js';
import { SoundAnnunciator } from '../../src/alarms/annunciators/sound.js';
import { burstSamples, informSamples, pulseCount, SAMPLE_RATE, sequenceWav, wavFile } from '../../src/alarms/annunciators/wav.js';
import { ConsoleAnnunciator } from '../../src/alarms/annunciators/console.js';
import type { Priority, TechnicalCondition } from '../../src/alarms/types.js';
import { rig } from './helpers.js';

/** Counts pulses: runs of sound separated by at least 20 ms of silence. */
function pulses(s: Int16Array): number {
  let n = 0;
  let quiet = Infinity;
  for (const v of s) {
    if (Math.abs(v) > 200) { if (quiet > SAMPLE_RATE * 0.02) n++; quiet = 0; } else quiet++;
  }
  return n;
}

describe('WAV generation', () => {
  it('writes a valid PCM 16-bit mono RIFF header', () => {
    const b = wavFile(new Int16Array([0, 1000, -1000]));
    expect(b.toString('ascii', 0, 4)).toBe('RIFF');
    expect(b.readUInt32LE(4)).toBe(36 + 6);
    expect(b.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect([b.readUInt16LE(20), b.readUInt16LE(22), b.readUInt32LE(24), b.readUInt16LE(34)]).toEqual([1, 1, SAMPLE_RATE, 16]);
    expect(b.toString('ascii', 36, 40)).toBe('data');
    expect(b.readUInt32LE(40)).toBe(6);
    expect(b.readInt16LE(46)).toBe(1000);
  });

  it('high is a 10-pulse burst, medium 3 pulses, low 2, at distinct pitches', () => {
    expect([pulseCount('high'), pulseCount('medium'), pulseCount('low')]).toEqual([10, 3, 2]);
    for (const p of ['high', 'medium', 'low'] as Priority[]) expect(pulses(burstSamples(p)), p).toBe(pulseCount(p));
    const max = Math.max(...burstSamples('high').map(Math.abs));
    expect(max).toBeGreaterThan(8000);
    expect(max).toBeLessThanOrEqual(32767);
  });

  it('the test sequence holds every priority', () => {
    const w = sequenceWav(['high', 'medium', 'low']);
    const s = new Int16Array(w.buffer.slice(w.byteOffset + 44, w.byteOffset + w.length));
    expect(pulses(s)).toBe(15);
  });
});

function fakePlayer(): { player: Player; played: number[]; finish: (err: Error | null) => void; stopped: number } {
  const st = { played: [] as number[], stopped: 0, finish: (_e: Error | null) => {} };
  const player: Player = (wav, done) => { st.played.push(wav.length); st.finish = done; return { stop: () => { st.stopped++; } }; };
  return Object.assign(st, { player });
}

describe('sound annunciator', () => {
  it('plays the burst of the audible priority at once and repeats it; silence stops it', () => {
    const clock = new FakeClock();
    const f = fakePlayer();
    const s = new SoundAnnunciator({ clock, log: silentLogger(), player: f.player, probe: () => null });
    s.attach(() => {});
    s.signal({ visual: 'high', audio: 'high', paused: false });
    expect(f.played).toHaveLength(1);
    clock.advance(30_000);
    expect(f.played).toHaveLength(4);
    s.signal({ visual: 'high', audio: null, paused: false });
    clock.advance(60_000);
    expect(f.played).toHaveLength(4);
    s.signal({ visual: 'low', audio: 'low', paused: false });
    clock.advance(60_000);
    expect(f.played).toHaveLength(5); // low: once
    s.stop();
  });

  it('without an audio device raises annunciator_failed once through the engine and stays quiet', () => {
    const clock = new FakeClock();
    const f = fakePlayer();
    const sound = new SoundAnnunciator({ clock, log: silentLogger(), player: f.player, probe: () => 'no sound card listed' });
    const r = rig({ clock, annunciators: [sound] });
    expect(r.kinds()).toEqual(['raised:annunciator_failed:medium']);
    expect(r.events[0]).toMatchObject({ device: 'annunciator:sound', category: 'technical' });
    r.engine.test();
    expect(f.played).toEqual([]);
  });

  it('a failing player raises annunciator_failed once; a later success clears it', () => {
    const clock = new FakeClock();
    const got: TechnicalCondition[] = [];
    const f = fakePlayer();
    const s = new SoundAnnunciator({ clock, log: silentLogger(), player: f.player, probe: () => null });
    s.attach((c) => got.push(c));
    s.signal({ visual: 'high', audio: 'high', paused: false });
    f.finish(new Error('aplay exited with 1'));
    clock.advance(10_000);
    f.finish(new Error('aplay exited with 1'));
    expect(got.map((c) => c.active)).toEqual([true]);
    clock.advance(10_000);
    f.finish(null);
    expect(got.map((c) => c.active)).toEqual([true, false]);
  });

  it('audioUnavailable reads the ALSA card list', () => {
    expect(audioUnavailable('/nonexistent/cards')).toMatch(/missing/);
  });
});

describe('gpio annunciator', () => {
  it('holds the line high while the audio signal sounds (buzzer)', () => {
    const values: number[] = [];
    let released = 0;
    const g = new GpioAnnunciator({ chip: '/dev/gpiochip0', line: 17, log: silentLogger(), probe: () => null, hold: (v) => { values.push(v); return () => { released++; }; } });
    g.attach(() => {});
    g.signal({ visual: 'medium', audio: 'medium', paused: false });
    g.signal({ visual: 'high', audio: 'high', paused: false });
    g.signal({ visual: 'high', audio: null, paused: true });
    expect(values).toEqual([0, 1, 0]);
    expect(released).toBe(2);
  });

  it('follows the visual signal as an LED', () => {
    const values: number[] = [];
    const g = new GpioAnnunciator({ chip: 'gpiochip0', line: 4, follow: 'visual', log: silentLogger(), probe: () => null, hold: (v) => { values.push(v); return () => {}; } });
    g.attach(() => {});
    g.signal({ visual: 'low', audio: null, paused: false });
    expect(values).toEqual([0, 1]);
  });

  it('without the chip or gpioset raises annunciator_failed', () => {
    const got: TechnicalCondition[] = [];
    const g = new GpioAnnunciator({ chip: '/dev/gpiochip9', line: 4, log: silentLogger() });
    g.attach((c) => got.push(c));
    expect(got).toMatchObject([{ code: 'annunciator_failed', device: 'annunciator:gpio', active: true }]);
    g.signal({ visual: 'high', audio: 'high', paused: false });
    expect(got).toHaveLength(1);
  });
});

describe('information signal (inform)', () => {
  it('the console writes one INFO line; the sound is one short pure tone unlike any alarm burst', () => {
    const out: string[] = [];
    const c = new ConsoleAnnunciator({ log: silentLogger(), out: (l) => out.push(l) });
    c.inform('Alarm rules changed remotely: version 7 by unsigned (2 changes)');
    expect(out).toEqual(['INFO  Alarm rules changed remotely: version 7 by unsigned (2 changes)']);
    const tone = informSamples();
    expect(pulses(tone)).toBe(1);
    expect(tone.length / SAMPLE_RATE).toBeLessThan(0.2);
    for (const p of ['high', 'medium', 'low'] as Priority[]) expect(pulseCount(p)).toBeGreaterThan(1);
  });

  it('plays only while no alarm sounds and never cuts an alarm burst short', () => {
    const clock = new FakeClock();
    const f = fakePlayer();
    const s = new SoundAnnunciator({ clock, log: silentLogger(), player: f.player, probe: () => null });
    s.attach(() => {});
    s.inform('x');
    expect(f.played).toEqual([wavFile(informSamples()).length]);
    f.finish(null);
    s.signal({ visual: 'medium', audio: 'medium', paused: false });
    const stopped = f.stopped;
    s.inform('y');
    expect(f.played).toHaveLength(2); // the medium burst only
    expect(f.stopped).toBe(stopped);
    s.stop();
  });
});
