import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { NobleCharacteristic, NoblePeripheral } from './noble-types.js';
import { isSecurityRefusal, PairingRequiredError } from './pairing-error.js';
import { norm } from './sim-bindings.js';
import { withTimeout } from './timeout.js';
import type { BleConnection, BondState } from './types.js';

/** A connected peripheral as the BleConnection port. Every GATT operation has a timeout. */
export class NobleConnection implements BleConnection {
  readonly address: string;
  private readonly chars = new Map<string, NobleCharacteristic>();
  private readonly disconnectFns: ((reason: string) => void)[] = [];
  private closed = false;

  constructor(
    private readonly p: NoblePeripheral,
    chars: NobleCharacteristic[],
    serviceOf: Map<NobleCharacteristic, string>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opTimeoutMs: number,
    private readonly onActivity: () => void,
    private readonly bondedFn: () => boolean | null | Promise<boolean | null> = () => null,
    private readonly bondFn: () => BondState | Promise<BondState> = () => 'unknown',
  ) {
    this.address = p.address.toUpperCase();
    for (const c of chars) this.chars.set(`${serviceOf.get(c) ?? ''}/${norm(c.uuid)}`, c);
    p.once('disconnect', (reason: unknown) => this.closedBy(typeof reason === 'string' ? reason : `reason ${String(reason)}`));
  }

  async bonded(): Promise<boolean | null> {
    try { return await this.bondedFn(); } catch { return null; }
  }

  async bond(): Promise<BondState> {
    try { return await this.bondFn(); } catch { return 'unknown'; }
  }

  has(service: string, characteristic: string): boolean {
    return this.chars.has(`${norm(service)}/${norm(characteristic)}`);
  }

  async read(service: string, characteristic: string): Promise<Uint8Array> {
    const c = this.get(service, characteristic);
    const b = await this.secured(withTimeout(c.readAsync(), this.opTimeoutMs, this.clock, `read ${characteristic}`));
    this.onActivity();
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }

  async write(service: string, characteristic: string, data: Uint8Array, withoutResponse = false): Promise<void> {
    const c = this.get(service, characteristic);
    await this.secured(withTimeout(c.writeAsync(Buffer.from(data), withoutResponse), this.opTimeoutMs, this.clock, `write ${characteristic}`));
  }

  async subscribe(service: string, characteristic: string, onData: (data: Uint8Array) => void): Promise<void> {
    const c = this.get(service, characteristic);
    c.removeAllListeners('data');
    c.on('data', (data: Buffer, isNotification: boolean) => {
      if (!isNotification || this.closed) return;
      this.onActivity();
      try {
        onData(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      } catch (e) {
        this.log.error({ err: e instanceof Error ? e.message : String(e), characteristic }, 'notification handler threw');
      }
    });
    await this.secured(withTimeout(c.subscribeAsync(), this.opTimeoutMs, this.clock, `subscribe ${characteristic}`));
  }

  onDisconnect(fn: (reason: string) => void): void {
    if (this.closed) queueMicrotask(() => fn('already disconnected'));
    else this.disconnectFns.push(fn);
  }

  async disconnect(): Promise<void> {
    if (this.closed) return;
    const done = new Promise<void>((r) => this.onDisconnect(() => r()));
    this.p.disconnectAsync().catch(() => undefined);
    await withTimeout(done, this.opTimeoutMs, this.clock, 'disconnect').catch(() => this.closedBy('local disconnect timeout'));
  }

  /** A security refusal becomes a PairingRequiredError (bond lost when the host holds keys). */
  private async secured<T>(op: Promise<T>): Promise<T> {
    try {
      return await op;
    } catch (e) {
      if (isSecurityRefusal(e)) throw new PairingRequiredError((await this.bonded()) === true, e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  private get(service: string, characteristic: string): NobleCharacteristic {
    if (this.closed) throw new Error('not connected');
    const c = this.chars.get(`${norm(service)}/${norm(characteristic)}`);
    if (!c) throw new Error(`characteristic ${norm(characteristic)} of service ${norm(service)} not found`);
    return c;
  }

  private closedBy(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.chars.values()) c.removeAllListeners('data');
    for (const fn of this.disconnectFns.splice(0)) {
      try { fn(reason); } catch (e) { this.log.error({ err: String(e) }, 'disconnect listener threw'); }
    }
  }
}
