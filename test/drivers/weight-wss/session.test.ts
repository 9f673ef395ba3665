import { describe } from 'vitest';
import { simBench } from '../shared/ble-bench.js';
import { wssSessionFlows } from './session-flows.js';

describe('WSS session through noble and the simulated bindings', () => wssSessionFlows(simBench));
