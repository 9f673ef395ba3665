import type { Codec } from './shared/codec.js';
import { sfloatCodecs } from './shared/sfloat.js';

/** The `carehub decode` registry: every codec a driver contributes. */
export const CODECS: ReadonlyMap<string, Codec> = new Map([...sfloatCodecs].map((c) => [c.name, c]));
