/**
 * Values (mg/dL, as meters measure) of the simulated blood glucose meter; `n` counts tests.
 * - normal: 95-140 mg/dL (5.3-7.8 mmol/L).
 * - hypo: every third test 50 mg/dL (2.8 mmol/L, level 2 hypoglycaemia), the others 65-75 mg/dL.
 */
export type GlucoseScenario = 'normal' | 'hypo';
export const GLUCOSE_SCENARIOS: readonly GlucoseScenario[] = ['normal', 'hypo'];
export const isGlucoseScenario = (s: string): s is GlucoseScenario => (GLUCOSE_SCENARIOS as readonly string[]).includes(s);

export function glucoseSample(s: GlucoseScenario, n: number): number {
  if (s === 'hypo') return n % 3 === 2 ? 50 : 70 + Math.round(Math.sin(n) * 5);
  return 117 + Math.round(Math.sin(n * 1.3) * 22);
}
