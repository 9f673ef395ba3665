import { z } from 'zod';

/**
 * The control socket's wire format: JSON lines. One request per line, one response per line,
 * matched by `id`:
 *   {"id":1,"method":"alarms.ack","args":{"id":"k3f..."}}
 *   {"id":1,"ok":true,"result":{...}}   or   {"id":1,"ok":false,"error":"..."}
 * A connection may carry several requests; answers can come out of order (match by id).
 */
export const requestSchema = z.strictObject({
  id: z.union([z.number(), z.string().max(100)]),
  method: z.string().min(1).max(100),
  args: z.record(z.string(), z.unknown()).default({}),
});
export type ControlRequest = z.infer<typeof requestSchema>;

export const responseSchema = z.union([
  z.object({ id: z.union([z.number(), z.string()]).nullable(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.union([z.number(), z.string()]).nullable(), ok: z.literal(false), error: z.string() }),
]);
export type ControlResponse = z.infer<typeof responseSchema>;

export type ControlHandler = (args: Record<string, unknown>) => Promise<unknown>;

/** Longest answer line a client accepts (`status` of a full hub is a few kB). */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
