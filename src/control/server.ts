import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { ErrorCode, HubError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { MAX_LINE_BYTES, requestSchema, type ControlHandler, type ControlResponse } from './protocol.js';

/**
 * The local control socket of the running service (`carehub status`, `alarms`, `alarm-test`):
 * a Unix socket speaking JSON lines. Its guard is the file system: the socket is mode 0660 in a
 * directory of mode 0750, so only the service user and its group (the technicians) reach it.
 * A stale socket file left by a crash is removed; a live one (another instance) is an error.
 */
export interface ControlServerOptions {
  path: string;
  log: Logger;
  handlers: Record<string, ControlHandler>;
}

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

export async function createControlServer(o: ControlServerOptions): Promise<ControlServer> {
  const log = o.log.child('control');
  mkdirSync(dirname(o.path), { recursive: true, mode: 0o750 });
  if (existsSync(o.path)) {
    if (await alive(o.path)) throw new HubError(ErrorCode.ControlSocket, `another carehub is already listening on ${o.path}`);
    unlinkSync(o.path);
    log.info({ path: o.path }, 'removed stale control socket');
  }
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    serve(sock, o.handlers, log);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.path, () => { server.off('error', reject); resolve(); });
  });
  chmodSync(o.path, 0o660);
  server.on('error', (err) => log.error({ err: err.message }, 'control socket error'));
  log.info({ path: o.path, methods: Object.keys(o.handlers) }, 'control socket listening');
  return {
    path: o.path,
    close: () => close(server, sockets, o.path),
  };
}

function serve(sock: Socket, handlers: Record<string, ControlHandler>, log: Logger): void {
  sock.setEncoding('utf8');
  let buf = '';
  sock.on('error', () => { /* client went away */ });
  sock.on('data', (chunk: string) => {
    buf += chunk;
    if (buf.length > MAX_LINE_BYTES) {
      reply(sock, { id: null, ok: false, error: 'request too long' });
      sock.end();
      return;
    }
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) void handle(sock, line, handlers, log);
    }
  });
}

async function handle(sock: Socket, line: string, handlers: Record<string, ControlHandler>, log: Logger): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    reply(sock, { id: null, ok: false, error: 'request is not valid JSON' });
    return;
  }
  const req = requestSchema.safeParse(json);
  if (!req.success) {
    reply(sock, { id: null, ok: false, error: `malformed request: ${req.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` });
    return;
  }
  const { id, method, args } = req.data;
  const fn = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
  if (!fn) {
    reply(sock, { id, ok: false, error: `unknown method "${method}"` });
    return;
  }
  try {
    const result = await fn(args);
    reply(sock, { id, ok: true, result: result ?? null });
  } catch (err) {
    log.debug({ method, err: (err as Error).message }, 'control request failed');
    reply(sock, { id, ok: false, error: (err as Error).message });
  }
}

function reply(sock: Socket, r: ControlResponse): void {
  if (!sock.writable) return;
  sock.write(`${JSON.stringify(r)}\n`);
}

function alive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

function close(server: Server, sockets: Set<Socket>, path: string): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => {
    server.close(() => {
      try { if (existsSync(path)) unlinkSync(path); } catch { /* already gone */ }
      resolve();
    });
  });
}
