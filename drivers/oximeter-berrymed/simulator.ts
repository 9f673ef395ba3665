import type { Clock, TimerHandle } from '../../src/core/clock.js';
import type { SimLink, SimPeripheral, SimSecurity, SimService } from '../../src/transport/ble/types.js';
import { oxiSample, type OxiScenario } from '../oximeter-plxs/scenario.js';
import { BERRYMED, encodeFrame } from './codec.js';

export interface BerrymedSimOptions {
  address: string;
  name?: string;
  /** LE security the device asks for (default none: many oximeters stream without pairing). */
  security?: SimSecurity;
  clock: Clock;
  scenario: OxiScenario;
  /** Frames per notification (default 4: 20-byte notifications at 25 Hz → 100 frames/s). */
  framesPerNotification?: number;
}

/**
 * A BerryMed BM1000 oximeter: streams 5-byte frames at 100 Hz on the transparent-UART notify
 * characteristic, following the scenario. Test controls: setFinger, setProbe, setInRange, dropLink, sendRaw.
 */
export class BerrymedSimulator implements SimPeripheral {
  readonly address: string;
  readonly name: string;
  readonly security: SimSecurity;
  readonly advertisedServices = [BERRYMED.service];
  readonly services: SimService[] = [{
    uuid: BERRYMED.service,
    characteristics: [
      { uuid: BERRYMED.notify, properties: ['notify'] },
      { uuid: BERRYMED.write, properties: ['write', 'writeWithoutResponse'], onWrite: () => undefined },
    ],
  }];
  private link: SimLink | null = null;
  private readonly timer: TimerHandle;
  private readonly t0: number;
  private frameNo = 0;
  private finger: boolean | null = null;
  private probe = true;
  private range: boolean | null = null;

  constructor(private readonly o: BerrymedSimOptions) {
    this.address = o.address.toUpperCase();
    this.security = o.security ?? { level: 'none' };
    this.name = o.name ?? 'BerryMed';
    this.t0 = o.clock.mono();
    const per = o.framesPerNotification ?? 4;
    this.timer = o.clock.setInterval(() => this.tick(per), per * 10);
    this.timer.unref?.();
  }

  rssi(): number { return this.inRange() ? -62 : -100; }
  inRange(): boolean { return this.range ?? oxiSample(this.o.scenario, this.o.clock.mono() - this.t0).inRange; }
  attach(link: SimLink): void { this.link = link; }
  detach(): void { this.link = null; }
  stop(): void { this.o.clock.clearInterval(this.timer); }

  setFinger(present: boolean | null): void { this.finger = present; }
  setProbe(plugged: boolean): void { this.probe = plugged; }
  setInRange(v: boolean | null): void { this.range = v; }
  dropLink(reason = 'remote user terminated (0x13)'): void { this.link?.disconnect(reason); }
  sendRaw(bytes: Uint8Array): void { this.link?.notify(BERRYMED.service, BERRYMED.notify, bytes); }

  private tick(per: number): void {
    if (!this.link) return;
    const out = new Uint8Array(per * 5);
    for (let i = 0; i < per; i++) out.set(this.frame(), i * 5);
    this.link.notify(BERRYMED.service, BERRYMED.notify, out);
  }

  private frame(): Uint8Array {
    const tMs = this.o.clock.mono() - this.t0;
    const s = oxiSample(this.o.scenario, tMs);
    const finger = this.finger ?? s.finger;
    const n = this.frameNo++;
    const phase = ((n * 10 * s.pr) / 60_000) % 1;
    const pleth = finger && this.probe ? 50 + 40 * Math.sin(2 * Math.PI * phase) * (phase < 0.5 ? 1 : 0.4) : 0;
    if (!this.probe) return encodeFrame({ spo2: null, pr: null, pleth: 0, probeUnplugged: true, signalStrength: 0 });
    if (!finger) return encodeFrame({ spo2: null, pr: null, pleth: 0, fingerOut: true, signalStrength: 0 });
    return encodeFrame({ spo2: s.spo2, pr: s.pr, pleth, beep: phase < 0.02, barGraph: Math.round(pleth / 12) });
  }
}
