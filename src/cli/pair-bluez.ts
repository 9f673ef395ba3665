import { createInterface } from 'node:readline/promises';
import { loadConfigFile } from '../config/load.js';
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { parseConfig } from '../config/load.js';
import { defaultProtocol, type DeviceConfig, type Protocol } from '../config/schema.js';
import { chooseBindings } from '../transport/ble/bindings-choice.js';
import { openSystemBus } from '../transport/ble/bluez-bus.js';
import { pairThroughBluez, removeBond } from '../transport/ble/bluez-pair.js';
import { EXIT_FAILURE, EXIT_USAGE } from './exit.js';
import { pairCommand, unpairCommand } from './pair.js';
import { describeProbe, probeBondedDevice } from './pair-probe.js';

const MAC = /^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/;
const PASSKEY = /^[0-9]{6}$/;

interface Opts {
  id?: string; config?: string; protocol?: string; json?: boolean; passkey?: string;
  /** How long to wait for the first reading after bonding (tests shorten it). */
  firstReadingWaitMs?: number;
}

function configFile(o: { config?: string }): string {
  return o.config ?? process.env.CAREHUB_CONFIG ?? '/etc/carehub/carehub.yaml';
}

/** The passkey the sensor shows: --passkey, else asked on a TTY; null when there is neither. Never echoed back or logged. */
async function passkeyOf(o: Opts): Promise<number | null | string> {
  const raw = o.passkey ?? (process.stdin.isTTY ? await ask('Passkey shown by the sensor (6 digits, empty if none): ') : '');
  if (raw === '') return null;
  if (!PASSKEY.test(raw)) return 'the passkey is the 6 digits the sensor shows';
  return Number(raw);
}

async function ask(q: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try { return (await rl.question(q)).trim(); } finally { rl.close(); }
}

/**
 * `carehub pair KIND ADDRESS [--passkey N]`: in bluez mode the device is paired, bonded and
 * trusted through BlueZ first (the hub's agent answers the passkey request) and the config
 * entry is written only after that succeeded; a wrong passkey leaves the config untouched.
 * Before the entry is written the device's information (DIS) and first reading are shown
 * (pair-probe.ts; not with --json).
 * Serial devices and hci mode keep the config-only pairing (noble pairs Just Works on connect).
 */
export async function pairDeviceCommand(kind: string, target: string, o: Opts): Promise<number> {
  const out = (s: string): void => { process.stdout.write(s); };
  if (!MAC.test(target)) return pairCommand(kind, target, o);
  const loaded = loadConfigFile(configFile(o));
  if (!loaded.ok) { out(`${configFile(o)}: ${loaded.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}\n`); return EXIT_FAILURE; }
  const choice = await chooseBindings(loaded.config.ble);
  if (choice.bindings === 'hci') {
    if (o.passkey !== undefined) { out(`passkey pairing needs BlueZ (${choice.reason}); set ble.bindings: bluez with bluetoothd running\n`); return EXIT_USAGE; }
    // noble's HCI stack pairs Just Works at most and keeps no bond: say so before the entry is written
    if (!o.json) out(`hci mode (${choice.reason}): the entry is written without bonding; a sensor that requires pairing (a CGM) will raise ble_pairing_required — use ble.bindings: bluez for those\n`);
    return pairCommand(kind, target, o);
  }
  const passkey = await passkeyOf(o);
  if (typeof passkey === 'string') { out(`${passkey}\n`); return EXIT_USAGE; }
  const bus = openSystemBus((e) => out(`system bus: ${e.message}\n`));
  try {
    const r = await pairThroughBluez(bus, choice.adapter, target.toUpperCase(), passkey);
    if (!r.ok) { out(`${r.message}; nothing was written\n`); return EXIT_FAILURE; }
    if (!o.json) out(r.alreadyPaired ? `${target} was already bonded with ${choice.adapter}; trusted\n` : `${target} paired, bonded and trusted on ${choice.adapter}\n`);
  } catch (e) {
    out(`pairing through BlueZ failed: ${e instanceof Error ? e.message : String(e)}; nothing was written\n`);
    return EXIT_FAILURE;
  } finally {
    bus.disconnect();
  }
  if (!o.json) {
    const device = deviceEntry(configFile(o), kind, target.toUpperCase(), o);
    out(typeof device === 'string' ? `note: ${device}; the device information and first reading are not shown\n`
      : describeProbe(await probeBondedDevice(choice.adapter, device, o.firstReadingWaitMs)));
  }
  return pairCommand(kind, target, o);
}


/** The device as the hub will see it (schema defaults applied), from the config with only this entry. */
function deviceEntry(file: string, kind: string, address: string, o: Opts): DeviceConfig | string {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) { return `cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`; }
  const doc = parseDocument(text);
  const protocol = (o.protocol ?? defaultProtocol(kind as DeviceConfig['kind'])) as Protocol | undefined;
  if (!protocol) return `unknown kind ${kind}`;
  doc.set('devices', doc.createNode([{ id: o.id ?? `${kind}-new`, kind, transport: 'ble', protocol, address }]));
  const r = parseConfig(doc.toString(), {}, file);
  if (!r.ok) return r.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
  return r.config.devices[0] ?? 'no device entry';
}

/** `carehub unpair ID`: in bluez mode the bond is removed from BlueZ too, then the entry from the config. */
export async function unpairDeviceCommand(id: string, o: { config?: string; json?: boolean }): Promise<number> {
  const loaded = loadConfigFile(configFile(o));
  const device = loaded.ok ? loaded.config.devices.find((d) => d.id === id) : undefined;
  if (loaded.ok && device?.transport === 'ble' && device.address && !device.simulate) {
    const choice = await chooseBindings(loaded.config.ble);
    if (choice.bindings === 'bluez') {
      const bus = openSystemBus();
      try {
        const removed = await removeBond(bus, choice.adapter, device.address);
        if (!o.json) process.stdout.write(removed ? `bond with ${device.address} removed from ${choice.adapter}\n` : `no bond with ${device.address} on ${choice.adapter}\n`);
      } catch (e) {
        process.stdout.write(`could not remove the bond with ${device.address}: ${e instanceof Error ? e.message : String(e)} (bluetoothctl remove ${device.address})\n`);
      } finally {
        bus.disconnect();
      }
    }
  }
  return unpairCommand(id, o);
}
