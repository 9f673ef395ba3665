import type { DriverDefinition } from '../../drivers/types.js';
import type { BindingsChoice } from '../transport/ble/bindings-choice.js';
import { bondDetail, openSystemBus } from '../transport/ble/bluez-bus.js';
import { pairThroughBluez } from '../transport/ble/bluez-pair.js';
import { scanSupported, type ScannedDevice } from '../transport/ble/scan.js';
import type { SimulatedBindings } from '../transport/ble/sim-bindings.js';
import type { BleCentral, BondState } from '../transport/ble/types.js';

/** The hub's own centrals, as DeviceRunner.pairingBle() hands them out. */
export interface PairingBle {
  sim: { central: BleCentral; bindings: SimulatedBindings } | null;
  real: (BindingsChoice & { central: BleCentral }) | null;
  openReal(): Promise<BindingsChoice & { central: BleCentral }>;
}

/** One row of the wizard's scan list. */
export interface ScanRow extends ScannedDevice {
  /** Which central heard it: the real adapter or the simulated world. */
  source: 'real' | 'sim';
  bond: BondState;
  /** What a simulated device shows on its (imaginary) screen: its passkey. Real devices: absent. */
  display?: string;
}

export type PairOutcome = { ok: true } | { ok: false; needsPasskey: boolean; message: string };

/** Devices kept from one scan, at most (strongest signal first). */
export const MAX_SCAN_ROWS = 32;
/** How long a connection for pairing may take. */
const CONNECT_MS = 15_000;

/**
 * The centrals a scan listens on: the simulated world when the hub has one, and the real adapter
 * when the hub already uses it or has no simulated world (a real hub with no BLE device yet).
 */
export async function scanCentrals(ble: PairingBle): Promise<Array<{ source: 'real' | 'sim'; central: BleCentral; choice?: BindingsChoice }>> {
  const out: Array<{ source: 'real' | 'sim'; central: BleCentral; choice?: BindingsChoice }> = [];
  if (ble.sim) out.push({ source: 'sim', central: ble.sim.central });
  const real = ble.real ?? (ble.sim ? null : await ble.openReal());
  if (real) out.push({ source: 'real', central: real.central, choice: real });
  return out;
}

/** Scan every central at once for `seconds`; rows with bond state, strongest first, at most MAX_SCAN_ROWS. */
export async function scanAll(ble: PairingBle, drivers: DriverDefinition[], seconds: number): Promise<{ rows: ScanRow[]; problems: string[] }> {
  const centrals = await scanCentrals(ble);
  const problems: string[] = [];
  const rows: ScanRow[] = [];
  const results = await Promise.allSettled(centrals.map(async (c) => ({ c, found: await scanSupported(c.central, drivers, seconds) })));
  for (const r of results) {
    if (r.status === 'rejected') { problems.push(r.reason instanceof Error ? r.reason.message : String(r.reason)); continue; }
    const { c, found } = r.value;
    for (const d of found.slice(0, MAX_SCAN_ROWS)) rows.push({ ...d, source: c.source, bond: 'unknown' });
  }
  rows.sort((a, b) => b.rssi - a.rssi);
  rows.splice(MAX_SCAN_ROWS);
  await bondStates(ble, rows);
  return { rows, problems };
}

async function bondStates(ble: PairingBle, rows: ScanRow[]): Promise<void> {
  for (const row of rows.filter((r) => r.source === 'sim')) {
    const sec = ble.sim?.bindings.securityOf(row.address);
    row.bond = sec ? (sec.hostKeys ? 'bonded' : 'none') : 'unknown';
    if (sec?.security.level === 'authenticated') row.display = sec.security.passkey ?? '000000';
  }
  const real = ble.real;
  const viaBluez = rows.filter((r) => r.source === 'real');
  if (!real || real.bindings !== 'bluez' || viaBluez.length === 0) return;
  const bus = openSystemBus();
  try {
    for (const row of viaBluez) row.bond = await bondDetail(bus, real.adapter, row.address).catch((): BondState => 'unknown');
  } finally {
    bus.disconnect();
  }
}

/**
 * Pair (and bond) with a device the scan found, with the passkey it displays when it asks for
 * one. Simulated: over a link of the hub's simulated central. BlueZ: through BlueZ with the
 * hub's agent. Raw HCI: noble pairs Just Works when the driver connects, so there is nothing to
 * do here and a passkey cannot be used. The passkey is only handed on, never kept.
 */
export async function pairDevice(ble: PairingBle, row: ScanRow, passkey: string | null): Promise<PairOutcome> {
  if (row.source === 'sim') {
    const sim = ble.sim;
    if (!sim) return { ok: false, needsPasskey: false, message: 'the simulated world is gone' };
    const conn = await sim.central.connect(row.address, CONNECT_MS);
    try {
      const r = sim.bindings.pair(row.address, passkey);
      if (r.ok) return { ok: true };
      if (r.reason === 'authentication_failed') {
        return passkey === null
          ? { ok: false, needsPasskey: true, message: 'the device asks for the passkey it shows' }
          : { ok: false, needsPasskey: true, message: 'the device did not accept the passkey: check the digits it shows and try again' };
      }
      return { ok: false, needsPasskey: false, message: `the device refused pairing (${r.reason})` };
    } finally {
      await conn.disconnect();
    }
  }
  const real = ble.real;
  if (!real) return { ok: false, needsPasskey: false, message: 'no Bluetooth adapter is open' };
  if (real.bindings === 'hci') {
    if (passkey !== null) return { ok: false, needsPasskey: false, message: `passkey pairing needs BlueZ (${real.reason}); set ble.bindings: bluez with bluetoothd running` };
    return { ok: true };
  }
  const bus = openSystemBus();
  try {
    const r = await pairThroughBluez(bus, real.adapter, row.address, passkey === null ? null : Number(passkey));
    if (r.ok) return { ok: true };
    const asks = r.reason === 'wrong_passkey' || (r.reason === 'rejected' && passkey === null);
    return { ok: false, needsPasskey: asks, message: passkey === null && asks ? 'the device asks for the passkey it shows' : r.message.replace(/: run again with --passkey$/, '') };
  } finally {
    bus.disconnect();
  }
}

/** The central the hub talks to this device through. */
export function centralOf(ble: PairingBle, row: ScanRow): BleCentral | null {
  return row.source === 'sim' ? ble.sim?.central ?? null : ble.real?.central ?? null;
}
