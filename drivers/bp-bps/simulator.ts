import { SpotDeviceSim, type SpotSimOptions } from '../shared/spot-sim.js';
import { BPS, BpFeature, encodeBpFeature, encodeBpMeasurement } from './codec.js';
import { bpSample, meanPressure, type BpScenario } from './scenario.js';

/**
 * A BPS blood pressure monitor: Feature (read), Measurement (indicate, with time stamp, pulse,
 * user 1 and status), Intermediate Cuff Pressure (notify, never subscribed by the hub),
 * Current Time. Measurements follow the scenario (scenario.ts).
 */
export function createBpsSimulator(o: SpotSimOptions & { scenario: BpScenario }): SpotDeviceSim {
  const feature = encodeBpFeature(BpFeature.bodyMovement | BpFeature.cuffFit | BpFeature.irregularPulse | BpFeature.pulseRange | BpFeature.position);
  return new SpotDeviceSim(o, {
    service: BPS.service,
    measurement: BPS.measurement,
    extra: [
      { uuid: BPS.feature, properties: ['read'], onRead: () => feature },
      { uuid: BPS.intermediateCuff, properties: ['notify'] },
    ],
    frame: (n, at) => {
      const s = bpSample(o.scenario, n);
      return encodeBpMeasurement({ systolic: s.systolic, diastolic: s.diastolic, map: meanPressure(s), timestamp: at, pulse: s.pulse, userId: 1, status: s.irregular ? 0x04 : 0 });
    },
  });
}
