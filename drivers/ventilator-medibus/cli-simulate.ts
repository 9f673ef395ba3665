// Entry point for `carehub simulate ventilator` (src/cli/simulate.ts imports it lazily).
export { runVentilatorSimulator, type VentilatorSimOptions, type VentilatorSimHandle } from './simulator.js';
