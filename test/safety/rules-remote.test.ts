import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { brokerProtocolVersion, hasMosquitto, startBroker, type TestBroker } from '../helpers/broker.js';
import { makeSigner, nowS } from '../uplink/signing.js';
import { sleep, Subscriber, waitFor } from '../uplink/util.js';
import { startMiniHub, tempDir, type MiniHub } from './rules-helpers.js';

// Issue 10 (1) and (2) against a real broker: hostile and absurd remote rule sets are refused as a
// whole with their reasons while an SpO2 alarm stays active; a floor-respecting tightening is
// accepted, persisted, published retained on alarms/rules and announced locally; signatures,
// retained and old commands.
let broker: TestBroker;
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(async () => { broker = await startBroker(); });
afterAll(async () => { await broker.dispose(); });
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

let hubN = 0;
async function setup(opts: { commandKey?: string; commandMaxAgeS?: number; protocolVersion?: 4 | 5 } = {}) {
  const hub = `hub-rr${hubN++}`;
  const t = tempDir('carehub-rules-');
  const protocolVersion = opts.protocolVersion ?? brokerProtocolVersion;
  const h = await startMiniHub({ url: broker.url, hub, protocolVersion, dir: t.dir, ...opts });
  cleanups.push(() => t.remove());
  cleanups.push(() => h.stop());
  await waitFor(() => h.uplink.state() === 'connected', 10_000, 'hub connected');
  // an anonymous client: the broker of this test has no ACL (see acl test for the one that does)
  const backend = await Subscriber.open(broker.url, `carehub/${hub}/#`, { protocolVersion });
  cleanups.push(() => backend.close());
  let n = 0;
  const send = async (body: Record<string, unknown>, o: { retain?: boolean } = {}): Promise<Record<string, unknown>> => {
    const id = typeof body.id === 'string' ? body.id : `c${n++}`;
    const before = backend.on(`carehub/${hub}/cmd/alarm-rules/reply`).length;
    await backend.client.publishAsync(`carehub/${hub}/cmd/alarm-rules`, JSON.stringify({ id, ...body }), { qos: 1, retain: o.retain ?? false });
    const m = await backend.waitFor(() => backend.on(`carehub/${hub}/cmd/alarm-rules/reply`).slice(before).find((r) => (JSON.parse(r.payload) as { id: unknown }).id === id), 5000, `reply to ${id}`);
    return JSON.parse(m.payload) as Record<string, unknown>;
  };
  return { hub, h, backend, send, dir: t.dir };
}

/** SpO2 83 % long enough for the high-priority level (85 %, 10 s) of the shipped defaults. */
function desaturate(h: MiniHub): void {
  h.spo2(83, 20);
  expect(h.engine.active().find((a) => a.condition === 'spo2_low')).toMatchObject({ priority: 'high' });
}

const TIGHTER = { rules: { spo2: { staleAfterIntervals: 30, low: { levels: [{ limit: 90, priority: 'medium', delayS: 10 }, { limit: 86, priority: 'high', delayS: 5 }], hysteresis: 1, escalateAfterS: 600 } } } };

describe(`remote alarm rules against the safety floor (${hasMosquitto ? 'mosquitto' : 'aedes'})`, () => {
  it('refuses every hostile set as a whole with its reasons; the active SpO2 alarm stays and a desaturation still alarms', async () => {
    const { h, send } = await setup();
    desaturate(h);
    const spo2Alarm = h.engine.active().find((a) => a.condition === 'spo2_low')!;
    const iat = nowS();
    const hostile: [string, Record<string, unknown>, RegExp[]][] = [
      ['replace with nothing', { iat, version: 2, alarms: { mode: 'replace', rules: {} } },
        [/alarms\.rules\.spo2: the safety floor requires this rule; it may not be removed/, /alarms\.rules\.glucose: /, /alarms\.rules\.pulse_rate: /]],
      ['spo2 disabled', { iat, version: 2, alarms: { rules: { spo2: { enabled: false } } } }, [/alarms\.rules\.spo2: .*may not be disabled/]],
      ['±1e308 limits', { iat, version: 2, alarms: { rules: { spo2: { low: { levels: [{ limit: -1e308, priority: 'high' }] }, high: { levels: [{ limit: 1e308, priority: 'high' }] } } } } },
        [/spo2\.low\.levels\[0\]\.limit: -1e\+308 is outside the plausible range 0\.\.100/, /spo2\.high\.levels\[0\]\.limit: 1e\+308 is outside/, /spo2\.low\.levels: the safety floor requires a level at or above 85/]],
      ['priority downgrades', { iat, version: 2, alarms: { technical: { link_lost: 'low', stale_data: 'low', ble_adapter_unavailable: 'low', storage_error: 'low', serial_port_gone: 'low' }, rules: { spo2: { low: { levels: [{ limit: 88, priority: 'low' }, { limit: 85, priority: 'low' }] } } } } },
        [/technical\.link_lost: low is below the safety floor's medium/, /technical\.stale_data: low/, /technical\.ble_adapter_unavailable: low/, /technical\.storage_error: low/, /technical\.serial_port_gone: low/, /spo2\.low\.levels: the safety floor requires a level at or above 85 % with high priority/]],
      ['hysteresis 1e308', { iat, version: 2, alarms: { rules: { spo2: { low: { levels: [{ limit: 88, priority: 'high' }], hysteresis: 1e308 } } } } },
        [/spo2\.low\.hysteresis: 1e\+308 is larger than the plausible range/, /spo2\.low\.hysteresis: 1e\+308 is above the safety floor's 3/]],
      ['version 2^53-1', { iat, version: Number.MAX_SAFE_INTEGER, alarms: TIGHTER }, [/version/]],
      ['no version', { iat, alarms: TIGHTER }, [/version/]],
      ['a floor in a remote set', { iat, version: 2, alarms: { ...TIGHTER, floor: { metrics: {} } } }, [/alarms\.floor: the safety floor is local/]],
    ];
    for (const [what, body, reasons] of hostile) {
      const reply = await send(body);
      expect(reply.ok, what).toBe(false);
      for (const r of reasons) expect(reply.error, what).toMatch(r);
    }
    expect(h.engine.rulesVersion).toBe(1);
    expect(h.engine.rulesInForce()).toMatchObject({ version: 1, source: 'config', by: 'local' });
    expect(h.store.kvGet('alarms.rules')).toBeUndefined(); // nothing persisted
    // the active alarm was never cleared
    expect(h.engine.active().find((a) => a.condition === 'spo2_low')?.alarm).toBe(spo2Alarm.alarm);
    expect(h.events.filter((e) => e.event === 'cleared')).toEqual([]);
    // and the shipped rules still work: recovery clears, a new desaturation alarms again
    h.spo2(97, 3);
    expect(h.events.map((e) => `${e.event}:${e.condition}`)).toContain('cleared:spo2_low');
    desaturate(h);
    expect(h.console.some((l) => l.startsWith('INFO'))).toBe(false);
  }, 60_000);

  it('accepts a tightening: persisted with who/when/version/diff, retained on alarms/rules, announced once, survives a restart', async () => {
    const { hub, h, backend, send, dir } = await setup();
    const reply = await send({ iat: nowS(), version: 2, alarms: TIGHTER });
    expect(reply).toMatchObject({ ok: true, error: null, version: 2, changes: expect.arrayContaining(['rules.spo2.low.levels[0].limit: 88 → 90']) });
    // applied at once: 89 % now alarms
    h.spo2(89, 12);
    expect(h.engine.active().map((a) => a.condition)).toContain('spo2_low');
    // persisted in the store with its history
    const stored = JSON.parse(h.store.kvGet('alarms.rules')!) as { version: number; history: { version: number; by: string; t: string; changes: string[] }[] };
    expect(stored.version).toBe(2);
    expect(stored.history).toEqual([expect.objectContaining({ version: 2, by: 'unsigned', source: 'remote', t: expect.stringMatching(/^\d{4}-/), changes: expect.arrayContaining(['rules.spo2.low.levels[1].limit: 85 → 86']) })]);
    // published retained on alarms/rules (a late subscriber sees it)
    const late = await Subscriber.open(broker.url, `carehub/${hub}/alarms/rules`, { protocolVersion: brokerProtocolVersion });
    const m = await late.waitFor(() => late.msgs.find((x) => (JSON.parse(x.payload) as { version: number }).version === 2), 5000, 'retained alarms/rules v2');
    await late.close();
    expect(m.retain).toBe(true);
    expect(JSON.parse(m.payload)).toMatchObject({ v: 1, version: 2, source: 'remote', by: 'unsigned', alarms: { rules: { spo2: { low: { levels: [{ limit: 90 }, { limit: 86 }] } } } }, floor: { metrics: { spo2: { low: { limit: 85 } } } } });
    // announced locally once as an information signal
    expect(h.console.filter((l) => l.startsWith('INFO'))).toEqual(['INFO  Alarm rules changed remotely: version 2 by unsigned (4 changes)']);
    // the same version again is refused (replay)
    expect(await send({ iat: nowS(), version: 2, alarms: TIGHTER })).toMatchObject({ ok: false, error: expect.stringMatching(/not above the current version 2/) });
    await backend.close();
    // restart on the same store: the set is back
    await h.stop();
    const h2 = await startMiniHub({ url: broker.url, hub, protocolVersion: brokerProtocolVersion, dir });
    cleanups.push(() => h2.stop());
    expect(h2.engine.rulesVersion).toBe(2);
    expect(h2.engine.rules().rules.spo2?.low?.levels[0]?.limit).toBe(90);
  }, 60_000);

  it('with uplink.commandKey: unsigned and wrongly signed commands are refused and counted, a signed one is applied with its signer', async () => {
    const t = tempDir('carehub-keys-');
    cleanups.push(() => t.remove());
    const backendKey = makeSigner(t.dir, 'backend');
    const intruder = makeSigner(t.dir, 'intruder');
    const { hub, h, send } = await setup({ commandKey: backendKey.publicPath });
    const body = { id: 'k1', iat: nowS(), hub, cmd: 'alarm-rules', version: 2, alarms: TIGHTER };
    expect(await send(body)).toMatchObject({ ok: false, error: expect.stringMatching(/unsigned command refused/) });
    expect(await send({ ...intruder.sign(body), id: 'k1' })).toMatchObject({ ok: false, error: expect.stringMatching(/bad signature/) });
    // the signature covers the id too: a changed id is a changed command
    expect(await send({ ...backendKey.sign(body), id: 'k2' })).toMatchObject({ ok: false, error: expect.stringMatching(/bad signature/) });
    expect(h.engine.rulesVersion).toBe(1);
    const ok = await send(backendKey.sign({ ...body, id: 'k3' }));
    expect(ok).toMatchObject({ ok: true, version: 2 });
    expect(h.engine.rulesInForce().by).toMatch(/^ed25519:[0-9a-f]{32}$/);
    expect(h.uplink.stats().commands).toMatchObject({ unsigned: 1, badSignature: 2, ok: 1 });
  }, 60_000);

  it('a retained command is ignored (MQTT 5 and 3.1.1)', async () => {
    for (const v of (brokerProtocolVersion === 5 ? [5, 4] : [4]) as (4 | 5)[]) {
      const hub = `hub-ret${v}`;
      const pub = await Subscriber.open(broker.url, `carehub/${hub}/cmd/+/reply`, { protocolVersion: v });
      cleanups.push(() => pub.close());
      await pub.client.publishAsync(`carehub/${hub}/cmd/alarm-rules`, JSON.stringify({ id: 'ret', iat: nowS(), version: 2, alarms: TIGHTER }), { qos: 1, retain: true });
      cleanups.push(async () => { await pub.client.publishAsync(`carehub/${hub}/cmd/alarm-rules`, '', { qos: 1, retain: true }); });
      const t = tempDir('carehub-ret-');
      cleanups.push(() => t.remove());
      const h = await startMiniHub({ url: broker.url, hub, protocolVersion: v, dir: t.dir });
      cleanups.push(() => h.stop());
      await waitFor(() => h.uplink.state() === 'connected', 10_000, 'connected');
      await sleep(1000);
      expect(h.engine.rulesVersion, `v${v}`).toBe(1);
      expect(pub.msgs, `v${v}`).toEqual([]);
    }
  }, 60_000);

  it('an old command (iat beyond commandMaxAgeS, e.g. queued while the hub was offline) is refused', async () => {
    const { h, send } = await setup({ commandMaxAgeS: 60 });
    expect(await send({ iat: nowS() - 61, version: 2, alarms: TIGHTER })).toMatchObject({ ok: false, error: expect.stringMatching(/older than 60 s \(uplink\.commandMaxAgeS\)/) });
    expect(await send({ version: 2, alarms: TIGHTER })).toMatchObject({ ok: false, error: expect.stringMatching(/missing "iat"/) });
    expect(h.engine.rulesVersion).toBe(1);
    expect(h.uplink.stats().commands.expired).toBe(2);
  }, 30_000);
});
