import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { dirname } from 'node:path';
import { ErrorCode, HubError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { guardSocket } from './access.js';
import { ControlConnection, sendAndDestroy, type CloseReason } from './connection.js';
import { dispatch } from './dispatch.js';
import { CONTROL_LIMITS, type ControlLimits } from './limits.js';
import type { ControlHandler } from './protocol.js';

/**
 * The local control socket of the running service (`carehub status`, `alarms`, `alarm-test`):
 * a Unix socket speaking JSON lines (protocol.ts). Access: mode 0660 in a directory of mode
 * 0750, owned by the service's user and group; state-changing methods re-check that guard
 * (access.ts). Bounds: request length, connections, idle time, requests in flight and unread
 * answers (limits.ts), each enforced while reading. A stale socket file left by a crash is
 * removed; a live one (another instance) is an error.
 */
export interface ControlServerOptions {
  path: string;
  log: Logger;
  handlers: Record<string, ControlHandler>;
  /** Numeric gid the socket is given; default the service's own group. */
  group?: number;
  /** Overrides of the shipped bounds (tests use short idle times). */
  limits?: Partial<ControlLimits>;
}

export interface ControlStats {
  open: number;
  peakOpen: number;
  accepted: number;
  /** Closed to make room for a new connection (idle the longest). */
  evicted: number;
  /** Refused because every open connection was busy. */
  refused: number;
  overlong: number;
  idleClosed: number;
}

export interface ControlServer {
  readonly path: string;
  stats(): ControlStats;
  close(): Promise<void>;
}

export const SOCKET_MODE = 0o660;
export const SOCKET_DIR_MODE = 0o750;

export async function createControlServer(o: ControlServerOptions): Promise<ControlServer> {
  const log = o.log.child('control');
  const limits: ControlLimits = { ...CONTROL_LIMITS, ...o.limits };
  mkdirSync(dirname(o.path), { recursive: true, mode: SOCKET_DIR_MODE });
  if (existsSync(o.path)) {
    if (await alive(o.path)) throw new HubError(ErrorCode.ControlSocket, `another carehub is already listening on ${o.path}`);
    unlinkSync(o.path);
    log.info({ path: o.path }, 'removed stale control socket');
  }
  const conns = new Set<ControlConnection>();
  const stats: ControlStats = { open: 0, peakOpen: 0, accepted: 0, evicted: 0, refused: 0, overlong: 0, idleClosed: 0 };
  let crowded = false;
  let guard: ReturnType<typeof guardSocket> | null = null;

  const onGone = (c: ControlConnection, reason: CloseReason | null): void => {
    conns.delete(c);
    stats.open = conns.size;
    if (reason === 'overlong') stats.overlong++;
    else if (reason === 'idle') stats.idleClosed++;
    else if (reason === 'evicted') stats.evicted++;
    if (crowded && conns.size <= limits.maxConnections / 2) {
      crowded = false;
      log.info({ evicted: stats.evicted, refused: stats.refused }, 'control connections back below the cap');
    }
  };

  const server = createServer((sock) => {
    sock.on('error', () => { /* a client that went away */ });
    if (conns.size >= limits.maxConnections && !makeRoom(conns)) {
      stats.refused++;
      sendAndDestroy(sock, `too many control connections (at most ${limits.maxConnections}, all busy); try again`);
      return;
    }
    if (conns.size + 1 >= limits.maxConnections && !crowded) {
      crowded = true;
      log.warn({ max: limits.maxConnections }, 'control connections at the cap: the one idle the longest is closed for each new one');
    }
    stats.accepted++;
    const c = new ControlConnection(sock, {
      limits,
      onGone,
      handle: (line) => dispatch(line, o.handlers, guard ?? { gid: -1, broken: () => 'the control socket is starting' }, log),
    });
    conns.add(c);
    stats.open = conns.size;
    stats.peakOpen = Math.max(stats.peakOpen, conns.size);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.path, () => { server.off('error', reject); resolve(); });
  });
  try {
    chmodSync(o.path, SOCKET_MODE);
    guard = guardSocket(o.path, SOCKET_MODE, log, o.group);
  } catch (err) {
    await close(server, conns, o.path);
    throw new HubError(ErrorCode.ControlSocket, `cannot secure the control socket ${o.path}: ${(err as Error).message}`, { path: o.path });
  }
  server.on('error', (err) => log.error({ err: err.message }, 'control socket error'));
  log.info({ path: o.path, gid: guard.gid, methods: Object.keys(o.handlers), limits }, 'control socket listening');
  return {
    path: o.path,
    stats: () => ({ ...stats }),
    close: () => close(server, conns, o.path),
  };
}

/** Evicts the connection idle the longest; false when every connection is busy. */
function makeRoom(conns: Set<ControlConnection>): boolean {
  let victim: ControlConnection | null = null;
  for (const c of conns) if (c.evictable && (!victim || c.idleSince < victim.idleSince)) victim = c;
  if (!victim) return false;
  victim.fail('evicted', 'closed: too many control connections (this one was idle the longest)');
  return true;
}

function alive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

function close(server: Server, conns: Set<ControlConnection>, path: string): Promise<void> {
  for (const c of conns) c.sock.destroy();
  return new Promise((resolve) => {
    server.close(() => {
      try { if (existsSync(path)) unlinkSync(path); } catch { /* already gone */ }
      resolve();
    });
  });
}
