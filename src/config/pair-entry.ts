import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { parseConfig } from './load.js';
import { configSchema, defaultProtocol, type DeviceConfig, type Protocol } from './schema.js';

/**
 * Adding a device entry to the config file: the one code path of `carehub pair` and the
 * console's pairing wizard. The file is edited as a YAML document (comments and layout stay),
 * validated like check-config, and replaced atomically with its owner, group and mode kept.
 */
export const KINDS = ['cgm', 'oximeter', 'ventilator', 'bp', 'scale', 'glucometer'] as const;
export type Kind = (typeof KINDS)[number];
export const MAC = /^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/;

/** Why an edit was refused: `usage` (the request is wrong; exit 2) or `failure` (the file; exit 1). */
export type EntryRefusal = { ok: false; kind: 'usage' | 'failure'; message: string };

/** Read the config as a YAML document so that comments and layout survive the edit. */
export function readDoc(file: string): Document | string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return `${file} is not valid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`;
  return doc;
}

/** Validate the edited document like check-config, then replace the file atomically. */
export function writeValidated(file: string, doc: Document): { ok: true } | EntryRefusal {
  const text = doc.toString();
  const r = parseConfig(text, {}, file);
  if (!r.ok) return { ok: false, kind: 'usage', message: `refused: the result would be invalid:\n${r.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}` };
  const problem = replaceKeepingOwner(file, text);
  if (problem) return { ok: false, kind: 'failure', message: `${problem}; ${file} is unchanged` };
  return { ok: true };
}

/**
 * Replaces the file's content atomically and keeps its owner, group and mode (the service reads
 * it as group `carehub`, 0640): a temp file in the same directory, chowned and chmodded to the
 * original's before anything is written to it, synced, renamed over the original (the target
 * of a symlink, so the link stays), then the directory synced. Returns a problem or null; on a
 * problem the original is untouched and the temp file removed.
 */
export function replaceKeepingOwner(file: string, text: string): string | null {
  let target: string;
  let st: ReturnType<typeof statSync>;
  try {
    target = realpathSync(file);
    st = statSync(target);
  } catch (err) {
    return `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  const tmp = join(dirname(target), `.${basename(target)}.pair-${process.pid}`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    try {
      fchownSync(fd, st.uid, st.gid);
    } catch (err) {
      return `cannot give the new file the owner ${st.uid}:${st.gid} of ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); run as root or as the file's owner`;
    }
    fchmodSync(fd, st.mode & 0o7777);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (err) {
    return `cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  } finally {
    if (fd !== undefined) closeSync(fd);
    try { unlinkSync(tmp); } catch { /* renamed, or never created */ }
  }
  try {
    const dfd = openSync(dirname(target), 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* the rename is done; a directory that cannot be synced is no reason to fail */ }
  return null;
}

const ID_PREFIX: Readonly<Record<Kind, string>> = { cgm: 'cgm', oximeter: 'oxi', ventilator: 'vent', bp: 'bp', scale: 'scale', glucometer: 'bg' };

export function nextId(kind: Kind, existing: string[]): string {
  const prefix = ID_PREFIX[kind];
  for (let n = 1; ; n++) if (!existing.includes(`${prefix}-${n}`)) return `${prefix}-${n}`;
}

export interface NewEntry {
  kind: string;
  /** A Bluetooth address (AA:BB:CC:DD:EE:FF) or a serial path (/dev/... or tcp://host:port). */
  target: string;
  id?: string | undefined;
  protocol?: string | undefined;
  /** A device served by the built-in simulator (the demo's spare devices keep simulating after a restart). */
  simulate?: string | undefined;
}

/** The transport a target names, or null when it is neither an address nor a path. */
export function transportOf(target: string): 'ble' | 'serial' | null {
  return MAC.test(target) ? 'ble' : target.startsWith('/') || target.startsWith('tcp://') ? 'serial' : null;
}

/** Add one device to the config file: the next free id unless given, validated, written atomically. */
export function addDeviceEntry(file: string, n: NewEntry): { ok: true; entry: Record<string, string>; id: string } | EntryRefusal {
  if (!(KINDS as readonly string[]).includes(n.kind)) return { ok: false, kind: 'usage', message: `unknown kind ${n.kind}; use ${KINDS.join(', ')}` };
  const k = n.kind as Kind;
  const transport = transportOf(n.target);
  if (!transport) return { ok: false, kind: 'usage', message: `${n.target} is neither a Bluetooth address (AA:BB:CC:DD:EE:FF) nor a serial path (/dev/... or tcp://host:port)` };
  const doc = readDoc(file);
  if (typeof doc === 'string') return { ok: false, kind: 'failure', message: doc };
  const devices = doc.get('devices', true);
  const existing = isSeq(devices) ? devices.items.filter(isMap).map((m) => String(m.get('id'))) : [];
  const id = n.id ?? nextId(k, existing);
  if (existing.includes(id)) return { ok: false, kind: 'usage', message: `a device with id ${id} is already paired; unpair it first or choose --id` };
  const protocol = (n.protocol ?? defaultProtocol(k)) as Protocol;
  const entry: Record<string, string> = { id, kind: k, transport, protocol };
  entry[transport === 'ble' ? 'address' : 'path'] = transport === 'ble' ? n.target.toUpperCase() : n.target;
  if (n.simulate) entry['simulate'] = n.simulate;
  if (isSeq(devices)) devices.add(doc.createNode(entry));
  else doc.set('devices', doc.createNode([entry]));
  const w = writeValidated(file, doc);
  return w.ok ? { ok: true, entry, id } : w;
}

/** The device as the hub would run it (schema defaults applied), or the schema's complaint. */
export function deviceConfigOf(entry: Record<string, string>): DeviceConfig | string {
  const r = configSchema.shape.devices.safeParse([entry]);
  if (!r.success) return r.error.issues.map((i) => `${i.path.slice(1).join('.') || 'device'}: ${i.message}`).join('; ');
  return r.data[0] ?? 'no device entry';
}
