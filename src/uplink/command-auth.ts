import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ErrorCode, HubError } from '../core/errors.js';
import { canonicalJson } from './canonical-json.js';

/**
 * Who may change the hub (docs/COMMANDS.md). With `uplink.commandKey` (an Ed25519 public key,
 * PEM) every state-changing command must carry `sig`: the base64 Ed25519 signature of the
 * request's canonical JSON (src/uplink/canonical-json.ts, `sig` left out), and name this hub
 * (`hub`) and this command (`cmd`), so a signed command cannot be replayed to another hub or as
 * another command. Without a key, commands are accepted unsigned (and recorded as "unsigned").
 */
export type AuthResult =
  | { ok: true; signer: string }
  | { ok: false; kind: 'unsigned' | 'badSignature'; error: string };

export class CommandAuth {
  private constructor(private readonly key: KeyObject | null, readonly fingerprint: string | null) {}

  static none(): CommandAuth {
    return new CommandAuth(null, null);
  }

  /** Reads the public key; throws HubError (UplinkCommand) when unreadable or not Ed25519. */
  static fromFile(path: string): CommandAuth {
    let pem: Buffer;
    try {
      pem = readFileSync(path);
    } catch (err) {
      throw new HubError(ErrorCode.UplinkCommand, `cannot read uplink.commandKey file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { path: 'uplink.commandKey' });
    }
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch (err) {
      throw new HubError(ErrorCode.UplinkCommand, `uplink.commandKey file ${path} is not a PEM public key: ${(err as Error).message}`, { path: 'uplink.commandKey' });
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new HubError(ErrorCode.UplinkCommand, `uplink.commandKey file ${path} holds a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`, { path: 'uplink.commandKey' });
    return new CommandAuth(key, keyFingerprint(key));
  }

  get required(): boolean {
    return this.key !== null;
  }

  /** Checks a parsed request of command `name` for hub `hub`. */
  check(request: Record<string, unknown>, name: string, hub: string): AuthResult {
    if (!this.key) return { ok: true, signer: 'unsigned' };
    const sig = request.sig;
    if (typeof sig !== 'string' || sig.length === 0) return { ok: false, kind: 'unsigned', error: 'unsigned command refused: this hub requires a signature (sig)' };
    if (request.hub !== hub || request.cmd !== name) return { ok: false, kind: 'badSignature', error: `signed command must name this hub ("hub":"${hub}") and command ("cmd":"${name}")` };
    const raw = Buffer.from(sig, 'base64');
    let good = false;
    try {
      good = raw.length === 64 && verify(null, Buffer.from(canonicalJson(request), 'utf8'), this.key, raw);
    } catch {
      good = false;
    }
    if (!good) return { ok: false, kind: 'badSignature', error: 'bad signature: refused' };
    return { ok: true, signer: this.fingerprint ?? 'unsigned' };
  }
}

/** `ed25519:` + the first 16 bytes (hex) of the SHA-256 of the key's SPKI DER encoding. */
export function keyFingerprint(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return `ed25519:${createHash('sha256').update(der).digest('hex').slice(0, 32)}`;
}
