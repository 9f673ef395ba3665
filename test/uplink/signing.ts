import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../src/uplink/canonical-json.js';

/** A backend's Ed25519 key pair: the public key as the PEM file the hub's uplink.commandKey names. */
export interface Signer {
  publicPath: string;
  privateKey: KeyObject;
  /** The request with `sig` = base64 Ed25519 over its canonical JSON. */
  sign(req: Record<string, unknown>): Record<string, unknown>;
}

export function makeSigner(dir: string, name = 'backend'): Signer {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicPath = join(dir, `${name}.pub.pem`);
  writeFileSync(publicPath, publicKey.export({ type: 'spki', format: 'pem' }));
  return {
    publicPath,
    privateKey,
    sign: (req) => ({ ...req, sig: sign(null, Buffer.from(canonicalJson(req), 'utf8'), privateKey).toString('base64') }),
  };
}

/** Seconds since the epoch, as `iat` carries it. */
export const nowS = (): number => Math.floor(Date.now() / 1000);
