import type { MessageBus } from 'dbus-next';
import { registerAgent } from './bluez-agent.js';
import { adapterPath, bounded, call, dbusErrorName, DEVICE, devicePath, getProp, proxy, setProp } from './bluez-bus.js';

/** BlueZ's own pairing timeout is about 30 s; a sensor waiting for a typed passkey needs that long. */
const PAIR_TIMEOUT_MS = 40_000;

export type PairResult =
  | { ok: true; alreadyPaired: boolean }
  | { ok: false; reason: 'unknown_device' | 'wrong_passkey' | 'rejected' | 'failed'; message: string };

/**
 * Pair and bond with a device through BlueZ and mark it Trusted, answering passkey requests with
 * `passkey` through the hub's agent. The device must be known to BlueZ (seen in a scan).
 */
export async function pairThroughBluez(bus: MessageBus, adapter: string, address: string, passkey: number | null): Promise<PairResult> {
  const path = devicePath(adapter, address);
  if ((await getProp(bus, path, DEVICE, 'Address')) === undefined) {
    return { ok: false, reason: 'unknown_device', message: `BlueZ does not know ${address} on ${adapter}: put the sensor in pairing mode and run carehub scan first` };
  }
  const paired = (await getProp(bus, path, DEVICE, 'Paired')) === true;
  if (!paired) {
    const agent = await registerAgent(bus, passkey);
    try {
      await bounded(call(await proxy(bus, path), DEVICE, 'Pair'), PAIR_TIMEOUT_MS, 'pairing');
    } catch (e) {
      const name = dbusErrorName(e) ?? '';
      if (/AuthenticationFailed|AuthenticationCanceled/.test(name)) return { ok: false, reason: 'wrong_passkey', message: 'pairing failed: the sensor did not accept the passkey (check the digits it shows and try again)' };
      if (/AuthenticationRejected|Rejected/.test(name)) return { ok: false, reason: 'rejected', message: passkey === null ? 'the sensor asks for a passkey: run again with --passkey' : 'the sensor rejected the pairing' };
      return { ok: false, reason: 'failed', message: `pairing failed: ${e instanceof Error ? e.message : String(e)}` };
    } finally {
      await agent.unregister();
    }
  }
  await setProp(bus, path, DEVICE, 'Trusted', 'b', true);
  return { ok: true, alreadyPaired: paired };
}

/** Remove the bond (and BlueZ's record of the device). True when there was one. */
export async function removeBond(bus: MessageBus, adapter: string, address: string): Promise<boolean> {
  const path = devicePath(adapter, address);
  if ((await getProp(bus, path, DEVICE, 'Address')) === undefined) return false;
  await bounded(call(await proxy(bus, adapterPath(adapter)), 'org.bluez.Adapter1', 'RemoveDevice', path), 10_000, 'RemoveDevice');
  return true;
}
