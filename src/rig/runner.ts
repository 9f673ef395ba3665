import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../core/log.js';
import { RigBackend } from './backend.js';
import { externalBroker, spawnBroker, type RigBroker } from './broker.js';
import { evaluate, type ExpectationResult } from './expectations.js';
import { hubFiles, writeHubConfig } from './hub-config.js';
import { HubChild } from './hub-child.js';
import type { Scenario } from './scenario-schema.js';
import { readStoredReadings } from './stored.js';
import { planTimeline, type RigActions } from './timeline.js';

export interface RigOptions {
  log: Logger;
  /** Keep the run directory (hub config, database, hub log): always, only when something failed, never. */
  keep?: 'always' | 'on-failure' | 'never';
  signal?: AbortSignal;
}

export interface RigReport {
  name: string;
  ok: boolean;
  results: ExpectationResult[];
  stats: { broker: string; hubStarts: number; unsentAtStop: number; readingsReceived: number; distinctIds: number; stored: number; unsent: number; alarmEvents: number; durationS: number };
  /** The run directory when kept. */
  workDir: string | null;
  hubLog: string;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(new Error('interrupted')); return; }
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, Math.max(0, ms));
    const onAbort = (): void => { clearTimeout(t); reject(new Error('interrupted')); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Runs one scenario: broker, backend subscriber, the hub as a child process, the timeline,
 * a drain of the backlog, then judges every expectation against what reached the broker and
 * what the hub's database holds.
 */
export async function runScenario(s: Scenario, o: RigOptions): Promise<RigReport> {
  const log = o.log.child('rig');
  const dir = mkdtempSync(join(tmpdir(), 'carehub-rig-'));
  const files = hubFiles(dir);
  const started = Date.now();
  let broker: RigBroker | null = null;
  let backend: RigBackend | null = null;
  let hub: HubChild | null = null;
  let ok = false;
  try {
    broker = s.broker === 'spawn' ? await spawnBroker(dir, log) : externalBroker(s.broker.url, s.broker.protocolVersion);
    const b = broker;
    let maxBytes: number | string = s.hub.maxBytes ?? '64MB';
    writeHubConfig(s, files, b, maxBytes);
    backend = new RigBackend(b.url, b.protocolVersion, `carehub/${s.hub.id}/#`, log);
    await backend.connect();
    const h = new HubChild(files.config, files.log, log);
    hub = h;
    const stepErrors: ExpectationResult[] = [];

    const t0 = Date.now();
    h.start();
    const actions: RigActions = {
      brokerDown: () => b.stop(),
      brokerUp: () => b.start(),
      hubKill: () => h.stop('SIGKILL'),
      hubStart: async () => { h.start(); },
      hubRestart: async () => { await h.stop('SIGTERM'); h.start(); },
      diskBudget: async (bytes) => {
        maxBytes = bytes;
        writeHubConfig(s, files, b, maxBytes);
        if (h.running) { await h.stop('SIGTERM'); h.start(); }
      },
      fault: (args) => h.fault(files.socket, args),
    };
    for (const step of planTimeline(s, actions)) {
      await sleep(t0 + step.at * 1000 - Date.now(), o.signal);
      log.info({ at: step.at, step: step.label }, 'timeline');
      try {
        await step.run();
      } catch (err) {
        stepErrors.push({ ok: false, label: `timeline ${step.label} at ${step.at} s`, detail: `could not be carried out: ${(err as Error).message}` });
      }
    }
    await sleep(t0 + s.duration * 1000 - Date.now(), o.signal);

    // Restore what the timeline left broken, let the backlog drain, stop the hub cleanly.
    if (b.kind !== 'external' && !b.up) await b.start();
    if (!h.running) h.start();
    await drain(() => readStoredReadings(files.db), backend, s.drain * 1000, o.signal);
    await h.stop('SIGTERM');
    let stored = readStoredReadings(files.db);
    const unsentAtStop = stored.filter((r) => !r.sent).length;
    if (unsentAtStop > 0) {
      // What the next boot would do: the same database, delivered before anything new is measured.
      log.info({ unsent: unsentAtStop }, 'readings unsent at the stop: a drain-only start of the hub delivers them');
      writeHubConfig(s, files, b, maxBytes, true);
      const d = new HubChild(files.drainConfig, files.log, log);
      d.start();
      await drain(() => readStoredReadings(files.db), backend, s.drain * 1000, o.signal, (rows) => rows.every((r) => r.sent));
      await d.stop('SIGTERM');
      if (d.crashes.length) h.crashes.push(...d.crashes.map((c) => `drain-only start: ${c}`));
      stored = readStoredReadings(files.db);
    }
    const storedFinal = stored;
    await drain(() => storedFinal, backend, 10_000, o.signal);

    const observed = { t0, readings: backend.readings, alarmEvents: backend.alarmEvents, stored };
    const results = [...stepErrors, ...s.expect.map((e) => evaluate(e, observed))];
    if (h.crashes.length) results.push({ ok: false, label: 'hub stayed up', detail: `the hub exited by itself: ${h.crashes.join(', ')} (see ${files.log})` });
    ok = results.every((r) => r.ok);
    const keep = o.keep === 'always' || (o.keep !== 'never' && !ok);
    return {
      name: s.name,
      ok,
      results,
      stats: {
        broker: b.kind,
        hubStarts: h.starts,
        unsentAtStop,
        readingsReceived: backend.readings.length,
        distinctIds: new Set(backend.readings.map((r) => r.id)).size,
        stored: stored.length,
        unsent: stored.filter((r) => !r.sent).length,
        alarmEvents: backend.alarmEvents.length,
        durationS: Math.round((Date.now() - started) / 1000),
      },
      workDir: keep ? dir : null,
      hubLog: files.log,
    };
  } finally {
    await hub?.stop('SIGKILL').catch(() => {});
    await backend?.close().catch(() => {});
    await broker?.close().catch(() => {});
    const keep = o.keep === 'always' || (o.keep !== 'never' && !ok);
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits until every stored reading has reached the backend (or the time is up). */
async function drain(stored: () => ReturnType<typeof readStoredReadings>, backend: RigBackend, ms: number, signal?: AbortSignal, alsoDone: (rows: ReturnType<typeof readStoredReadings>) => boolean = () => true): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    let rows: ReturnType<typeof readStoredReadings>;
    try { rows = stored(); } catch { rows = []; }
    const got = new Set(backend.readings.map((r) => r.id));
    if (rows.length > 0 && rows.every((r) => got.has(r.uid)) && alsoDone(rows)) return;
    await sleep(500, signal);
  }
}
