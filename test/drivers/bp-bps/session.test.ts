import { describe } from 'vitest';
import { simBench } from '../shared/ble-bench.js';
import { bpsSessionFlows } from './session-flows.js';

describe('BPS session through noble and the simulated bindings', () => bpsSessionFlows(simBench));
