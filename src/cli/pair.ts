import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { parseConfig } from '../config/load.js';
import { defaultProtocol, type Protocol } from '../config/schema.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit.js';

const KINDS = ['cgm', 'oximeter', 'ventilator', 'bp', 'scale', 'glucometer'] as const;
type Kind = (typeof KINDS)[number];
const MAC = /^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/;

interface PairOpts { id?: string; config?: string; protocol?: string; json?: boolean }

function configFile(o: { config?: string }): string {
  return o.config ?? process.env.CAREHUB_CONFIG ?? '/etc/carehub/carehub.yaml';
}

/** Read the config as a YAML document so that comments and layout survive the edit. */
function readDoc(file: string): Document | string {
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
function writeValidated(file: string, doc: Document, out: (s: string) => void): number {
  const text = doc.toString();
  const r = parseConfig(text, {}, file);
  if (!r.ok) {
    out(`refused: the result would be invalid:\n${r.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}\n`);
    return EXIT_USAGE;
  }
  const problem = replaceKeepingOwner(file, text);
  if (problem) { out(`${problem}; ${file} is unchanged\n`); return EXIT_FAILURE; }
  return EXIT_OK;
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

/** `carehub pair KIND ADDRESS_OR_PATH [--id ID]`: add a device to the hub's config. */
export function pairCommand(kind: string, target: string, o: PairOpts): number {
  const out = (s: string): void => { process.stdout.write(s); };
  if (!(KINDS as readonly string[]).includes(kind)) { out(`unknown kind ${kind}; use ${KINDS.join(', ')}\n`); return EXIT_USAGE; }
  const k = kind as Kind;
  const transport = MAC.test(target) ? 'ble' : target.startsWith('/') || target.startsWith('tcp://') ? 'serial' : null;
  if (!transport) { out(`${target} is neither a Bluetooth address (AA:BB:CC:DD:EE:FF) nor a serial path (/dev/... or tcp://host:port)\n`); return EXIT_USAGE; }
  const file = configFile(o);
  const doc = readDoc(file);
  if (typeof doc === 'string') { out(`${doc}\n`); return EXIT_FAILURE; }
  const devices = doc.get('devices', true);
  const existing = isSeq(devices) ? devices.items.filter(isMap).map((m) => String(m.get('id'))) : [];
  const id = o.id ?? nextId(k, existing);
  if (existing.includes(id)) { out(`a device with id ${id} is already paired; unpair it first or choose --id\n`); return EXIT_USAGE; }
  const protocol = (o.protocol ?? defaultProtocol(k)) as Protocol;
  const entry: Record<string, string> = { id, kind: k, transport, protocol };
  entry[transport === 'ble' ? 'address' : 'path'] = transport === 'ble' ? target.toUpperCase() : target;
  if (isSeq(devices)) devices.add(doc.createNode(entry));
  else doc.set('devices', doc.createNode([entry]));
  const code = writeValidated(file, doc, out);
  if (code !== EXIT_OK) return code;
  out(o.json ? `${JSON.stringify({ ok: true, device: entry })}\n` : `paired ${id} (${k}, ${protocol}) at ${target} in ${file}; restart the service to connect: systemctl restart carehub\n`);
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
  const code = writeValidated(file, doc, out);
  if (code !== EXIT_OK) return code;
  out(o.json ? `${JSON.stringify({ ok: true, id })}\n` : `unpaired ${id} in ${file}; its stored readings stay in the outbox until delivered. Restart the service: systemctl restart carehub\n`);
  return EXIT_OK;
}

const ID_PREFIX: Readonly<Record<Kind, string>> = { cgm: 'cgm', oximeter: 'oxi', ventilator: 'vent', bp: 'bp', scale: 'scale', glucometer: 'bg' };

function nextId(kind: Kind, existing: string[]): string {
  const prefix = ID_PREFIX[kind];
  for (let n = 1; ; n++) if (!existing.includes(`${prefix}-${n}`)) return `${prefix}-${n}`;
}
