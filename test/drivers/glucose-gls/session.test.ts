import { describe } from 'vitest';
import { simBench } from '../shared/ble-bench.js';
import { glsSessionFlows } from './session-flows.js';

describe('GLS session: RACP backfill by sequence number', () => glsSessionFlows(simBench));
