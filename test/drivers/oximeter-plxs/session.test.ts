import { describe } from 'vitest';
import { simBench } from '../shared/ble-bench.js';
import { plxsSessionFlows } from './session-flows.js';

describe('PLXS session through noble and the simulated bindings', () => plxsSessionFlows(simBench));
