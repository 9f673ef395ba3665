import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { IClientOptions } from 'mqtt';
import type { UplinkConfig } from '../config/schema.js';
import { ErrorCode, HubError } from '../core/errors.js';
import { MAX_REQUEST_BYTES } from './commands.js';
import type { StatusPayload } from './topics.js';

const SECURE = new Set(['mqtts:', 'ssl:', 'wss:']);
const PLAIN = new Set(['mqtt:', 'tcp:', 'ws:']);

/** True for 127.0.0.0/8, ::1 (and ::ffff:127.x) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^(0{0,4}:){1,7}0{0,3}1$/.test(h) || /^::ffff:127\./.test(h);
  return false;
}

/**
 * Refuses plain TCP / WebSocket to anything but loopback unless `allowInsecure` is set.
 * Throws HubError UplinkInsecure before any connection is attempted.
 */
export function checkTransport(mqtt: UplinkConfig['mqtt']): { secure: boolean; host: string } {
  let u: URL;
  try {
    u = new URL(mqtt.url);
  } catch {
    throw new HubError(ErrorCode.UplinkInsecure, 'uplink.mqtt.url is not a valid URL', { path: 'uplink.mqtt.url' });
  }
  const secure = SECURE.has(u.protocol);
  if (!secure && !PLAIN.has(u.protocol)) {
    throw new HubError(ErrorCode.UplinkInsecure, `unsupported broker URL scheme ${u.protocol}`, { path: 'uplink.mqtt.url' });
  }
  if (!secure && !mqtt.allowInsecure && !isLoopbackHost(u.hostname)) {
    throw new HubError(
      ErrorCode.UplinkInsecure,
      `refusing plain ${u.protocol.replace(':', '')}:// to non-loopback host ${u.hostname}: use mqtts:// or set uplink.mqtt.allowInsecure: true`,
      { path: 'uplink.mqtt.url', host: u.hostname },
    );
  }
  return { secure, host: u.hostname };
}

function readSecretFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new HubError(ErrorCode.UplinkTls, `cannot read ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { path });
  }
}

/** Reads "username:password" (first line, split at the first colon). */
export function readCredentials(path: string): { username: string; password: string } {
  const text = readSecretFile(path, 'credentials').toString('utf8');
  const line = (text.split(/\r?\n/)[0] ?? '').trim();
  const i = line.indexOf(':');
  if (i <= 0) throw new HubError(ErrorCode.UplinkTls, `credentials file ${path} must hold "username:password"`, { path });
  return { username: line.slice(0, i), password: line.slice(i + 1) };
}

/** Largest packet the hub accepts from the broker (MQTT 5 CONNECT property maximumPacketSize). */
export const MAX_INBOUND_PACKET_BYTES = MAX_REQUEST_BYTES + 1024;
/** Inbound QoS 1 messages in flight from the broker (MQTT 5 CONNECT property receiveMaximum). */
export const INBOUND_RECEIVE_MAXIMUM = 32;

export interface ConnectOptionsInput {
  config: UplinkConfig;
  clientId: string;
  willTopic: string;
  will: StatusPayload;
}

/**
 * The mqtt.js options for one connection attempt. Reconnects are scheduled by the uplink itself
 * (reconnectPeriod 0). Persistent session: clean false, and on MQTT 5 a session expiry.
 */
export function buildConnectOptions(input: ConnectOptionsInput): IClientOptions {
  const m = input.config.mqtt;
  const { secure } = checkTransport(m);
  const v5 = m.protocolVersion === 5;
  const opts: IClientOptions = {
    protocolVersion: m.protocolVersion,
    clientId: input.clientId,
    clean: false,
    keepalive: m.keepaliveS,
    reconnectPeriod: 0,
    connectTimeout: 15_000,
    resubscribe: false,
    queueQoSZero: false,
    will: {
      topic: input.willTopic,
      payload: Buffer.from(JSON.stringify(input.will)),
      qos: 1,
      retain: true,
      ...(v5 ? { properties: { contentType: 'application/json' } } : {}),
    },
  };
  // MQTT 5: the broker must not send the hub a packet larger than a command request may be
  // (plus topic and header room); on 3.1.1 the command router refuses oversized requests unread.
  // receiveMaximum: at most this many unacknowledged QoS 1 messages from the broker at a time.
  if (v5) opts.properties = { sessionExpiryInterval: m.sessionExpiryS, maximumPacketSize: MAX_INBOUND_PACKET_BYTES, receiveMaximum: INBOUND_RECEIVE_MAXIMUM };
  if (secure) {
    opts.rejectUnauthorized = true;
    if (m.ca) opts.ca = readSecretFile(m.ca, 'CA certificate');
    if (m.cert || m.key) {
      if (!m.cert || !m.key) throw new HubError(ErrorCode.UplinkTls, 'uplink.mqtt.cert and uplink.mqtt.key go together', { path: 'uplink.mqtt' });
      opts.cert = readSecretFile(m.cert, 'client certificate');
      opts.key = readSecretFile(m.key, 'client key');
    }
  }
  if (m.credentialsFile) Object.assign(opts, readCredentials(m.credentialsFile));
  return opts;
}
