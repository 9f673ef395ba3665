/**
 * Weights of the simulated scale, by scenario; `n` counts weighings (one per `measureEveryMs`).
 * - normal: 78.0 kg ± 0.3 kg.
 * - weight-gain: fluid retention as in decompensating heart failure: +0.8 kg per weighing from
 *   78.0 kg, so three weighings gain more than 2 kg (ESC 2021: "more than 2 kg in 3 days").
 */
export type WeightScenario = 'normal' | 'weight-gain';
export const WEIGHT_SCENARIOS: readonly WeightScenario[] = ['normal', 'weight-gain'];
export const isWeightScenario = (s: string): s is WeightScenario => (WEIGHT_SCENARIOS as readonly string[]).includes(s);

export const HEIGHT_M = 1.76;

export function weightSample(s: WeightScenario, n: number): number {
  const base = 78 + Math.round(Math.sin(n * 2.3) * 60) * 0.005;
  return Math.round((s === 'weight-gain' ? base + 0.8 * n : base) / 0.005) * 0.005;
}
