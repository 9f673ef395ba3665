import { describe } from 'vitest';
import { simBench } from '../shared/ble-bench.js';
import { cgmBackfillFlows } from './backfill-flows.js';

describe('CGMS backfill through noble and the simulator', () => cgmBackfillFlows(simBench));
