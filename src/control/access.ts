import { chownSync, lstatSync } from 'node:fs';
import type { Logger } from '../core/log.js';

/**
 * Who may change state over the control socket.
 *
 * Node has no API for a Unix socket's peer credentials (SO_PEERCRED), and the npm packages that
 * add one are unmaintained native/ffi add-ons, so the guard is the file system, as for any
 * local daemon socket: the socket is mode 0660, owned by the service user and the service's
 * group, in a directory of mode 0750 (systemd's RuntimeDirectory). connect(2) needs write
 * permission on the socket file, so only root, the service user and members of the service's
 * group (the technicians) can connect at all; everyone else gets EACCES.
 *
 * Methods are classified explicitly: READ_ONLY_METHODS below; everything else (ack, reset,
 * pause, alarm-test, rig.fault, any method added later) changes state. Before each
 * state-changing request the server re-checks that the guard is still intact (the socket
 * file is a socket, grants nothing to "other", and still belongs to the service's group);
 * if someone loosened it (chmod 666, chgrp users) state-changing requests are refused with
 * the reason, while read-only ones still answer. Tested in test/safety/control-access.test.ts
 * with clients of another uid and gid.
 */
export const READ_ONLY_METHODS: ReadonlySet<string> = new Set(['status', 'alarms.list']);

export function isStateChanging(method: string): boolean {
  return !READ_ONLY_METHODS.has(method);
}

export interface SocketGuard {
  /** Null while the socket's mode and group still admit only root, its owner and its group. */
  broken(): string | null;
  readonly gid: number;
}

/**
 * Gives the socket at `path` its group (when `group` is set) and mode, and returns the guard
 * that re-checks them. `group` is a numeric gid; default: the service's effective group.
 */
export function guardSocket(path: string, mode: number, log: Logger, group?: number): SocketGuard {
  if (group !== undefined) chownSync(path, -1, group);
  const gid = lstatSync(path).gid;
  let last: string | null = null;
  const check = (): string | null => {
    let st;
    try {
      st = lstatSync(path);
    } catch {
      return `the control socket ${path} is gone`;
    }
    if (!st.isSocket()) return `${path} is no longer a socket`;
    if ((st.mode & 0o007) !== 0) return `the control socket ${path} is open to all users (mode ${(st.mode & 0o777).toString(8)}); restore mode ${mode.toString(8)}`;
    if (st.gid !== gid) return `the control socket ${path} changed group (${st.gid}, expected ${gid})`;
    return null;
  };
  return {
    gid,
    broken(): string | null {
      const now = check();
      // logged on change only: a client repeating requests does not repeat the line
      if (now !== last) {
        if (now) log.warn({ reason: now }, 'state-changing control requests refused until the socket guard is restored');
        else log.info({ path }, 'control socket guard restored');
        last = now;
      }
      return now;
    },
  };
}
