import type { Logger } from '../core/log.js';
import { isStateChanging, type SocketGuard } from './access.js';
import { requestSchema, type ControlHandler, type ControlResponse } from './protocol.js';

/**
 * One request line → one answer. Never throws: malformed JSON, an unknown method, a broken
 * socket guard and a failing handler are all answers with `ok: false`.
 */
export async function dispatch(line: string, handlers: Record<string, ControlHandler>, guard: SocketGuard, log: Logger): Promise<ControlResponse> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { id: null, ok: false, error: 'request is not valid JSON' };
  }
  const req = requestSchema.safeParse(json);
  if (!req.success) {
    return { id: null, ok: false, error: `malformed request: ${req.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` };
  }
  const { id, method, args } = req.data;
  const fn = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
  if (!fn) return { id, ok: false, error: `unknown method "${method}"` };
  if (isStateChanging(method)) {
    const broken = guard.broken();
    if (broken) return { id, ok: false, error: `refused: ${broken}` };
    log.debug({ method }, 'state-changing control request');
  }
  try {
    const result = await fn(args);
    return { id, ok: true, result: result ?? null };
  } catch (err) {
    log.debug({ method, err: (err as Error).message }, 'control request failed');
    return { id, ok: false, error: (err as Error).message };
  }
}
