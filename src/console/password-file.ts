import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The console secrets of one hub: `console-passwords.json` in the state directory (next to the
 * database), mode 0600, one scrypt hash per role. Written by `carehub console-password`, read
 * by the console on every login (a new password works without a restart).
 *
 *   { "technician": "scrypt$16384$8$1$<salt b64>$<hash b64>", "viewer": "..." }
 */
export type Role = 'technician' | 'viewer';
export const ROLES: readonly Role[] = ['technician', 'viewer'];

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;
/** The file is tiny; anything larger is not ours and is not read. */
const FILE_MAX_BYTES = 4096;
const N = 16384;
const R = 8;
const P = 1;
const KEY_LEN = 32;

export function passwordFilePath(storagePath: string): string {
  return join(dirname(storagePath), 'console-passwords.json');
}

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  const opts: ScryptOptions = { N: n, r, p, maxmem: 64 * 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  // bounded cost: a tampered file cannot make a login take minutes
  if (!Number.isInteger(n) || n < 1024 || n > 1 << 17 || r !== R || p !== P) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const want = Buffer.from(parts[5] ?? '', 'base64');
  if (salt.length < 8 || want.length !== KEY_LEN) return false;
  const got = await scryptAsync(password, salt, n, r, p);
  return timingSafeEqual(got, want);
}

export type PasswordHashes = Partial<Record<Role, string>>;

/** The hashes on file; empty when there is no file (nobody can log in yet). Throws on a bad file. */
export function readPasswordFile(path: string): PasswordHashes {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  if (size > FILE_MAX_BYTES) throw new Error(`${path}: larger than ${FILE_MAX_BYTES} bytes, not a console password file`);
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${path}: not a JSON object`);
  const out: PasswordHashes = {};
  for (const role of ROLES) {
    const v = (parsed as Record<string, unknown>)[role];
    if (typeof v === 'string') out[role] = v;
  }
  return out;
}

/** Sets (or with `null` removes) the password of one role; the file is replaced atomically, mode 0600. */
export async function setPassword(path: string, role: Role, password: string | null): Promise<void> {
  if (password !== null && (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX)) {
    throw new Error(`a console password has ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
  }
  const current = readPasswordFile(path);
  if (password === null) delete current[role];
  else current[role] = await hashPassword(password);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(current, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** The role whose password this is (technician first), or null. */
export async function roleOf(hashes: PasswordHashes, password: string): Promise<Role | null> {
  if (password.length === 0 || password.length > PASSWORD_MAX) return null;
  for (const role of ROLES) {
    const h = hashes[role];
    if (h && (await verifyPassword(password, h))) return role;
  }
  return null;
}
