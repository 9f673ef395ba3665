import { isMap, isSeq } from 'yaml';
import { addDeviceEntry, readDoc, writeValidated } from '../config/pair-entry.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit.js';

/** The config writer moved to src/config/pair-entry.ts (the console's pairing wizard shares it). */
export { replaceKeepingOwner } from '../config/pair-entry.js';

interface PairOpts { id?: string; config?: string; protocol?: string; json?: boolean }

function configFile(o: { config?: string }): string {
  return o.config ?? process.env.CAREHUB_CONFIG ?? '/etc/carehub/carehub.yaml';
}

/** `carehub pair KIND ADDRESS_OR_PATH [--id ID]`: add a device to the hub's config. */
export function pairCommand(kind: string, target: string, o: PairOpts): number {
  const out = (s: string): void => { process.stdout.write(s); };
  const file = configFile(o);
  const r = addDeviceEntry(file, { kind, target, id: o.id, protocol: o.protocol });
  if (!r.ok) { out(`${r.message}\n`); return r.kind === 'usage' ? EXIT_USAGE : EXIT_FAILURE; }
  const { entry } = r;
  out(o.json ? `${JSON.stringify({ ok: true, device: entry })}\n` : `paired ${r.id} (${entry['kind']}, ${entry['protocol']}) at ${target} in ${file}; restart the service to connect: systemctl restart carehub\n`);
  return EXIT_OK;
}

/** `carehub unpair ID`: remove a device from the config. */
export function unpairCommand(id: string, o: { config?: string; json?: boolean }): number {
  const out = (s: string): void => { process.stdout.write(s); };
  const file = configFile(o);
  const doc = readDoc(file);
  if (typeof doc === 'string') { out(`${doc}\n`); return EXIT_FAILURE; }
  const devices = doc.get('devices', true);
  const index = isSeq(devices) ? devices.items.findIndex((m) => isMap(m) && String(m.get('id')) === id) : -1;
  if (!isSeq(devices) || index < 0) { out(`no device ${id} in ${file}\n`); return EXIT_FAILURE; }
  devices.items.splice(index, 1);
  const w = writeValidated(file, doc);
  if (!w.ok) { out(`${w.message}\n`); return w.kind === 'usage' ? EXIT_USAGE : EXIT_FAILURE; }
  out(o.json ? `${JSON.stringify({ ok: true, id })}\n` : `unpaired ${id} in ${file}; its stored readings stay in the outbox until delivered. Restart the service: systemctl restart carehub\n`);
  return EXIT_OK;
}
