import type { Priority } from '../types.js';

/**
 * Alarm sounds generated in code as 16-bit mono PCM WAV, in the spirit of IEC 60601-1-8:
 * each pulse is a harmonic tone (fundamental plus four harmonics) with a rise and fall of about
 * 15 % of its length; high priority is a burst of 10 pulses (3 + 2, pause, 3 + 2), medium a burst
 * of 3 pulses, low 2 pulses at a lower pitch and slower pace.
 */
export const SAMPLE_RATE = 16_000;

interface Pattern {
  freqHz: number;
  pulseMs: number;
  /** Gap after each pulse, ms (one entry per pulse). */
  gapsMs: number[];
}

const PATTERNS: Record<Priority, Pattern> = {
  high: { freqHz: 587, pulseMs: 150, gapsMs: [90, 90, 300, 90, 900, 90, 90, 300, 90, 0] },
  medium: { freqHz: 494, pulseMs: 200, gapsMs: [160, 160, 0] },
  low: { freqHz: 392, pulseMs: 230, gapsMs: [260, 0] },
};

export function pulseCount(p: Priority): number {
  return PATTERNS[p].gapsMs.length;
}

/** PCM samples of one priority's burst. */
export function burstSamples(p: Priority): Int16Array {
  const pat = PATTERNS[p];
  const pulseN = Math.round((pat.pulseMs / 1000) * SAMPLE_RATE);
  const total = pat.gapsMs.reduce((n, g) => n + pulseN + Math.round((g / 1000) * SAMPLE_RATE), 0);
  const out = new Int16Array(total);
  const ramp = Math.max(1, Math.round(pulseN * 0.15));
  let at = 0;
  for (const gap of pat.gapsMs) {
    for (let i = 0; i < pulseN; i++) {
      const env = Math.min(1, i / ramp, (pulseN - 1 - i) / ramp);
      const t = i / SAMPLE_RATE;
      let v = 0;
      for (let h = 1; h <= 5; h++) v += Math.sin(2 * Math.PI * pat.freqHz * h * t) / h;
      out[at + i] = Math.round(env * v * 0.45 * 32767 / 1.5);
    }
    at += pulseN + Math.round((gap / 1000) * SAMPLE_RATE);
  }
  return out;
}

/** A RIFF/WAVE file (PCM, 16 bit, mono) holding the given samples. */
export function wavFile(samples: Int16Array, sampleRate = SAMPLE_RATE): Buffer {
  const data = samples.length * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVE', 8, 'ascii');
  b.write('fmt ', 12, 'ascii');
  b.writeUInt32LE(16, 16); // fmt chunk size
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * 2, 28); // byte rate
  b.writeUInt16LE(2, 32); // block align
  b.writeUInt16LE(16, 34); // bits per sample
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(data, 40);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(samples[i]!, 44 + i * 2);
  return b;
}

/** The bursts of the given priorities one after another, one second apart, as one WAV file. */
export function sequenceWav(priorities: Priority[]): Buffer {
  const gap = new Int16Array(SAMPLE_RATE);
  const parts: Int16Array[] = [];
  priorities.forEach((p, i) => { if (i > 0) parts.push(gap); parts.push(burstSamples(p)); });
  const all = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return wavFile(all);
}

/**
 * The information signal: ONE short pure tone (no harmonics, 120 ms, 1047 Hz, a third of the
 * alarm level). Every alarm burst is a harmonic tone of 2 to 10 pulses at 392-587 Hz, so it cannot
 * be taken for one (IEC 60601-1-8 asks information signals to differ from alarm signals).
 */
export function informSamples(): Int16Array {
  const n = Math.round(0.12 * SAMPLE_RATE);
  const ramp = Math.round(n * 0.2);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const env = Math.min(1, i / ramp, (n - 1 - i) / ramp);
    out[i] = Math.round(env * Math.sin(2 * Math.PI * 1047 * (i / SAMPLE_RATE)) * 0.15 * 32767);
  }
  return out;
}
