import { codecs as bpCodecs } from './bp-bps/codecs.js';
import { codecs as cgmCodecs } from './cgm-cgms/codecs.js';
import { codecs as glucoseCodecs } from './glucose-gls/codecs.js';
import { codecs as berrymedCodecs } from './oximeter-berrymed/codecs.js';
import { codecs as plxCodecs } from './oximeter-plxs/codecs.js';
import type { Codec } from './shared/codec.js';
import { sfloatCodecs } from './shared/sfloat.js';
import { codecs as medibusCodecs } from './ventilator-medibus/codecs.js';
import { codecs as weightCodecs } from './weight-wss/codecs.js';

/** The `carehub decode` registry: every codec the drivers contribute, by name (first wins). */
export const CODECS: ReadonlyMap<string, Codec> = (() => {
  const m = new Map<string, Codec>();
  for (const c of [...sfloatCodecs, ...plxCodecs, ...berrymedCodecs, ...cgmCodecs, ...medibusCodecs, ...bpCodecs, ...weightCodecs, ...glucoseCodecs]) if (!m.has(c.name)) m.set(c.name, c);
  return m;
})();
