import { ok, type Codec } from '../shared/codec.js';
import { decodeFrame } from './codec.js';

/** `carehub decode berrymed`: one 5-byte frame (contract §6 field names). */
export const codecs: Codec[] = [
  {
    name: 'berrymed',
    description: 'BerryMed BM1000 oximeter 5-byte stream frame (transparent UART service)',
    decode(bytes) {
      const d = decodeFrame(bytes);
      if (!d.ok) return d;
      const f = d.value;
      return ok({
        spo2_pct: f.spo2, pr_bpm: f.pr, pleth: f.pleth, finger_present: !f.fingerOut && !f.probeUnplugged,
        probe_unplugged: f.probeUnplugged, pulse_searching: f.searching, signal_strength: f.signalStrength,
        bar_graph: f.barGraph, beep: f.beep,
      });
    },
  },
];
