import { z } from 'zod';
import { alarmsSchema } from '../alarms/config-schema.js';
import { timeSuspectSchema } from '../pipeline/time-sanity.js';

/**
 * The ONE definition of the configuration: shape, defaults, ranges and documentation.
 * The TypeScript type, config/schema.json and the README reference are all derived from it.
 */

const MAC = /^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{12}$/;
const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?\s*$/i;

export const byteSize = z
  .union([z.number().int().positive(), z.string().regex(SIZE, 'a size like 512MB')])
  .describe('A byte count, or a size such as "512MB" / "2GiB".');

export function parseByteSize(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = SIZE.exec(v);
  if (!m) throw new Error(`not a size: ${v}`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'B').toUpperCase();
  const mult: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3 };
  return Math.floor(n * (mult[unit] ?? 1));
}

/*
 * Upper (and lower) bounds: every number is limited to what the hub can honour. Each is
 * refused by check-config with its path (test/safety/config-bounds.test.ts).
 */
/** Outbox budget: below 4 MB a broker outage of minutes evicts ventilator data; 1 TiB is beyond any disk of a Pi. */
export const STORAGE_MIN_BYTES = 4_000_000;
export const STORAGE_MAX_BYTES = 1024 ** 4;
/** Reconnect delays: one hour at most (and far below the 2^31-1 ms limit of Node timers, whose overflow fires at once). */
export const RECONNECT_MAX_MS = 3_600_000;
/** MQTT 5 session expiry is a four-byte integer; 0xFFFFFFFF means "never expires". */
export const SESSION_EXPIRY_MAX_S = 0xffff_ffff;
/** Serial: the fastest rate of the FTDI/CP210x adapters in use (termios allows any integer rate up to it). */
export const BAUD_MIN = 50;
export const BAUD_MAX = 4_000_000;
/** Devices per hub: the BLE controller of a Pi holds far fewer connections; 64 leaves room for serial devices. */
export const MAX_DEVICES = 64;
/** Unix socket paths are limited to 107 bytes (sun_path). */
export const SOCKET_PATH_MAX_BYTES = 107;
const PATH_MAX = 4096;

function sizeOrNaN(v: string): number {
  return SIZE.test(v) ? parseByteSize(v) : Number.NaN;
}

const storageBudget = z
  .union([
    z.number().int().min(STORAGE_MIN_BYTES).max(STORAGE_MAX_BYTES),
    z.string().regex(SIZE, 'a size like 512MB').superRefine((v, ctx) => {
      const n = sizeOrNaN(v);
      if (n < STORAGE_MIN_BYTES) ctx.addIssue({ code: 'custom', message: `at least 4MB (${STORAGE_MIN_BYTES} bytes); "${v}" is ${n} bytes` });
      else if (n > STORAGE_MAX_BYTES) ctx.addIssue({ code: 'custom', message: `at most 1 TiB (${STORAGE_MAX_BYTES} bytes, "1024GiB"); "${v}" is ${n} bytes` });
    }),
  ])
  .describe('A byte count, or a size such as "512MB" / "2GiB"; 4MB to 1 TiB.');

const hubSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - (max 64)').describe('Hub id, used in MQTT topics and payloads.'),
  timezone: z.string().max(64).default('Europe/Copenhagen').describe('IANA time zone of the home (for schedules and the local page).'),
  timeSuspect: timeSuspectSchema,
});

const storageSchema = z.strictObject({
  path: z.string().min(1).max(PATH_MAX).default('/var/lib/carehub/carehub.db').describe('SQLite database file (created with mode 0600).'),
  maxBytes: storageBudget.default('512MB').describe('Byte budget of the outbox. When full, the highest lane and oldest rows are evicted first; alarm events never.'),
  retainSentHours: z.number().min(0).max(24 * 90).default(72).describe('Keep delivered readings this long for `status` and local views.'),
});

const mqttSchema = z.strictObject({
  url: z.string().max(2048).regex(/^(mqtts?|wss?|tcp|ssl):\/\/[^\s]+$/, 'an mqtt://, mqtts://, ws:// or wss:// URL').describe('Broker URL. Plain mqtt:// only to loopback unless allowInsecure.'),
  ca: z.string().max(PATH_MAX).optional().describe('CA certificate file (PEM) that signs the broker certificate.'),
  cert: z.string().max(PATH_MAX).optional().describe('Client certificate file (PEM) of this hub.'),
  key: z.string().max(PATH_MAX).optional().describe('Client private key file (PEM) of this hub.'),
  credentialsFile: z.string().max(PATH_MAX).optional().describe('File with "username:password" on one line (never in the config itself).'),
  protocolVersion: z.union([z.literal(5), z.literal(4)]).default(5).describe('MQTT 5 (default) or 3.1.1 (4).'),
  allowInsecure: z.boolean().default(false).describe('Allow plain TCP to a non-loopback broker. Never in production.'),
  clientId: z.string().min(1).max(256).optional().describe('MQTT client id; default carehub-<hub id>.'),
  keepaliveS: z.number().int().min(5).max(600).default(30).describe('MQTT keep-alive in seconds.'),
  reconnectMinMs: z.number().int().min(100).max(RECONNECT_MAX_MS).default(1000).describe('First reconnect delay (jittered, doubling); at most reconnectMaxMs.'),
  reconnectMaxMs: z.number().int().min(1000).max(RECONNECT_MAX_MS).default(60_000).describe('Largest reconnect delay (at most one hour).'),
  sessionExpiryS: z.number().int().min(0).max(SESSION_EXPIRY_MAX_S).default(7 * 24 * 3600).describe('Persistent session expiry (MQTT 5); 4294967295 = never expires.'),
}).superRefine((m, ctx) => {
  if (m.reconnectMinMs > m.reconnectMaxMs) ctx.addIssue({ code: 'custom', path: ['reconnectMinMs'], message: `must not exceed reconnectMaxMs (${m.reconnectMaxMs})` });
});

/** A FHIR reference: [base URL/]Type/id[/_history/version], at most 1024 characters. */
const FHIR_REFERENCE = /^(https?:\/\/[^\s/]+(\/[^\s/]+)*\/)?[A-Z][A-Za-z]{1,63}\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const fhirReference = (type: string) => z.string().max(1024).regex(FHIR_REFERENCE, 'a FHIR reference such as Patient/123 or https://host/fhir/Patient/123')
  .refine((r) => new RegExp(`(^|/)(${type})/[^/]+(/_history/[^/]+)?$`).test(r), `a reference to ${type.split('|').join(' or ')}`);

const fhirSchema = z.strictObject({
  patient: z.strictObject({
    reference: fhirReference('Patient').optional().describe('The patient as a reference on the receiving server (FUT needs this form).'),
    identifier: z.strictObject({
      system: z.string().min(1).max(1024).describe('Identifier system (a URI, e.g. urn:oid:1.2.208.176.1.2 for the Danish CPR).'),
      value: z.string().min(1).max(256).describe('Identifier value.'),
    }).optional().describe('The patient by identifier; the Bundle then carries a conditional create of the Patient.'),
  }).refine((p) => (p.reference === undefined) !== (p.identifier === undefined), 'give exactly one of reference or identifier')
    .describe('The patient the readings belong to (Observation.subject). Required for format fhir and fut.'),
  episodeOfCare: fhirReference('EpisodeOfCare').optional().describe('FUT: the EpisodeOfCare of the monitoring (workflow-episodeOfCare extension).'),
  basedOn: fhirReference('ServiceRequest').optional().describe('FUT: the ServiceRequest the measurements fulfil, with its version (.../ServiceRequest/<id>/_history/<version>).'),
  performer: fhirReference('Patient|Practitioner|Organization|RelatedPerson').optional().describe('FUT: who performs the measurements (usually the patient).'),
}).optional();

const uplinkSchema = z.strictObject({
  mqtt: mqttSchema,
  topicPrefix: z.string().max(64).regex(/^[^#+\s]+$/).default('carehub').describe('First level of every topic.'),
  format: z.enum(['json', 'fhir', 'fut']).default('json').describe('Reading batch payload: carehub JSON, a FHIR R4 Bundle per the HL7 PHD IG (fhir), or FUT ehealth-observations (fut). docs/TERMINOLOGY.md lists the codes.'),
  fhir: fhirSchema.describe('Who and what the FHIR formats refer to (uplink.format fhir or fut).'),
  batchMaxReadings: z.number().int().min(1).max(10_000).default(500).describe('Most readings per published batch.'),
  batchMaxDelayMs: z.number().int().min(0).max(60_000).default(200).describe('Longest wait to fill a batch of live readings.'),
  inflightBatches: z.number().int().min(1).max(1000).default(12).describe('Unacknowledged QoS 1 batches allowed in flight while draining (also capped by the broker\'s receive maximum). 12 keeps a 1M-reading drain under ~120 MB RSS.'),
  healthIntervalS: z.number().int().min(5).max(3600).default(60).describe('Interval of the health topic.'),
  commandKey: z.string().min(1).max(PATH_MAX).optional()
.describe('Ed25519 public key file (PEM). When set, every state-changing command must carry a valid signature (docs/COMMANDS.md); unsigned ones are refused.'),
  commandMaxAgeS: z.number().int().min(1).max(86_400).default(300).describe('Commands issued (iat) longer ago than this are refused, e.g. queued while the hub was offline.'),
});

const deviceOptions = z.strictObject({
  crc: z.enum(['mcrf4xx', 'ccitt-false', 'none']).optional().describe('CGM E2E-CRC variant (default: verify MCRF4XX when present).'),
  quirks: z.array(z.enum(['warning-first'])).max(4).default([]).describe('Device quirks, e.g. CGM annunciation octets Warning first (nRF5 SDK).'),
  intervalMin: z.number().int().min(1).max(15).optional().describe('CGM communication interval to request, minutes.'),
  readingRateHz: z.number().min(0.1).max(10).default(1).describe('Rate of clinical readings derived from streaming oximeters.'),
  userId: z.number().int().min(0).max(254).optional().describe('Blood pressure monitor or weight scale shared by several people: take only the measurements of this device user index (0-254); measurements of other users are skipped and counted. Absent: every measurement is the patient\'s.'),
  waveform: z.boolean().default(false).describe('Forward waveforms (pleth, airway pressure, flow) in the high-rate lane.'),
  waveformHz: z.number().min(1).max(250).default(25).describe('Waveform rate forwarded upstream (decimated from the device rate).'),
  baud: z.number().int().min(BAUD_MIN).max(BAUD_MAX).default(19200).describe('Serial baud rate, 50 to 4000000 (MEDIBUS: 9600 or 19200).'),

  parity: z.enum(['none', 'even', 'odd']).default('even').describe('Serial parity.'),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8).describe('Serial data bits.'),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1).describe('Serial stop bits.'),
}).default({ quirks: [], readingRateHz: 1, waveform: false, waveformHz: 25, baud: 19200, parity: 'even', dataBits: 8, stopBits: 1 });

const deviceSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - (max 64)').describe('Device id on this hub (used in readings and topics).'),
    kind: z.enum(['cgm', 'oximeter', 'ventilator', 'bp', 'scale', 'glucometer']).describe('What the device is: cgm, oximeter, ventilator, bp (blood pressure monitor), scale (weight scale) or glucometer (blood glucose meter).'),
    transport: z.enum(['ble', 'serial']).describe('How the hub reaches it.'),
    protocol: z.enum(['cgms', 'plxs', 'berrymed', 'medibus', 'bps', 'wss', 'gls']).optional().describe('Driver; default by kind: cgm→cgms, oximeter→plxs, ventilator→medibus, bp→bps, scale→wss, glucometer→gls.'),
    address: z.string().regex(MAC, 'a Bluetooth address like C4:7A:11:02:33:9E').optional().describe('BLE address (BLE devices).'),
    path: z.string().max(PATH_MAX).regex(/^(\/|tcp:\/\/)/, 'a device path (/dev/...) or tcp://host:port').optional().describe('Serial port path (prefer /dev/serial/by-id/...) or tcp://host:port.'),
    name: z.string().max(200).optional().describe('Label for technicians.'),
    simulate: z.string().max(64).regex(/^[a-z][a-z0-9-]*$/).optional().describe('Serve this device by the built-in simulator with this scenario (normal, desaturation, ...).'),
    options: deviceOptions.describe('Protocol options.'),
  })
  .superRefine((d, ctx) => {
    if (d.simulate) return;
    if (d.transport === 'ble' && !d.address) ctx.addIssue({ code: 'custom', path: ['address'], message: 'BLE devices need an address (or simulate:)' });
    if (d.transport === 'serial' && !d.path) ctx.addIssue({ code: 'custom', path: ['path'], message: 'serial devices need a path (or simulate:)' });
  })
  .superRefine((d, ctx) => {
    const p = d.protocol ?? defaultProtocol(d.kind);
    const want = PROTOCOLS[p];
    if (want.kind !== d.kind) ctx.addIssue({ code: 'custom', path: ['protocol'], message: `protocol ${p} is for ${want.kind} devices, not ${d.kind}` });
    if (want.transport !== d.transport) ctx.addIssue({ code: 'custom', path: ['transport'], message: `protocol ${p} runs over ${want.transport}` });
  });

const PROTOCOLS = {
  cgms: { kind: 'cgm', transport: 'ble' },
  plxs: { kind: 'oximeter', transport: 'ble' },
  berrymed: { kind: 'oximeter', transport: 'ble' },
  medibus: { kind: 'ventilator', transport: 'serial' },
  bps: { kind: 'bp', transport: 'ble' },
  wss: { kind: 'scale', transport: 'ble' },
  gls: { kind: 'glucometer', transport: 'ble' },
} as const;

export type Protocol = keyof typeof PROTOCOLS;

const DEFAULT_PROTOCOL: Readonly<Record<DeviceConfig['kind'], Protocol>> = {
  cgm: 'cgms', oximeter: 'plxs', ventilator: 'medibus', bp: 'bps', scale: 'wss', glucometer: 'gls',
};

export function defaultProtocol(kind: DeviceConfig['kind']): Protocol {
  return DEFAULT_PROTOCOL[kind];
}

const localSchema = z.strictObject({
  pageBind: z.string().min(1).max(253).default('127.0.0.1').describe('Bind address of the local status page.'),
  pagePort: z.number().int().min(0).max(65535).default(8080).describe('Port of the local status page (0 = any free port).'),
  consoleLogin: z.boolean().default(true).describe('The technician console asks for a password (`carehub console-password`). false is allowed only on a loopback pageBind (the demo); off loopback the console also speaks HTTPS with the hub\'s self-signed certificate.'),
  consoleSessionMinutes: z.number().int().min(5).max(720).default(60).describe('A console session ends after this many minutes without a request.'),
  controlSocket: z.string().min(1).max(SOCKET_PATH_MAX_BYTES).refine((p) => Buffer.byteLength(p) <= SOCKET_PATH_MAX_BYTES, `at most ${SOCKET_PATH_MAX_BYTES} bytes (the limit of a Unix socket path)`).default('/run/carehub/control.sock').describe('Unix socket for `carehub status`, `alarms`, `alarm-test` (mode 0660).'),
  console: z.boolean().default(true).describe('Alarm annunciator: log/console.'),
  sound: z.boolean().default(true).describe('Alarm annunciator: audio through ALSA (aplay) when a sound device exists.'),
  soundDevice: z.string().max(256).optional().describe('ALSA device for alarm audio (default device when absent).'),
  gpioChip: z.string().max(PATH_MAX).optional().describe('GPIO character device for a buzzer/LED (e.g. /dev/gpiochip0).'),
  gpioLine: z.number().int().min(0).max(1023).optional().describe('GPIO line offset of the buzzer/LED.'),
}).default({ pageBind: '127.0.0.1', pagePort: 8080, consoleLogin: true, consoleSessionMinutes: 60, controlSocket: '/run/carehub/control.sock', console: true, sound: true });

const bleSchema = z.strictObject({
  bindings: z.enum(['auto', 'bluez', 'hci']).default('auto').describe('BLE stack: bluez (through bluetoothd over D-Bus: pairing, bonding, passkeys), hci (raw HCI socket; bluetoothd must not use the adapter) or auto (bluez on Linux when org.bluez is on the system bus, else hci).'),
  adapter: z.string().regex(/^hci([0-9]|[1-5][0-9]|6[0-3])$/, 'an adapter name hci0 to hci63').default('hci0').describe('Bluetooth adapter the hub uses (hci0 to hci63); one central per adapter.'),
}).default({ bindings: 'auto', adapter: 'hci0' }).describe('The real Bluetooth LE stack and adapter (simulated devices ignore it).');

const scheduleSchema = z.strictObject({
  housekeeping: z.string().max(200).default('*/15 * * * *').describe('Cron: prune delivered readings past retention, checkpoint the WAL.'),
  integrityCheck: z.string().max(200).default('30 3 * * *').describe('Cron: SQLite quick_check while running.'),
}).default({ housekeeping: '*/15 * * * *', integrityCheck: '30 3 * * *' });

const logSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Default log level.'),
  levels: z.record(z.string().max(128), z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])).refine((o) => Object.keys(o).length <= 64, 'at most 64 namespaces').default({})
.describe('Per-namespace levels, e.g. { "uplink": "debug" }.'),
}).default({ level: 'info', levels: {} });

export const configSchema = z
  .strictObject({
  version: z.literal(1).default(1).describe('Config file format version.'),
  hub: hubSchema,
  storage: storageSchema.default({ path: '/var/lib/carehub/carehub.db', maxBytes: '512MB', retainSentHours: 72 }),
  uplink: uplinkSchema,
  devices: z.array(deviceSchema).max(MAX_DEVICES).default([]).describe(`Devices paired with this hub (at most ${MAX_DEVICES}).`),
  alarms: alarmsSchema.optional().describe('Alarm rules. When absent, the shipped defaults (config/alarms.default.yaml) apply.'),
  local: localSchema,
  ble: bleSchema,
  schedule: scheduleSchema,
  log: logSchema,
})
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.devices.forEach((d, i) => {
      const first = seen.get(d.id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['devices', i, 'id'], message: `duplicate device id (also devices[${first}])` });
      else seen.set(d.id, i);
    });
  });

export type Config = z.infer<typeof configSchema>;
export type DeviceConfig = Config['devices'][number];
export type UplinkConfig = Config['uplink'];
export type BleConfig = Config['ble'];
export type StorageConfig = Config['storage'];
export type LocalConfig = Config['local'];
