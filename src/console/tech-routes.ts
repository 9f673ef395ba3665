import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlarmEvent } from '../alarms/types.js';
import { MAX_CONFIG_BYTES } from '../config/load.js';
import type { Logger } from '../core/log.js';
import { historyPage as historyQuery, parseHistoryFilter } from './alarm-history.js';
import type { ConsoleAudit } from './audit.js';
import { ConfigEditor } from './config-edit.js';
import { diagnosticsBundle, selfTest } from './diagnostics.js';
import { parseBody, readBody, send, sendJson } from './http-util.js';
import type { PageContext } from './pages.js';
import { configPage, diagnosticsPage, historyPage } from './pages-tech.js';
import type { Session } from './sessions.js';

/** Largest configuration sent to check or apply (the file's own bound, JSON-escaped). */
export const CONFIG_BODY_MAX_BYTES = 2 * MAX_CONFIG_BYTES;
/** Between the restart answer and the stop: the answer reaches the browser first. */
const RESTART_DELAY_MS = 300;
/** Diagnostics bundles built at once, at most (each reads the store and lists ports). */
const MAX_BUNDLES_IN_FLIGHT = 1;

export interface TechRouteDeps {
  log: Logger;
  audit: ConsoleAudit;
  configFile: string | undefined;
  /** The hub's config (for the diagnostics bundle, redacted there). */
  config: unknown;
  dbPath: string;
  hubId: string;
  status: () => { devices: Array<{ id: string }>; [k: string]: unknown };
  alarmHistory(limit: number): AlarmEvent[];
  alarmTest(): void;
  /** Stop the hub so that its service manager starts it again; absent: no restart from here. */
  restart?: (() => void) | undefined;
  /** Same origin and the session's CSRF token (server.ts). */
  allowed(req: IncomingMessage, session: Session, token: string | undefined): boolean;
  clientOf(req: IncomingMessage): string;
}

/** Pages of the console besides the overview and devices: alarm history, configuration, diagnostics. */
export function techRoutes(d: TechRouteDeps): {
  get(req: IncomingMessage, res: ServerResponse, url: URL, ctx: PageContext, set: string[]): Promise<boolean>;
  post(req: IncomingMessage, res: ServerResponse, path: string, session: Session): Promise<boolean>;
} {
  const editor = d.configFile ? new ConfigEditor(d.configFile) : null;
  let bundles = 0;
  const html = (res: ServerResponse, body: string, set: string[]): void => send(res, 200, 'text/html; charset=utf-8', body, { 'set-cookie': set });
  const techOnly = (res: ServerResponse, role: string): boolean => {
    if (role === 'technician') return false;
    sendJson(res, 403, { error: 'technicians only' });
    return true;
  };

  let restarting = false;
  /**
   * Restart: only where a service manager starts the hub again, only into a configuration file
   * that checks clean (else the hub would come back on its last-known-good copy, not on what the
   * technician just applied). Monitoring pauses while the hub stops and starts (RestartSec=5).
   */
  const restart = (req: IncomingMessage, res: ServerResponse, session: Session): void => {
    const from = d.clientOf(req);
    const refuse = (status: number, error: string, extra: Record<string, unknown> = {}): void => {
      d.audit.record({ role: session.role, from, action: 'restart', detail: {}, ok: false, error });
      sendJson(res, status, { error, ...extra });
    };
    if (!d.restart) { refuse(409, 'this hub is not run by a service manager that would start it again: restart it yourself'); return; }
    if (restarting) { refuse(409, 'a restart is already under way'); return; }
    if (editor) {
      const check = editor.checkFile();
      if (!check.ok) { refuse(422, 'the configuration file has problems: fix them first, or the hub would come back on its last-known-good copy', { problems: check.problems }); return; }
    }
    restarting = true;
    d.audit.record({ role: session.role, from, action: 'restart', detail: {}, ok: true });
    d.log.warn({ role: session.role }, 'restart requested from the console');
    sendJson(res, 202, { restarting: true });
    setTimeout(() => d.restart?.(), RESTART_DELAY_MS);
  };

  return {
    async get(req, res, url, ctx, set) {
      const path = url.pathname;
      if (path === '/alarms/history') { html(res, historyPage(ctx, d.status().devices.map((x) => x.id)), set); return true; }
      if (path === '/api/alarms/history') {
        const f = parseHistoryFilter(url.searchParams);
        if (typeof f === 'string') { sendJson(res, 400, { error: f }); return true; }
        sendJson(res, 200, historyQuery((n) => d.alarmHistory(n), f));
        return true;
      }
      if (path === '/config') {
        if (ctx.role !== 'technician') { send(res, 403, 'text/plain; charset=utf-8', 'technicians only'); return true; }
        html(res, configPage(ctx, d.configFile ?? null, editor ? editor.view() : null), set);
        return true;
      }
      if (path === '/diagnostics') {
        if (ctx.role !== 'technician') { send(res, 403, 'text/plain; charset=utf-8', 'technicians only'); return true; }
        html(res, diagnosticsPage(ctx), set);
        return true;
      }
      if (path === '/api/diagnostics/bundle') {
        if (techOnly(res, ctx.role)) return true;
        if (bundles >= MAX_BUNDLES_IN_FLIGHT) { sendJson(res, 503, { error: 'a bundle is being built; try again' }, { 'retry-after': '5' }); return true; }
        bundles++;
        try {
          const bundle = await diagnosticsBundle({ config: d.config, status: d.status(), dbPath: d.dbPath });
          d.audit.record({ role: ctx.role, from: d.clientOf(req), action: 'diagnostics.bundle', detail: { bytes: bundle.length }, ok: true });
          const name = `carehub-diag-${d.hubId}-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`;
          send(res, 200, 'application/gzip', bundle, { 'content-disposition': `attachment; filename="${name}"` });
        } finally {
          bundles--;
        }
        return true;
      }
      return false;
    },

    async post(req, res, path, session) {
      const isConfig = path === '/api/config/check' || path === '/api/config/apply';
      if (!isConfig && path !== '/api/diagnostics/selftest' && path !== '/api/restart') return false;
      const token = typeof req.headers['x-csrf-token'] === 'string' ? req.headers['x-csrf-token'] : undefined;
      if (!d.allowed(req, session, token)) { req.resume(); sendJson(res, 403, { error: 'missing or wrong CSRF token' }); return true; }
      const action = path.slice(5).replace('/', '.');
      if (session.role !== 'technician') {
        req.resume();
        d.audit.record({ role: session.role, from: d.clientOf(req), action, detail: {}, ok: false, error: 'read-only role' });
        sendJson(res, 403, { error: 'read-only: technicians only' });
        return true;
      }
      if (path === '/api/diagnostics/selftest') {
        req.resume();
        const checks = await selfTest(d.alarmTest, d.status() as Parameters<typeof selfTest>[1]);
        d.audit.record({ role: session.role, from: d.clientOf(req), action, detail: { failed: checks.filter((c) => !c.ok).map((c) => c.name) }, ok: true });
        sendJson(res, 200, { checks });
        return true;
      }
      if (path === '/api/restart') { req.resume(); restart(req, res, session); return true; }
      if (!editor) { req.resume(); sendJson(res, 404, { error: 'this hub was not started from a configuration file' }); return true; }
      const body = parseBody(req, await readBody(req, CONFIG_BODY_MAX_BYTES));
      const text = body['text'];
      if (typeof text !== 'string') { sendJson(res, 400, { error: 'send {"text": the YAML}' }); return true; }
      if (path === '/api/config/check') { sendJson(res, 200, editor.check(text)); return true; }
      const base = typeof body['base'] === 'string' ? body['base'] : '';
      const r = editor.apply(text, base);
      const entry = r.ok ? { changedLines: r.changedLines, sha256: r.sha256 } : { problems: r.check?.problems.length ?? 0 };
      if (!d.audit.record({ role: session.role, from: d.clientOf(req), action, detail: entry, ok: r.ok, ...(r.ok ? {} : { error: r.error }) }) && r.ok) {
        d.log.error({ action }, 'configuration written but its audit entry could not be stored');
      }
      if (r.ok) {
        d.log.warn({ file: d.configFile, changedLines: r.changedLines }, 'configuration file changed from the console; restart carehub to apply');
        sendJson(res, 200, { ...r, restart: 'restart carehub to apply' });
      } else {
        sendJson(res, r.status, { error: r.error, ...(r.check ? { problems: r.check.problems, warnings: r.check.warnings } : {}) });
      }
      return true;
    },
  };
}
