import { parseByteSize } from '../config/schema.js';
import type { Scenario } from './scenario-schema.js';

/** What the timeline can do; the runner binds these to its broker, hub process and control socket. */
export interface RigActions {
  brokerDown(): Promise<void>;
  brokerUp(): Promise<void>;
  hubKill(): Promise<void>;
  hubStart(): Promise<void>;
  hubRestart(): Promise<void>;
  diskBudget(maxBytes: number): Promise<void>;
  fault(args: Record<string, unknown>): Promise<unknown>;
}

export interface PlannedStep {
  at: number;
  label: string;
  run(): Promise<unknown>;
}

/**
 * The scenario's timeline as primitive steps in time order. A step with `seconds` on
 * broker-down or hub-kill gets its own undo step (broker-up, hub start) `seconds` later;
 * device faults with a duration are undone by the hub's simulator itself.
 */
export function planTimeline(s: Scenario, a: RigActions): PlannedStep[] {
  const steps: PlannedStep[] = [];
  s.timeline.forEach((t, i) => {
    const tag = `timeline[${i}] ${t.action}`;
    switch (t.action) {
      case 'broker-down':
        steps.push({ at: t.at, label: tag, run: () => a.brokerDown() });
        if (t.seconds !== undefined) steps.push({ at: t.at + t.seconds, label: `${tag} (back up)`, run: () => a.brokerUp() });
        break;
      case 'broker-up':
        steps.push({ at: t.at, label: tag, run: () => a.brokerUp() });
        break;
      case 'hub-kill':
        steps.push({ at: t.at, label: tag, run: () => a.hubKill() });
        if (t.seconds !== undefined) steps.push({ at: t.at + t.seconds, label: `${tag} (started again)`, run: () => a.hubStart() });
        break;
      case 'hub-restart':
        steps.push({ at: t.at, label: tag, run: () => a.hubRestart() });
        break;
      case 'disk-budget-exhausted':
        steps.push({ at: t.at, label: `${tag} (${t.maxBytes})`, run: () => a.diskBudget(parseByteSize(t.maxBytes)) });
        break;
      case 'ble-link-drop':
      case 'serial-cable-pull':
        steps.push({ at: t.at, label: `${tag} ${t.device}`, run: () => a.fault({ action: t.action, device: t.device, seconds: t.seconds }) });
        break;
      case 'garbage-bytes':
        steps.push({ at: t.at, label: `${tag} ${t.device}`, run: () => a.fault({ action: t.action, device: t.device, count: t.count }) });
        break;
      case 'clock-jump':
        steps.push({ at: t.at, label: `${tag} ${t.seconds > 0 ? '+' : ''}${t.seconds} s`, run: () => a.fault({ action: t.action, seconds: t.seconds }) });
        break;
    }
  });
  // stable: steps at the same second keep file order
  return steps.map((st, i) => ({ st, i })).sort((x, y) => x.st.at - y.st.at || x.i - y.i).map((x) => x.st);
}
