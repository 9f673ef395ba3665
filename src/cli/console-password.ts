import { chownSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { loadConfigFile } from '../config/load.js';
import { PASSWORD_MAX, PASSWORD_MIN, passwordFilePath, setPassword, type Role } from '../console/password-file.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit.js';

export interface ConsolePasswordOpts { config?: string; role?: string; remove?: boolean }

/** Reads one line; on a terminal without echoing it. */
async function readSecret(prompt: string, input: NodeJS.ReadableStream & { isTTY?: boolean }, err: NodeJS.WritableStream): Promise<string | null> {
  const tty = Boolean(input.isTTY);
  const muted = new Writable({ write: (_c, _e, cb) => cb() });
  if (tty) err.write(prompt);
  const rl = createInterface({ input, output: tty ? muted : undefined, terminal: tty });
  try {
    for await (const line of rl) return line;
    return null;
  } finally {
    rl.close();
    if (tty) err.write('\n');
  }
}

/**
 * `carehub console-password [--role technician|viewer] [--remove]`: sets the console password of
 * a role, stored as a scrypt hash next to the database (console-passwords.json, mode 0600, owned
 * like the state directory). The password is read from the terminal (twice) or as one line on
 * standard input. The running hub uses it at the next login.
 */
export async function consolePasswordCommand(o: ConsolePasswordOpts, input: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const role = (o.role ?? 'technician') as Role;
  if (role !== 'technician' && role !== 'viewer') {
    err.write(`carehub: --role is technician or viewer, not ${o.role}\n`);
    return EXIT_USAGE;
  }
  const file = o.config ?? process.env.CAREHUB_CONFIG ?? '/etc/carehub/carehub.yaml';
  const loaded = loadConfigFile(file);
  if (!loaded.ok) {
    err.write(`carehub: ${file}: invalid config (carehub check-config ${file} shows why)\n`);
    return EXIT_USAGE;
  }
  const path = passwordFilePath(loaded.config.storage.path);
  try {
    if (o.remove) {
      await setPassword(path, role, null);
    } else {
      const tty = Boolean(input.isTTY);
      const pw = await readSecret(`console password for ${role} (${PASSWORD_MIN}-${PASSWORD_MAX} characters): `, input, err);
      if (pw === null) { err.write('carehub: no password given\n'); return EXIT_USAGE; }
      if (tty) {
        const again = await readSecret('again: ', input, err);
        if (again !== pw) { err.write('carehub: the two passwords differ; nothing changed\n'); return EXIT_USAGE; }
      }
      if (pw.length < PASSWORD_MIN || pw.length > PASSWORD_MAX) {
        err.write(`carehub: a console password has ${PASSWORD_MIN} to ${PASSWORD_MAX} characters; nothing changed\n`);
        return EXIT_USAGE;
      }
      await setPassword(path, role, pw);
    }
    if (process.getuid?.() === 0) {
      const st = statSync(dirname(path));
      chownSync(path, st.uid, st.gid);
    }
  } catch (e) {
    err.write(`carehub: ${path}: ${(e as Error).message}\n`);
    return EXIT_FAILURE;
  }
  out.write(o.remove ? `console password of ${role} removed (${path})\n` : `console password of ${role} set (${path}); it applies at the next login\n`);
  return EXIT_OK;
}
