/**
 * Errors with stable codes grouped by area: config 1xx, transport 2xx, codec 3xx, store 4xx,
 * uplink 5xx, alarm 6xx, cli 7xx. The code appears in the message as `(HUB0104)`.
 */
export const ErrorCode = {
  ConfigInvalid: 101,
  ConfigUnreadable: 102,
  AlarmConfigInvalid: 103,
  TransportUnavailable: 201,
  TransportLost: 202,
  CodecRejected: 301,
  StoreCorrupt: 401,
  StoreBudget: 402,
  StoreOpen: 403,
  UplinkInsecure: 501,
  UplinkTls: 502,
  UplinkCommand: 503,
  AlarmRules: 601,
  ControlSocket: 701,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class HubError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(`${message} (HUB${String(code).padStart(4, '0')})`);
    this.name = 'HubError';
  }
}
