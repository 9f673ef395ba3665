import { createConnection } from 'node:net';
import { ErrorCode, HubError } from '../core/errors.js';
import { MAX_RESPONSE_BYTES, responseSchema } from './protocol.js';

/**
 * One request to the running service over its control socket. Resolves with the handler's
 * result; rejects with a clear message when the service is not running, the socket is not
 * accessible, the handler failed, or no answer came within `timeoutMs`.
 */
export function controlRequest(path: string, method: string, args: Record<string, unknown> = {}, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const id = 1;
    let buf = '';
    let done = false;
    const sock = createConnection(path);
    const finish = (err: Error | null, value?: unknown): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err); else resolve(value);
    };
    const timer = setTimeout(() => finish(new HubError(ErrorCode.ControlSocket, `no answer from carehub on ${path} within ${timeoutMs} ms`)), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify({ id, method, args })}\n`));
    sock.on('error', (err: NodeJS.ErrnoException) => finish(connectError(path, err)));
    sock.on('close', () => finish(new HubError(ErrorCode.ControlSocket, `carehub closed the control connection on ${path} without an answer`)));
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_RESPONSE_BYTES) { finish(new HubError(ErrorCode.ControlSocket, 'answer too long')); return; }
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      let parsed: unknown;
      try { parsed = JSON.parse(buf.slice(0, nl)); } catch { finish(new HubError(ErrorCode.ControlSocket, 'unreadable answer from carehub')); return; }
      const res = responseSchema.safeParse(parsed);
      if (!res.success) { finish(new HubError(ErrorCode.ControlSocket, 'unreadable answer from carehub')); return; }
      if (res.data.ok) finish(null, res.data.result);
      else finish(new Error(res.data.error));
    });
  });
}

function connectError(path: string, err: NodeJS.ErrnoException): Error {
  switch (err.code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return new HubError(ErrorCode.ControlSocket, `the carehub service is not running (no control socket at ${path})`, { path });
    case 'EACCES':
    case 'EPERM':
      return new HubError(ErrorCode.ControlSocket, `permission denied on ${path}: run as the carehub user, a member of its group, or root`, { path });
    default:
      return new HubError(ErrorCode.ControlSocket, `cannot reach carehub on ${path}: ${err.message}`, { path });
  }
}
