import type { DriverContext, DriverDefinition, DriverSession, SerialSimEndpoint, SimOptions } from '../types.js';
import { ventilationMetrics } from '../../src/core/metrics/ventilation.js';

/**
 * Draeger MEDIBUS ventilator over RS-232 (or tcp:// serial-over-IP, or a pty for the
 * built-in simulator). Implementation modules load lazily on first use.
 */
export const definition: DriverDefinition = {
  id: 'medibus',
  kind: 'ventilator',
  transport: 'serial',
  label: 'Ventilator (Draeger MEDIBUS, RS-232)',
  metrics: ventilationMetrics.map((m) => m.name),
  create(ctx: DriverContext): DriverSession {
    let inner: DriverSession | null = null;
    return {
      async start() {
        const { MedibusSession } = await import('./session.js');
        inner = new MedibusSession(ctx);
        await inner.start();
      },
      async stop() {
        await inner?.stop();
      },
    };
  },
  simulator: {
    transport: 'serial',
    async start(opts: SimOptions): Promise<SerialSimEndpoint> {
      const { runVentilatorSimulator, simLinkPath, isScenario } = await import('./simulator.js');
      let scenario = opts.scenario;
      if (!isScenario(scenario)) {
        opts.log.warn({ scenario }, 'no such ventilator scenario; using normal');
        scenario = 'normal';
      }
      const sim = await runVentilatorSimulator({
        scenario, log: opts.log, clock: opts.clock, linkPath: simLinkPath(opts.device.id),
      });
      return { path: sim.path ?? simLinkPath(opts.device.id), stop: () => sim.stop(), inject: (b) => sim.inject(b) };
    },
  },
};
