import type { TechnicalCondition } from '../../alarms/types.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { LinkState } from '../../../drivers/types.js';
import type { BleCentral, BleConnection } from './types.js';

export interface SuperviseOptions {
  central: BleCentral;
  address: string;
  log: Logger;
  clock: Clock;
  setLink(s: LinkState, detail?: string): void;
  technical(c: Omit<TechnicalCondition, 'device'>): void;
  /** Runs after every (re)connect: subscribe, read features, backfill. A throw drops the link and retries. */
  run(conn: BleConnection): Promise<void>;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Without a link for this long → link 'lost' and technical `link_lost`. Default 60 s. */
  lostAfterMs?: number;
  connectTimeoutMs?: number;
  /** Jitter source in [0,1) (tests pin it). */
  random?: () => number;
}

/**
 * Keeps one device connected forever: connect → run(conn) → wait for the link to drop →
 * reconnect with jittered exponential backoff (reset after a good link). Link states are
 * reported on transition only. After `lostAfterMs` without a link the device is 'lost' and the
 * technical condition `link_lost` is raised; it is cleared when the link comes back.
 */
export function superviseBleLink(o: SuperviseOptions): { stop(): Promise<void> } {
  const log = o.log;
  const min = o.backoffMinMs ?? 1000;
  const max = o.backoffMaxMs ?? 60_000;
  const lostAfter = o.lostAfterMs ?? 60_000;
  const connectTimeout = o.connectTimeoutMs ?? 15_000;
  const random = o.random ?? Math.random;
  let stopped = false;
  let link: LinkState | undefined;
  let lostTimer: TimerHandle | undefined;
  let lostRaised = false;
  let conn: BleConnection | null = null;
  let wake: (() => void) | null = null;
  let failures = 0;

  const setLink = (s: LinkState, detail?: string): void => {
    if (s === link) return;
    link = s;
    log.info({ link: s, detail }, 'link state');
    o.setLink(s, detail);
  };
  const armLost = (): void => {
    if (lostTimer || lostRaised) return;
    lostTimer = o.clock.setTimeout(() => {
      lostTimer = undefined;
      if (stopped || link === 'connected') return;
      setLink('lost', `no link for ${Math.round(lostAfter / 1000)} s`);
      lostRaised = true;
      o.technical({ code: 'link_lost', active: true, priority: 'medium', text: `No Bluetooth link to the device for ${Math.round(lostAfter / 1000)} s` });
    }, lostAfter);
  };
  const disarmLost = (): void => {
    if (lostTimer) o.clock.clearTimeout(lostTimer);
    lostTimer = undefined;
    if (lostRaised) {
      lostRaised = false;
      o.technical({ code: 'link_lost', active: false, priority: 'medium', text: 'Bluetooth link restored' });
    }
  };
  const pause = (ms: number): Promise<void> => new Promise((r) => {
    const h = o.clock.setTimeout(() => { wake = null; r(); }, ms);
    wake = () => { o.clock.clearTimeout(h); wake = null; r(); };
  });
  const backoff = (): number => {
    const base = Math.min(max, min * 2 ** Math.min(failures, 20));
    return Math.round(base / 2 + (random() * base) / 2);
  };

  async function once(): Promise<void> {
    if (link !== 'lost') setLink('connecting');
    armLost();
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
    disarmLost();
    setLink('connected');
    try {
      await o.run(c);
    } catch (e) {
      log.warn({ err: e instanceof Error ? e.message : String(e) }, 'session setup failed; dropping link');
      failures++;
      await c.disconnect();
      conn = null;
      if (stopped) return;
      setLink('connecting', 'session setup failed');
      armLost();
      await pause(backoff());
      return;
    }
    failures = 0;
    const stopWait = new Promise<string>((r) => { wake = () => r('stopped'); });
    const reason = await Promise.race([dropped, stopWait]);
    wake = null;
    conn = null;
    if (stopped) return;
    log.info({ reason }, 'link dropped');
    setLink('connecting', reason);
    armLost();
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
      if (lostTimer) o.clock.clearTimeout(lostTimer);
      lostTimer = undefined;
      const c = conn;
      conn = null;
      if (c) await c.disconnect().catch(() => undefined);
      await Promise.race([loop, new Promise((r) => setImmediate(r))]);
    },
  };
}
