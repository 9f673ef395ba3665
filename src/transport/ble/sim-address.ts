/**
 * Addresses of simulated BLE devices. A `simulate:` device entry has no address; the simulator
 * and the driver both derive the same one from the device id (FNV-1a), in a locally
 * administered range (first octet 0xC2) that no real public address uses.
 */
export function simulatedAddress(deviceId: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < deviceId.length; i++) h = Math.imul(h ^ deviceId.charCodeAt(i), 0x01000193) >>> 0;
  const h2 = Math.imul(h ^ 0x5bd1e995, 0x01000193) >>> 0;
  const bytes = [0xc2, (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff, h2 & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

/** The address a BLE driver connects to: the configured one, or the simulated one. */
export function bleAddressOf(device: { id: string; address?: string | undefined }): string {
  return (device.address ?? simulatedAddress(device.id)).toUpperCase();
}
