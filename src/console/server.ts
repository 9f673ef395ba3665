import { randomBytes } from 'node:crypto';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { alarmControlHandlers, type AlarmControlTarget } from '../alarms/control-handlers.js';
import type { AlarmEvent } from '../alarms/types.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { WaveWindow } from '../hub/waveform-tap.js';
import { loadAssets } from './assets.js';
import { ConsoleAudit, type AuditKv } from './audit.js';
import { EventFeed } from './events.js';
import { HttpError, cookies, parseBody, readBody, redirect, send, sendJson } from './http-util.js';
import { STRINGS, pickLang, type Lang } from './i18n.js';
import { LoginLimit } from './login-limit.js';
import { devicePage, loginPage, overviewPage, type PageContext } from './pages.js';
import { readPasswordFile, roleOf, type Role } from './password-file.js';
import { Sessions, csrfMatches, type Session } from './sessions.js';
import { techRoutes } from './tech-routes.js';
import { PairingWizard, type WizardDeps } from './wizard.js';
import { wizardRoutes } from './wizard-routes.js';
import { TREND_RANGES, TrendQueries, type TrendRange } from './trends.js';

/** Connections open at once, at most (SSE clients included; those have their own, lower cap). */
export const MAX_CONNECTIONS = 64;
/** Password checks (scrypt, 16 MB each) running at once, at most. */
const MAX_LOGINS_IN_FLIGHT = 2;
const SESSION_COOKIE = 'carehub_session';

export interface ConsoleStatus {
  devices: Array<{ id: string; kind: string }>;
  [k: string]: unknown;
}

export interface ConsoleOptions {
  bind: string;
  port: number;
  log: Logger;
  clock: Clock;
  hubId: string;
  /** The hub's status (the same object `carehub status --json` prints). */
  status: () => ConsoleStatus;
  /** The alarm engine, as the control socket sees it. */
  alarms: AlarmControlTarget;
  /** The alarm limits of a metric in force, for the charts. */
  limits(metric: string): { low: number[]; high: number[] };
  /** The store's key/value state: the audit trail. */
  kv: AuditKv;
  /** The store's file (trend queries open it read-only); `:memory:` has no trends. */
  dbPath: string;
  /** File of the console passwords (password-file.ts). */
  passwordFile: string;
  /** False: no login, everyone is a technician (refused unless bound to loopback). */
  login: boolean;
  sessionIdleMs: number;
  /** The config file the hub runs from: the configuration page edits it (none: nothing to edit). */
  configFile?: string | undefined;
  /** The hub's config as loaded (the diagnostics bundle redacts it). */
  config: unknown;
  /** The store's alarm history, newest first (at most `limit`). */
  alarmHistory(limit: number): AlarmEvent[];
  /** Stop the hub so that its service manager starts it again; absent: the console cannot restart it. */
  restart?: (() => void) | undefined;
  /** The last seconds of a device's forwarded waveforms (the device page's live view). */
  waveform(device: string): Record<string, WaveWindow>;
  /** The hub's BLE centrals and running devices, for the pairing wizard (none: no Bluetooth to pair). */
  pairing?: Pick<WizardDeps, 'ble' | 'running' | 'firstReadingWaitMs'>;
  /** Certificate and key: the console speaks HTTPS (required off loopback). */
  tls?: { cert: string; key: string };
}

export interface ConsoleHandle {
  url: string;
  close(): Promise<void>;
  /** Live SSE clients (tests, bench). */
  readonly eventClients: number;
}

export function isLoopback(bind: string): boolean {
  return bind === 'localhost' || bind === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bind);
}

/**
 * The technician console: pages, assets, a status API, live events, alarm actions and trends,
 * on plain node:http (no framework: a few routes, every bound written here, nothing to load on
 * a Pi but this file). Loopback without TLS; anywhere else only with TLS and login.
 */
export async function startConsole(o: ConsoleOptions): Promise<ConsoleHandle> {
  if (!isLoopback(o.bind) && (!o.tls || !o.login)) {
    throw new Error(`the console binds to ${o.bind}, off loopback: that needs TLS and login (local.consoleLogin: true)`);
  }
  const log = o.log;
  const assets = loadAssets();
  const sessions = new Sessions(o.clock, o.sessionIdleMs);
  const limit = new LoginLimit(o.clock);
  const audit = new ConsoleAudit(o.kv, o.clock);
  const trends = new TrendQueries(o.dbPath);
  const actions = alarmControlHandlers(o.alarms);
  const snapshot = (): unknown => ({ ...o.status(), pausedForS: o.alarms.pausedForS() });
  const feed = new EventFeed(o.clock, snapshot);
  // the hub's devices are fixed while it runs (a config change needs a restart): looked up once,
  // not by building the whole status for every device page, trend query and waveform poll
  const devices = new Map(o.status().devices.map((d) => [d.id, d]));
  // without login: one standing technician session for everyone on this machine (CSRF still applies)
  const open: Session | null = o.login ? null : { id: '', role: 'technician', csrf: randomBytes(24).toString('base64url'), created: 0, lastUsed: 0 };
  const tech = techRoutes({
    log, audit, configFile: o.configFile, config: o.config, dbPath: o.dbPath, hubId: o.hubId, status: o.status,
    alarmHistory: (n) => o.alarmHistory(n), alarmTest: () => o.alarms.test(), restart: o.restart,
    allowed: (req, session, token) => sameOrigin(req) && csrfMatches(session, token),
    clientOf: (req) => clientOf(req),
  });
  const wizard = wizardRoutes({
    log, audit, allowed: (req, session, token) => sameOrigin(req) && csrfMatches(session, token), clientOf: (req) => clientOf(req),
    wizard: new PairingWizard({ ble: null, running: [], ...o.pairing, configFile: o.configFile, log: log.child('wizard'), clock: o.clock }),
  });
  let loginsInFlight = 0;
  let port = o.port;
  const scheme = o.tls ? 'https' : 'http';

  const sessionOf = (req: IncomingMessage): Session | null => open ?? sessions.get(cookies(req)[SESSION_COOKIE]);
  const clientOf = (req: IncomingMessage): string => req.socket.remoteAddress ?? '?';
  const langOf = (req: IncomingMessage, url: URL): { lang: Lang; set: string[] } => {
    const q = url.searchParams.get('lang');
    if (q === 'da' || q === 'en') return { lang: q, set: [`lang=${q}; Path=/; Max-Age=31536000; SameSite=Strict${o.tls ? '; Secure' : ''}`] };
    return { lang: pickLang(req.headers['accept-language'], cookies(req)['lang']), set: [] };
  };

  /** A loopback console answers only to loopback host names (no DNS rebinding from a web page). */
  const hostAllowed = (req: IncomingMessage): boolean => {
    if (!isLoopback(o.bind)) return true;
    const host = String(req.headers.host ?? '').toLowerCase();
    return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host) || /^127\.\d+\.\d+\.\d+:\d+$/.test(host) && host.endsWith(`:${port}`);
  };

  /** A state change must come from our own page: same origin (when the browser says) and the session's CSRF token. */
  const sameOrigin = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (req.headers['sec-fetch-site'] === 'cross-site') return false;
    return origin === undefined || origin === `${scheme}://${req.headers.host ?? ''}`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req)) { send(res, 421, 'text/plain', 'wrong host'); return; }
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    if (method === 'GET' && path.startsWith('/assets/')) { serveAsset(req, res, path.slice(8)); return; }
    if (method === 'GET' && path === '/login') {
      const { lang, set } = langOf(req, url);
      if (sessionOf(req)) { redirect(res, '/', { 'set-cookie': set }); return; }
      send(res, 200, 'text/html; charset=utf-8', loginPage(lang, o.hubId, null), { 'set-cookie': set });
      return;
    }
    if (method === 'POST' && path === '/login') { await login(req, res, url); return; }

    const session = sessionOf(req);
    if (!session) {
      if (method === 'GET' && (['/', '/config', '/diagnostics', '/alarms/history', '/wizard'].includes(path) || path.startsWith('/device/'))) { redirect(res, '/login'); return; }
      sendJson(res, 401, { error: 'log in first' });
      return;
    }

    if (method === 'GET') {
      const { lang, set } = langOf(req, url);
      const ctx: PageContext = { lang, role: session.role, csrf: session.csrf, login: o.login, hubId: o.hubId, restartable: Boolean(o.restart) };
      if (path === '/') { send(res, 200, 'text/html; charset=utf-8', overviewPage(ctx), { 'set-cookie': set }); return; }
      if (path.startsWith('/device/')) {
        const id = decodeURIComponent(path.slice(8));
        const dev = devices.get(id);
        if (!dev) { send(res, 404, 'text/plain; charset=utf-8', 'no such device'); return; }
        const limits = Object.fromEntries(['glucose', 'spo2', 'pulse_rate'].map((m) => [m, o.limits(m)]));
        send(res, 200, 'text/html; charset=utf-8', devicePage(ctx, dev, limits), { 'set-cookie': set });
        return;
      }
      if (path === '/api/status') { sendJson(res, 200, snapshot()); return; }
      if (path === '/api/events') {
        if (!feed.add(res)) sendJson(res, 503, { error: 'too many live views open' }, { 'retry-after': '5' });
        return;
      }
      if (path === '/api/audit') {
        if (session.role !== 'technician') { sendJson(res, 403, { error: 'technicians only' }); return; }
        sendJson(res, 200, { entries: audit.recent(Math.min(200, Number(url.searchParams.get('limit') ?? '50') || 50)) });
        return;
      }
      if (await tech.get(req, res, url, ctx, set)) return;
      if (await wizard.get(req, res, url, ctx, set)) return;
      const m = /^\/api\/devices\/([^/]{1,64})\/(trend|waveform)$/.exec(path);
      if (m?.[2] === 'trend') { await trend(res, decodeURIComponent(m[1]!), url.searchParams.get('range') ?? '1h'); return; }
      if (m) {
        const id = decodeURIComponent(m[1]!);
        if (!devices.has(id)) { sendJson(res, 404, { error: 'no such device' }); return; }
        sendJson(res, 200, { now: o.clock.now(), waves: o.waveform(id) });
        return;
      }
      send(res, 404, 'text/plain', 'not found');
      return;
    }

    if (method !== 'POST') { send(res, 405, 'text/plain', 'method not allowed', { allow: 'GET, POST' }); return; }
    if (await tech.post(req, res, path, session)) return;
    if (await wizard.post(req, res, path, session)) return;
    const body = parseBody(req, await readBody(req));
    const token = typeof req.headers['x-csrf-token'] === 'string' ? req.headers['x-csrf-token'] : typeof body['csrf'] === 'string' ? body['csrf'] : undefined;
    if (!sameOrigin(req) || !csrfMatches(session, token)) {
      sendJson(res, 403, { error: 'missing or wrong CSRF token' });
      return;
    }
    if (path === '/logout') {
      sessions.end(session.id);
      audit.record({ role: session.role, from: clientOf(req), action: 'logout', detail: {}, ok: true });
      redirect(res, '/login', { 'set-cookie': [`${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${o.tls ? '; Secure' : ''}`] });
      return;
    }
    const action = { '/api/alarms/ack': 'alarms.ack', '/api/alarms/pause': 'alarms.pause', '/api/alarms/test': 'alarms.test' }[path];
    if (!action) { sendJson(res, 404, { error: 'not found' }); return; }
    if (session.role !== 'technician') {
      audit.record({ role: session.role, from: clientOf(req), action, detail: body, ok: false, error: 'read-only role' });
      sendJson(res, 403, { error: 'read-only: technicians only' });
      return;
    }
    const detail = Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'csrf'));
    try {
      const out = await actions[action]!(detail);
      if (!audit.record({ role: session.role, from: clientOf(req), action, detail, ok: true })) log.error({ action }, 'console action done but its audit entry could not be stored');
      log.info({ action, role: session.role }, 'console action');
      feed.push();
      sendJson(res, 200, out);
    } catch (err) {
      audit.record({ role: session.role, from: clientOf(req), action, detail, ok: false, error: (err as Error).message });
      sendJson(res, 400, { error: (err as Error).message });
    }
  };

  const serveAsset = (req: IncomingMessage, res: ServerResponse, name: string): void => {
    const a = assets.get(name);
    if (!a) { send(res, 404, 'text/plain', 'not found'); return; }
    const headers = { 'content-type': a.type, 'cache-control': 'max-age=3600', etag: a.etag, vary: 'accept-encoding', 'x-content-type-options': 'nosniff' };
    if (req.headers['if-none-match'] === a.etag) { res.writeHead(304, headers).end(); return; }
    const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    res.writeHead(200, gz ? { ...headers, 'content-encoding': 'gzip' } : headers);
    res.end(gz ? a.gzip : a.body);
  };

  const login = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const { lang } = langOf(req, url);
    const s = STRINGS[lang];
    const client = clientOf(req);
    if (!o.login) { redirect(res, '/'); return; }
    if (!sameOrigin(req)) { send(res, 403, 'text/plain', 'cross-site login refused'); return; }
    const wait = limit.retryAfterMs(client);
    if (wait > 0 || loginsInFlight >= MAX_LOGINS_IN_FLIGHT) {
      req.resume();
      const secs = Math.max(1, Math.ceil(wait / 1000));
      send(res, 429, 'text/html; charset=utf-8', loginPage(lang, o.hubId, s.tooMany.replace('{s}', String(secs))), { 'retry-after': String(secs) });
      return;
    }
    loginsInFlight++;
    try {
      const body = parseBody(req, await readBody(req));
      const password = typeof body['password'] === 'string' ? body['password'] : '';
      let hashes;
      try {
        hashes = readPasswordFile(o.passwordFile);
      } catch (err) {
        log.error({ err: (err as Error).message }, 'console password file unreadable');
        hashes = {};
      }
      if (!hashes.technician && !hashes.viewer) {
        send(res, 503, 'text/html; charset=utf-8', loginPage(lang, o.hubId, s.noPassword));
        return;
      }
      const role: Role | null = await roleOf(hashes, password);
      if (!role) {
        limit.failed(client);
        audit.record({ role: '-', from: client, action: 'login', detail: {}, ok: false, error: 'wrong password' });
        log.warn({ from: client }, 'console login failed');
        send(res, 401, 'text/html; charset=utf-8', loginPage(lang, o.hubId, s.wrongPassword));
        return;
      }
      const session = sessions.create(role);
      audit.record({ role, from: client, action: 'login', detail: {}, ok: true });
      log.info({ role, from: client }, 'console login');
      redirect(res, '/', { 'set-cookie': [`${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Strict${o.tls ? '; Secure' : ''}`] });
    } finally {
      loginsInFlight--;
    }
  };

  const trend = async (res: ServerResponse, device: string, range: string): Promise<void> => {
    if (!(range in TREND_RANGES)) { sendJson(res, 400, { error: `range is one of ${Object.keys(TREND_RANGES).join(', ')}` }); return; }
    if (!devices.has(device)) { sendJson(res, 404, { error: 'no such device' }); return; }
    const r = await trends.query(device, range as TrendRange, o.clock.now());
    if (!r.ok) { sendJson(res, r.status, { error: r.error }); return; }
    sendJson(res, 200, r);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) log.warn({ err: (err as Error).message }, 'console request failed');
      if (!res.headersSent) sendJson(res, status, { error: status === 500 ? 'internal error' : (err as Error).message }, status === 413 ? { connection: 'close' } : {});
      else res.end();
    });
  };

  const server: Server = o.tls ? createHttps({ cert: o.tls.cert, key: o.tls.key }, onRequest) : createHttp(onRequest);
  server.maxConnections = MAX_CONNECTIONS;
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 64;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.bind, () => { server.off('error', reject); resolve(); });
  });
  server.on('error', (err) => log.error({ err: err.message }, 'console server error'));
  const a = server.address() as AddressInfo;
  port = a.port;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  log.info({ url: `${scheme}://${host}:${a.port}/`, login: o.login, tls: Boolean(o.tls) }, 'console listening');
  return {
    url: `${scheme}://${host}:${a.port}/`,
    get eventClients() { return feed.size; },
    close: () => new Promise<void>((resolve) => {
      feed.close();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
