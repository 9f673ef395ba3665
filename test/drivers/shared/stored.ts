import type { ReadingJson } from '../../../src/core/reading.js';
import type { FakeDriverContext } from '../../helpers/fake-driver-context.js';

/** Readings of one metric as the store holds them (what the uplink will publish), in seq order. */
export function storedReadings(ctx: FakeDriverContext, metric: string): ReadingJson[] {
  return ctx.store.pending(1, 0, 10_000).filter((r) => r.type === 'reading').map((r) => JSON.parse(r.payload) as ReadingJson).filter((r) => r.metric === metric);
}
