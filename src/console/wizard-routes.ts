import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/log.js';
import type { ConsoleAudit } from './audit.js';
import { parseBody, readBody, send, sendJson } from './http-util.js';
import type { PageContext } from './pages.js';
import { wizardPage } from './pages-wizard.js';
import type { Session } from './sessions.js';
import type { PairingWizard } from './wizard.js';

/** Largest request body of a wizard action (an address, a passkey, a path, an id). */
export const WIZARD_BODY_MAX_BYTES = 2048;

export interface WizardRouteDeps {
  log: Logger;
  audit: ConsoleAudit;
  wizard: PairingWizard;
  /** Same origin and the session's CSRF token (server.ts). */
  allowed(req: IncomingMessage, session: Session, token: string | undefined): boolean;
  clientOf(req: IncomingMessage): string;
}

const ACTIONS = new Set(['/api/wizard/scan', '/api/wizard/pair', '/api/wizard/serial', '/api/wizard/save', '/api/wizard/reset']);

/**
 * The pairing wizard's page and API (technicians only): GET /wizard, GET /api/wizard (the state
 * the page polls), GET /api/wizard/ports, POST scan / pair / serial / save / reset. Every POST
 * needs the CSRF token; pairing and saving are audited (the passkey never: only whether one was
 * given).
 */
export function wizardRoutes(d: WizardRouteDeps): {
  get(req: IncomingMessage, res: ServerResponse, url: URL, ctx: PageContext, set: string[]): Promise<boolean>;
  post(req: IncomingMessage, res: ServerResponse, path: string, session: Session): Promise<boolean>;
} {
  const w = d.wizard;
  return {
    async get(_req, res, url, ctx, set) {
      const path = url.pathname;
      if (path !== '/wizard' && path !== '/api/wizard' && path !== '/api/wizard/ports') return false;
      if (ctx.role !== 'technician') {
        if (path === '/wizard') send(res, 403, 'text/plain; charset=utf-8', 'technicians only');
        else sendJson(res, 403, { error: 'technicians only' });
        return true;
      }
      if (path === '/wizard') send(res, 200, 'text/html; charset=utf-8', wizardPage(ctx), { 'set-cookie': set });
      else if (path === '/api/wizard') sendJson(res, 200, w.view());
      else sendJson(res, 200, { ports: await w.ports() });
      return true;
    },

    async post(req, res, path, session) {
      if (!ACTIONS.has(path)) return false;
      const token = typeof req.headers['x-csrf-token'] === 'string' ? req.headers['x-csrf-token'] : undefined;
      if (!d.allowed(req, session, token)) { req.resume(); sendJson(res, 403, { error: 'missing or wrong CSRF token' }); return true; }
      const action = `wizard.${path.slice('/api/wizard/'.length)}`;
      const from = d.clientOf(req);
      if (session.role !== 'technician') {
        req.resume();
        d.audit.record({ role: session.role, from, action, detail: {}, ok: false, error: 'read-only role' });
        sendJson(res, 403, { error: 'read-only: technicians only' });
        return true;
      }
      const body = parseBody(req, await readBody(req, WIZARD_BODY_MAX_BYTES));
      const record = (detail: Record<string, unknown>, ok: boolean, error?: string | null): void => {
        if (!d.audit.record({ role: session.role, from, action, detail, ok, ...(error ? { error } : {}) })) d.log.error({ action }, 'pairing wizard: audit entry could not be stored');
      };
      const refuse = (why: string, status = 409): void => { sendJson(res, status, { error: why }); };
      if (path === '/api/wizard/scan') {
        const why = w.startScan(body['seconds']);
        if (why) { refuse(why, /seconds/.test(why) ? 400 : 409); return true; }
        sendJson(res, 202, w.view());
        return true;
      }
      if (path === '/api/wizard/pair') {
        const address = typeof body['address'] === 'string' ? body['address'].slice(0, 17).toUpperCase() : '';
        const given = typeof body['passkey'] === 'string' && body['passkey'] !== '';
        const detail = { address, passkeyGiven: given };
        const why = w.startPair(address, body['passkey'], (o) => record({ ...detail, result: o.state, readings: o.readings }, o.state === 'ready', o.error));
        if (why) { refuse(why, /passkey is|choose/.test(why) ? 400 : 409); return true; }
        sendJson(res, 202, w.view());
        return true;
      }
      if (path === '/api/wizard/serial') {
        const p = typeof body['path'] === 'string' ? body['path'].slice(0, 1024) : '';
        const detail = { path: p, protocol: typeof body['protocol'] === 'string' ? body['protocol'].slice(0, 32) : null };
        const why = w.startSerial(body['path'], body['protocol'], (o) => record({ ...detail, result: o.state, readings: o.readings }, o.state === 'ready', o.error));
        if (why) { refuse(why, /in progress/.test(why) ? 409 : 400); return true; }
        sendJson(res, 202, w.view());
        return true;
      }
      if (path === '/api/wizard/save') {
        const r = w.save(body['id']);
        const target = w.view().job.target;
        record({ ...(r.ok ? { id: r.id } : {}), address: target?.address ?? null, path: target?.path ?? null, kind: target?.kind ?? null }, r.ok, r.ok ? null : r.error);
        if (!r.ok) { sendJson(res, r.status, { error: r.error }); return true; }
        d.log.warn({ id: r.id, file: r.file }, 'device added to the configuration from the pairing wizard; restart carehub to connect it');
        sendJson(res, 200, { ...w.view(), restart: 'restart carehub to connect the device' });
        return true;
      }
      const why = w.reset();
      if (why) { refuse(why); return true; }
      sendJson(res, 200, w.view());
      return true;
    },
  };
}
