import { loadDriver } from '../../drivers/index.js';
import type { DriverDefinition, DriverSession, SerialSimEndpoint } from '../../drivers/types.js';
import { defaultProtocol, type BleConfig, type DeviceConfig } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { SimFaults } from '../rig/sim-faults.js';
import { chooseBindings, type BindingsChoice } from '../transport/ble/bindings-choice.js';
import { createNobleCentral } from '../transport/ble/noble-central.js';
import { bleAddressOf } from '../transport/ble/sim-address.js';
import { SimulatedBindings } from '../transport/ble/sim-bindings.js';
import type { BleCentral, SimPeripheral } from '../transport/ble/types.js';
import { spareSimPeripherals } from './sim-spares.js';
import { makeDriverContext, type DriverContextDeps, type HubDriverContext } from './driver-context.js';

/** The running devices of a hub: drivers, their simulators and the shared BLE centrals. */
export class DeviceRunner {
  private sessions: Array<{ id: string; session: DriverSession; ctx: HubDriverContext }> = [];
  private serialSims: SerialSimEndpoint[] = [];
  private peripherals: SimPeripheral[] = [];
  private centrals: BleCentral[] = [];
  private bleChoice: (BindingsChoice & { central: BleCentral }) | null = null;
  private simBle: { central: BleCentral; bindings: SimulatedBindings } | null = null;
  private bleConfig: BleConfig = { bindings: 'auto', adapter: 'hci0' };
  /** Fault injection into the simulated devices (`carehub rig`); wraps only `simulate:` devices. */
  readonly faults: SimFaults;

  constructor(private readonly log: Logger, private readonly clock: Clock) {
    this.faults = new SimFaults(clock, log.child('rig'));
  }

  /** The real BLE stack in use (bindings, adapter, why, adapter state); null without real BLE devices. */
  ble(): { bindings: string; adapter: string; reason: string; state: string } | null {
    const c = this.bleChoice;
    return c ? { bindings: c.bindings, adapter: c.adapter, reason: c.reason, state: c.central.state() } : null;
  }

  /**
   * The hub's own BLE centrals for the console's pairing wizard (one central per adapter, never
   * a second): the simulated one with its bindings, and the real one. A hub without a real BLE
   * device has no real central; `openReal` then opens it once (kept and closed with the others;
   * an adapter it cannot use is logged, not raised: no device depends on it yet).
   */
  pairingBle(): { sim: { central: BleCentral; bindings: SimulatedBindings } | null; real: (BindingsChoice & { central: BleCentral }) | null; openReal(): Promise<BindingsChoice & { central: BleCentral }> } {
    const self = this;
    return {
      get sim() { return self.simBle; },
      get real() { return self.bleChoice; },
      openReal: async () => {
        if (this.bleChoice) return this.bleChoice;
        const choice = await chooseBindings(this.bleConfig);
        if (this.bleChoice) return this.bleChoice;
        const log = this.log.child('ble:pairing');
        log.info({ bindings: choice.bindings, adapter: choice.adapter, reason: choice.reason }, 'BLE stack opened for pairing');
        const central = createNobleCentral({ bindings: choice.bindings, adapter: choice.adapter, log, clock: this.clock, technical: (c) => log.warn({ code: c.code, active: c.active }, c.text) });
        this.centrals.push(central);
        this.bleChoice = { ...choice, central };
        return this.bleChoice;
      },
    };
  }

  async start(devices: readonly DeviceConfig[], deps: Omit<DriverContextDeps, 'ble' | 'serialPath'>, bleConfig: BleConfig = { bindings: 'auto', adapter: 'hci0' }): Promise<void> {
    const defs = new Map<string, DriverDefinition>();
    for (const d of devices) defs.set(d.id, await loadDriver(d.protocol ?? defaultProtocol(d.kind)));

    // One central for the real adapter, one for simulated peripherals (noble over simulated bindings).
    const needsReal = devices.some((d) => d.transport === 'ble' && !d.simulate);
    const simBle = devices.filter((d) => d.transport === 'ble' && d.simulate);
    let real: BleCentral | undefined;
    let sim: BleCentral | undefined;
    if (needsReal) {
      const choice = await chooseBindings(bleConfig);
      this.log.info({ bindings: choice.bindings, adapter: choice.adapter, reason: choice.reason }, 'BLE stack');
      real = createNobleCentral({ bindings: choice.bindings, adapter: choice.adapter, log: this.log.child('ble'), clock: this.clock, technical: (c) => deps.alarms.technical(c) });
      this.centrals.push(real);
      this.bleChoice = { ...choice, central: real };
    }
    if (simBle.length > 0) {
      const bindings = new SimulatedBindings({ clock: this.clock });
      for (const d of simBle) {
        const def = defs.get(d.id);
        if (def?.simulator?.transport !== 'ble') throw new Error(`${d.id}: protocol ${def?.id ?? '?'} has no BLE simulator`);
        const p = this.faults.peripheral(d.id, def.simulator.create({ device: d, scenario: d.simulate ?? 'normal', clock: this.faults.clock, log: this.log.child(`sim:${d.id}`), timeZone: deps.timeZone }));
        this.peripherals.push(p);
        bindings.addPeripheral(p, { bonded: true }); // a `simulate:` device counts as paired
      }
      // spare simulated devices, in no config, for the console's pairing wizard
      const taken = new Set(devices.filter((d) => d.transport === 'ble').map((d) => bleAddressOf(d)));
      for (const p of await spareSimPeripherals(this.faults.clock, taken)) {
        this.peripherals.push(p);
        bindings.addPeripheral(p, { bonded: false });
      }
      sim = createNobleCentral({ bindings, log: this.log.child('ble:sim'), clock: this.clock, technical: (c) => deps.alarms.technical(c) });
      this.centrals.push(sim);
      this.simBle = { central: sim, bindings };
    }
    this.bleConfig = bleConfig;

    for (const d of devices) {
      const def = defs.get(d.id);
      if (!def) continue;
      let serialPath: string | undefined = d.path;
      if (d.transport === 'serial' && d.simulate) {
        if (def.simulator?.transport !== 'serial') throw new Error(`${d.id}: protocol ${def.id} has no serial simulator`);
        const sim = def.simulator;
        const startSim = () => sim.start({ device: d, scenario: d.simulate ?? 'normal', clock: this.faults.clock, log: this.log.child(`sim:${d.id}`), timeZone: deps.timeZone });
        const ep = this.faults.serial(d.id, await startSim(), startSim);
        this.serialSims.push(ep);
        serialPath = ep.path;
      }
      const ctxDeps: DriverContextDeps = d.simulate ? { ...deps, clock: this.faults.clock } : { ...deps };
      if (d.transport === 'ble') {
        const c = d.simulate ? sim : real;
        if (c) ctxDeps.ble = c;
      }
      if (serialPath) ctxDeps.serialPath = serialPath;
      const ctx = makeDriverContext(d, ctxDeps);
      const session = def.create(ctx);
      this.sessions.push({ id: d.id, session, ctx });
      // A driver that fails to start is reported and retried by its own supervision; never fatal.
      session.start().catch((err: unknown) => this.log.error({ device: d.id, err: (err as Error).message }, 'driver failed to start'));
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.sessions.map(({ session }) => session.stop()));
    for (const { ctx } of this.sessions) ctx.close(); // ends the link owner's timers
    this.sessions = [];
    for (const p of this.peripherals) p.stop();
    this.peripherals = [];
    await Promise.allSettled(this.serialSims.map((s) => s.stop()));
    this.serialSims = [];
    await Promise.allSettled(this.centrals.map((c) => c.close()));
    this.centrals = [];
    this.bleChoice = null;
    this.simBle = null;
  }
}
