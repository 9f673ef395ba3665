import { SpotDeviceSim, type SpotSimOptions } from '../shared/spot-sim.js';
import { encodeWeightFeature, encodeWeightMeasurement, WSS } from './codec.js';
import { HEIGHT_M, weightSample, type WeightScenario } from './scenario.js';

/**
 * A WSS weight scale: Feature (read: time stamp, BMI, 0.005 kg and 0.001 m resolution),
 * Weight Measurement (indicate, SI, time stamp, user 1, BMI and height), Current Time.
 */
export function createWssSimulator(o: SpotSimOptions & { scenario: WeightScenario }): SpotDeviceSim {
  const feature = encodeWeightFeature({ timestamp: true, multipleUsers: true, bmi: true, weightResolution: 7, heightResolution: 3 });
  return new SpotDeviceSim(o, {
    service: WSS.service,
    measurement: WSS.measurement,
    extra: [{ uuid: WSS.feature, properties: ['read'], onRead: () => feature }],
    frame: (n, at) => {
      const kg = weightSample(o.scenario, n);
      return encodeWeightMeasurement({ kg, timestamp: at, userId: 1, bmi: Math.round((kg / HEIGHT_M ** 2) * 10) / 10, heightM: HEIGHT_M });
    },
  });
}
