import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVentilatorSimulator } from '../../drivers/ventilator-medibus/simulator.js';
import { loadConfigFile } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/log.js';
import { SystemClock } from '../../src/core/system-clock.js';
import { SPARE_PASSKEY } from '../../src/hub/sim-spares.js';
import { WIZARD_BODY_MAX_BYTES } from '../../src/console/wizard-routes.js';
import { hasPython3, tempLinkPath } from '../helpers/pty.js';
import { startConsoleHub, TECH_PASSWORD, VIEWER_PASSWORD, type ConsoleHub } from './console-hub.js';
import { csrfOf, http, login, postJson, type Answer } from './http-client.js';

interface Row { address: string; kind: string; name: string | null; rssi: number; bond: string; configured: string | null; source: string; display?: string }
interface View {
  scan: { running: boolean; at: string | null; rows: Row[]; problems: string[] };
  job: { state: string; target: { kind: string; address?: string; path?: string; display?: string } | null; reading: Array<{ metric: string; value: number; unit: string }>; error: string | null; note: string | null; saved: { id: string; file: string } | null };
}

/** The pairing wizard over HTTP, against a real hub whose simulated world has a spare oximeter in no config. */
describe('console pairing wizard', () => {
  let h: ConsoleHub;
  let tech: string;
  let csrf: string;

  beforeAll(async () => {
    h = await startConsoleHub();
    tech = (await login(h.url, TECH_PASSWORD)).cookie!;
    csrf = await csrfOf(h.url, tech);
  }, 30_000);
  afterAll(async () => { await h?.stop(); });

  const act = (path: string, body: unknown): Promise<Answer> => postJson(`${h.url}api/wizard/${path}`, tech, body, { 'x-csrf-token': csrf });
  const view = async (): Promise<View> => JSON.parse((await http(`${h.url}api/wizard`, { headers: { cookie: tech } })).body) as View;
  const until = async (f: (v: View) => boolean, ms = 20_000): Promise<View> => {
    const t0 = Date.now();
    for (;;) {
      const v = await view();
      if (f(v)) return v;
      if (Date.now() - t0 > ms) throw new Error(`wizard state not reached: ${JSON.stringify(v.job)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const audit = async (): Promise<Array<{ action: string; ok: boolean; detail: Record<string, unknown>; error?: string }>> =>
    (JSON.parse((await http(`${h.url}api/audit?limit=200`, { headers: { cookie: tech } })).body) as { entries: Array<{ action: string; ok: boolean; detail: Record<string, unknown>; error?: string }> }).entries;

  it('a viewer gets 403 on the page, the state and every action; a POST without the CSRF token gets 403', async () => {
    const viewer = (await login(h.url, VIEWER_PASSWORD)).cookie!;
    expect((await http(`${h.url}wizard`, { headers: { cookie: viewer } })).status).toBe(403);
    expect((await http(`${h.url}api/wizard`, { headers: { cookie: viewer } })).status).toBe(403);
    expect((await http(`${h.url}api/wizard/ports`, { headers: { cookie: viewer } })).status).toBe(403);
    const vcsrf = await csrfOf(h.url, viewer);
    const r = await postJson(`${h.url}api/wizard/scan`, viewer, { seconds: 2 }, { 'x-csrf-token': vcsrf });
    expect(r.status).toBe(403);
    expect((await postJson(`${h.url}api/wizard/scan`, tech, { seconds: 2 })).status).toBe(403);
    expect((await postJson(`${h.url}api/wizard/save`, tech, {}, { 'x-csrf-token': 'wrong' })).status).toBe(403);
    expect((await view()).scan.at).toBeNull(); // nothing started
    expect((await http(`${h.url}wizard`)).status).toBe(303); // not logged in: to the login page
    // the technician's page links the wizard; it loads its own script only there
    const page = await http(`${h.url}wizard`, { headers: { cookie: tech } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('/assets/wizard.js');
    expect((await http(h.url, { headers: { cookie: tech } })).body).not.toContain('wizard.js');
  }, 30_000);

  it('refuses out-of-bound input: scan length, passkey format, an unknown address, an oversized body', async () => {
    expect((await act('scan', { seconds: 60 })).status).toBe(400);
    expect((await act('scan', { seconds: 1 })).status).toBe(400);
    expect((await act('pair', { address: 'C2:00:00:00:00:01' })).status).toBe(400); // not from the last scan
    expect((await act('save', {})).status).toBe(409); // nothing paired
    expect((await postJson(`${h.url}api/wizard/pair`, tech, { address: 'x'.repeat(WIZARD_BODY_MAX_BYTES) }, { 'x-csrf-token': csrf })).status).toBe(413);
    expect((await act('serial', { path: 'relative/path' })).status).toBe(400);
    expect((await act('serial', { path: '/etc/passwd' })).status).toBe(400); // not a serial device
  }, 30_000);

  it('scan lists the spare simulated oximeter with kind, name, RSSI and paired state (not paired)', async () => {
    expect((await act('scan', { seconds: 2 })).status).toBe(202);
    expect((await act('scan', { seconds: 2 })).status).toBe(409); // one scan at a time
    const v = await until((x) => !x.scan.running && x.scan.at !== null);
    const spare = v.scan.rows.find((r) => r.name === 'SIM-PLX spare');
    expect(spare).toMatchObject({ kind: 'oximeter', bond: 'none', configured: null, source: 'sim' });
    expect(spare!.rssi).toBeLessThan(0);
  }, 30_000);

  it('pair: the device asks for its passkey; a wrong one is refused and writes nothing; the right one shows the first reading; save writes a valid entry with the mode kept', async () => {
    const before = readFileSync(h.configFile, 'utf8');
    const mode = statSync(h.configFile).mode & 0o7777;
    const spare = (await view()).scan.rows.find((r) => r.name === 'SIM-PLX spare')!;
    expect((await act('pair', { address: spare.address, passkey: '12345' })).status).toBe(400);

    expect((await act('pair', { address: spare.address })).status).toBe(202);
    let v = await until((x) => x.job.state === 'needs_passkey');
    expect(v.job.error).toBeNull();
    expect(v.job.target?.display).toBe(SPARE_PASSKEY); // the simulated device's "screen"

    expect((await act('pair', { address: spare.address, passkey: '000999' })).status).toBe(202);
    v = await until((x) => x.job.state !== 'pairing');
    expect(v.job.state).toBe('needs_passkey');
    expect(v.job.error).toMatch(/did not accept the passkey/);
    expect((await act('save', {})).status).toBe(409);
    expect(readFileSync(h.configFile, 'utf8')).toBe(before);

    expect((await act('pair', { address: spare.address, passkey: SPARE_PASSKEY })).status).toBe(202);
    v = await until((x) => x.job.state === 'ready' || x.job.state === 'failed', 40_000);
    expect(v.job.error).toBeNull();
    expect(v.job.reading.map((m) => m.metric)).toContain('spo2');
    expect(v.job.reading.find((m) => m.metric === 'spo2')).toMatchObject({ unit: '%' });

    const saved = await act('save', {});
    expect(saved.status).toBe(200);
    expect(JSON.parse(saved.body)).toMatchObject({ job: { state: 'saved', saved: { id: 'oxi-2', file: h.configFile } }, restart: expect.stringMatching(/restart/) });
    const c = loadConfigFile(h.configFile, {});
    expect(c.ok).toBe(true);
    if (c.ok) expect(c.config.devices.find((d) => d.id === 'oxi-2')).toMatchObject({ kind: 'oximeter', transport: 'ble', protocol: 'plxs', address: spare.address, simulate: 'normal' });
    expect(readFileSync(h.configFile, 'utf8')).toContain('# console test hub'); // comments kept
    expect(statSync(h.configFile).mode & 0o7777).toBe(mode);
    // now it shows as configured, and pairing it again is refused
    expect((await view()).scan.rows.find((r) => r.address === spare.address)?.configured).toBe('oxi-2');
    expect((await act('pair', { address: spare.address })).status).toBe(409);

    const entries = await audit();
    const pairs = entries.filter((e) => e.action === 'wizard.pair');
    expect(pairs.some((e) => e.ok && e.detail['passkeyGiven'] === true)).toBe(true);
    expect(pairs.some((e) => !e.ok && /passkey/.test(e.error ?? ''))).toBe(true);
    expect(entries.some((e) => e.action === 'wizard.save' && e.ok && e.detail['id'] === 'oxi-2')).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(SPARE_PASSKEY);
    expect(JSON.stringify(entries)).not.toContain('000999');
  }, 90_000);

  it.skipIf(!hasPython3())('serial: a typed pty path shows the MEDIBUS first frame and saves; the port is then refused as in use', async () => {
    const link = tempLinkPath();
    const sim = await runVentilatorSimulator({ scenario: 'normal', log: silentLogger(), clock: new SystemClock(true), linkPath: link });
    try {
      expect((await act('serial', { path: link, protocol: 'plxs' })).status).toBe(400); // an oximeter protocol
      expect((await act('serial', { path: link, protocol: 'medibus' })).status).toBe(202);
      const v = await until((x) => x.job.state === 'ready' || x.job.state === 'failed', 30_000);
      expect(v.job.error).toBeNull();
      expect(v.job.reading.length).toBeGreaterThan(0);
      expect(v.job.target).toMatchObject({ kind: 'ventilator', path: link });
      const saved = await act('save', { id: 'vent-7' });
      expect(saved.status).toBe(200);
      const c = loadConfigFile(h.configFile, {});
      expect(c.ok && c.config.devices.find((d) => d.id === 'vent-7')).toMatchObject({ kind: 'ventilator', transport: 'serial', protocol: 'medibus', path: link });
      const again = await act('serial', { path: link, protocol: 'medibus' });
      expect(again.status).toBe(400);
      expect(JSON.parse(again.body).error).toMatch(/used by vent-7/);
    } finally {
      await sim.stop();
    }
  }, 60_000);

  it('a character device that is no serial port fails with the driver\'s reason and nothing is saved', async () => {
    expect((await act('serial', { path: '/dev/null', protocol: 'medibus' })).status).toBe(202);
    const v = await until((x) => x.job.state === 'failed' || x.job.state === 'ready', 40_000);
    expect(v.job.state).toBe('failed');
    expect(v.job.error).toBeTruthy();
    expect((await act('save', {})).status).toBe(409);
  }, 60_000);
});
