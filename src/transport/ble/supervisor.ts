import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { LinkFact } from '../../../drivers/types.js';
import { PairingRequiredError } from './pairing-error.js';
import type { BleCentral, BleConnection, BondState } from './types.js';

export interface SuperviseOptions {
  central: BleCentral;
  address: string;
  log: Logger;
  clock: Clock;
  /** Link facts for the hub's link owner (which alone sets the state and raises `link_lost`). */
  linkFact(f: LinkFact): void;
  /** Runs after every (re)connect: subscribe, read features, backfill. A throw drops the link and retries. */
  run(conn: BleConnection): Promise<void>;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Told to the link owner with every `reaching` fact: `link_lost` when no session is set up (and no data comes) within this time. Default 60 s. */
  lostAfterMs?: number;
  connectTimeoutMs?: number;
  /** Jitter source in [0,1) (tests pin it). */
  random?: () => number;
  /**
   * The device refused its characteristics for want of pairing (`required`, and whether the host
   * had a bond that the device no longer accepts), or the session came up secured again.
   * Told on transitions only.
   */
  pairing?(p: { required: true; bondLost: boolean; detail: string } | { required: false }): void;
  /** The host's bond state with the device, read after every session set-up and every pairing refusal (status). */
  bond?(b: BondState): void;
  /** Retry interval while pairing is required (no reconnect loop). Default: backoffMaxMs. */
  pairingRetryMs?: number;
}

/**
 * Keeps one device connected forever: connect → run(conn) → wait for the link to drop →
 * reconnect with jittered exponential backoff (reset after a good link). It reports facts only:
 * `reaching` while connecting, after a drop and after a failed setup (each with `lostAfterMs`),
 * `answered` once `run` has set the session up (the device answered its GATT requests). A bare
 * GATT connection is not proof of life: a link that keeps flapping without a session set up
 * raises `link_lost` (in the link owner) after `lostAfterMs`.
 */
export function superviseBleLink(o: SuperviseOptions): { stop(): Promise<void> } {
  const log = o.log;
  const min = o.backoffMinMs ?? 1000;
  const max = o.backoffMaxMs ?? 60_000;
  const lostAfter = o.lostAfterMs ?? 60_000;
  const connectTimeout = o.connectTimeoutMs ?? 15_000;
  const random = o.random ?? Math.random;
  let stopped = false;
  let view: string | undefined;
  let conn: BleConnection | null = null;
  let wake: (() => void) | null = null;
  let failures = 0;
  let pairingRaised = false;

  const report = (f: LinkFact): void => {
    const key = f.fact === 'reaching' ? `${f.fact}:${f.detail ?? ''}` : f.fact;
    if (key !== view) log.info({ link: f.fact, detail: 'detail' in f ? f.detail : undefined }, 'link fact');
    view = key;
    o.linkFact(f);
  };
  const reaching = (detail: string): void => report({ fact: 'reaching', detail, lostAfterMs: lostAfter });
  const pause = (ms: number): Promise<void> => new Promise((r) => {
    const h = o.clock.setTimeout(() => { wake = null; r(); }, ms);
    wake = () => { o.clock.clearTimeout(h); wake = null; r(); };
  });
  const backoff = (): number => {
    const base = Math.min(max, min * 2 ** Math.min(failures, 20));
    return Math.round(base / 2 + (random() * base) / 2);
  };

  async function once(): Promise<void> {
    reaching('connecting');
    let c: BleConnection;
    try {
      c = await o.central.connect(o.address, connectTimeout);
    } catch (e) {
      failures++;
      log.debug({ err: e instanceof Error ? e.message : String(e), failures }, 'connect failed');
      await pause(backoff());
      return;
    }
    if (stopped) { await c.disconnect(); return; }
    conn = c;
    const dropped = new Promise<string>((r) => c.onDisconnect(r));
    reaching('connected, setting up the session');
    try {
      await o.run(c);
    } catch (e) {
      if (e instanceof PairingRequiredError) {
        if (o.bond) o.bond(await c.bond());
        await c.disconnect();
        conn = null;
        if (!pairingRaised) {
          pairingRaised = true;
          log.warn({ bondLost: e.bondLost, detail: e.detail }, e.bondLost ? 'bond lost: the device refuses the stored keys; run carehub pair' : 'device requires pairing; run carehub pair');
          o.pairing?.({ required: true, bondLost: e.bondLost, detail: e.detail });
        }
        if (stopped) return;
        reaching(e.bondLost ? 'bond lost' : 'pairing required');
        await pause(o.pairingRetryMs ?? max);
        return;
      }
      log.warn({ err: e instanceof Error ? e.message : String(e) }, 'session setup failed; dropping link');
      failures++;
      await c.disconnect();
      conn = null;
      if (stopped) return;
      reaching('session setup failed');
      await pause(backoff());
      return;
    }
    failures = 0;
    if (pairingRaised) {
      pairingRaised = false;
      log.info('device secured again');
      o.pairing?.({ required: false });
    }
    report({ fact: 'answered' });
    if (o.bond) o.bond(await c.bond());
    const stopWait = new Promise<string>((r) => { wake = () => r('stopped'); });
    const reason = await Promise.race([dropped, stopWait]);
    wake = null;
    conn = null;
    if (stopped) return;
    log.info({ reason }, 'link dropped');
    reaching(`link dropped: ${reason}`);
    await pause(backoff());
  }

  const loop = (async () => {
    while (!stopped) {
      try { await once(); } catch (e) {
        log.error({ err: e instanceof Error ? e.message : String(e) }, 'supervisor step failed');
        await pause(max);
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      const c = conn;
      conn = null;
      if (c) await c.disconnect().catch(() => undefined);
      await Promise.race([loop, new Promise((r) => setImmediate(r))]);
    },
  };
}
