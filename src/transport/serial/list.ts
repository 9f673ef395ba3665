import { spawnSync } from 'node:child_process';
import { readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

export interface SerialPortInfo {
  /** Stable path when one exists (/dev/serial/by-id/...), else the device node. */
  path: string;
  /** The device node behind it (/dev/ttyUSB0). */
  device: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

/**
 * Lists serial ports. Never throws: serialport's lister spawns `udevadm`, which is missing
 * in containers and on minimal images (the spawn error would otherwise surface as an
 * uncaught 'error' event), so it is only used when `udevadm` exists; the fallback reads
 * /dev/serial/by-id and the common device nodes.
 */
export async function listSerialPorts(): Promise<SerialPortInfo[]> {
  try {
    if (hasUdevadm()) {
      const { SerialPort } = await import('serialport');
      const ports = await SerialPort.list();
      const byId = byIdLinks();
      return ports.map((p) => {
        const info: SerialPortInfo = { path: byId.get(p.path) ?? p.path, device: p.path };
        if (p.manufacturer) info.manufacturer = p.manufacturer;
        if (p.serialNumber) info.serialNumber = p.serialNumber;
        if (p.vendorId) info.vendorId = p.vendorId;
        if (p.productId) info.productId = p.productId;
        return info;
      });
    }
  } catch {
    // fall through to the directory scan
  }
  return scanDev();
}

function hasUdevadm(): boolean {
  try {
    const r = spawnSync('udevadm', ['--version'], { timeout: 2000, stdio: 'ignore' });
    return !r.error && r.status === 0;
  } catch {
    return false;
  }
}

/** device node → /dev/serial/by-id link */
function byIdLinks(): Map<string, string> {
  const m = new Map<string, string>();
  const dir = '/dev/serial/by-id';
  try {
    for (const name of readdirSync(dir)) {
      const link = join(dir, name);
      try { m.set(realpathSync(link), link); } catch { /* dangling link */ }
    }
  } catch {
    // no by-id directory
  }
  return m;
}

function scanDev(): SerialPortInfo[] {
  const byId = byIdLinks();
  const out: SerialPortInfo[] = [];
  const seen = new Set<string>();
  for (const [device, path] of byId) { out.push({ path, device }); seen.add(device); }
  try {
    for (const name of readdirSync('/dev')) {
      if (!/^tty(USB|ACM|AMA|S)\d+$/.test(name)) continue;
      const device = `/dev/${name}`;
      if (seen.has(device)) continue;
      // ttyS* exist on every PC; only list the ones a USB adapter or the Pi UART would be.
      if (name.startsWith('ttyS')) continue;
      out.push({ path: device, device });
    }
  } catch {
    // no /dev (unusual); nothing to list
  }
  return out;
}
