import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface HubCertificate {
  cert: string;
  key: string;
  /** SHA-256 fingerprint, as `AB:CD:...` (what `carehub status` shows and the technician checks). */
  fingerprint: string;
  created: boolean;
}

export function certificatePaths(storagePath: string): { cert: string; key: string } {
  const dir = dirname(storagePath);
  return { cert: join(dir, 'console-cert.pem'), key: join(dir, 'console-key.pem') };
}

/**
 * The hub's self-signed console certificate: read from the state directory, or created there on
 * first use with the `openssl` binary (Debian and Raspberry Pi OS ship it; node:crypto cannot
 * write X.509). An ECDSA P-256 key (fast on a Pi), ten years, the hub id as common name and the
 * bind address and `localhost` as subject alternative names. The key file is mode 0600.
 */
export async function hubCertificate(o: { storagePath: string; hubId: string; bind: string; openssl?: string }): Promise<HubCertificate> {
  const paths = certificatePaths(o.storagePath);
  let created = false;
  if (!existsSync(paths.cert) || !existsSync(paths.key)) {
    const tmpKey = `${paths.key}.tmp`;
    const tmpCert = `${paths.cert}.tmp`;
    const cn = `carehub ${o.hubId}`.replace(/[^A-Za-z0-9 ._-]/g, '_').slice(0, 60);
    const san = [`DNS:localhost`, /^[0-9.]+$|:/.test(o.bind) ? `IP:${o.bind}` : `DNS:${o.bind}`].join(',');
    try {
      await run(o.openssl ?? 'openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-days', '3650', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${san}`,
        '-keyout', tmpKey, '-out', tmpCert,
      ], { timeout: 30_000 });
      chmodSync(tmpKey, 0o600);
      renameSync(tmpKey, paths.key);
      renameSync(tmpCert, paths.cert);
      created = true;
    } catch (err) {
      rmSync(tmpKey, { force: true });
      rmSync(tmpCert, { force: true });
      const e = err as NodeJS.ErrnoException;
      throw new Error(e.code === 'ENOENT' ? 'the openssl program is missing (apt-get install openssl): cannot create the console certificate' : `console certificate not created: ${e.message}`);
    }
  }
  const cert = readFileSync(paths.cert, 'utf8');
  const key = readFileSync(paths.key, 'utf8');
  const fingerprint = new X509Certificate(cert).fingerprint256;
  return { cert, key, fingerprint, created };
}

/** The fingerprint of the hub's console certificate, or null when none has been created (for `carehub status`). */
export function consoleFingerprint(storagePath: string): string | null {
  try {
    return new X509Certificate(readFileSync(certificatePaths(storagePath).cert)).fingerprint256;
  } catch {
    return null;
  }
}
