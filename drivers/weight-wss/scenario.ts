/**
 * Weights of the simulated scale, by scenario; `n` counts weighings (one per `measureEveryMs`).
 * - normal: 78.0 kg ± 0.1 kg.
 * - weight-gain: fluid retention as in decompensating heart failure: +1.2 kg per weighing from
 *   78.0 kg, so the third weighing is more than 2 kg above the first (ESC 2021: "more than 2 kg
 *   in 3 days").
 */
export type WeightScenario = 'normal' | 'weight-gain';
export const WEIGHT_SCENARIOS: readonly WeightScenario[] = ['normal', 'weight-gain'];
export const isWeightScenario = (s: string): s is WeightScenario => (WEIGHT_SCENARIOS as readonly string[]).includes(s);

export const HEIGHT_M = 1.76;

export function weightSample(s: WeightScenario, n: number): number {
  const base = 78 + Math.round(Math.sin(n * 2.3) * 20) * 0.005;
  return Number((Math.round((s === 'weight-gain' ? base + 1.2 * n : base) / 0.005) * 0.005).toFixed(3));
}
