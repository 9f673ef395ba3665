import { codecs as cgmCodecs } from './cgm-cgms/codecs.js';
import { codecs as berrymedCodecs } from './oximeter-berrymed/codecs.js';
import { codecs as plxCodecs } from './oximeter-plxs/codecs.js';
import type { Codec } from './shared/codec.js';
import { sfloatCodecs } from './shared/sfloat.js';
import { codecs as medibusCodecs } from './ventilator-medibus/codecs.js';

/** The `carehub decode` registry: every codec the drivers contribute, by name (first wins). */
export const CODECS: ReadonlyMap<string, Codec> = (() => {
  const m = new Map<string, Codec>();
  for (const c of [...sfloatCodecs, ...plxCodecs, ...berrymedCodecs, ...cgmCodecs, ...medibusCodecs]) if (!m.has(c.name)) m.set(c.name, c);
  return m;
})();
