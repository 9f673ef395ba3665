import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { Role } from './password-file.js';

export interface Session {
  id: string;
  role: Role;
  /** Sent with every state change (header `x-csrf-token` or form field `csrf`). */
  csrf: string;
  created: number;
  lastUsed: number;
}

/** At most this many sessions; the least recently used one is ended to make room. */
export const MAX_SESSIONS = 32;

/**
 * Console sessions, in memory (a restart logs everyone out). The id travels in an HttpOnly,
 * SameSite=Strict cookie; each session has its own CSRF token. A session ends after
 * `idleMs` without a request.
 */
export class Sessions {
  private readonly byId = new Map<string, Session>();

  constructor(private readonly clock: Clock, private readonly idleMs: number) {}

  create(role: Role): Session {
    this.prune();
    while (this.byId.size >= MAX_SESSIONS) {
      const oldest = [...this.byId.values()].sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (!oldest) break;
      this.byId.delete(oldest.id);
    }
    const now = this.clock.now();
    const s: Session = { id: randomBytes(32).toString('base64url'), role, csrf: randomBytes(24).toString('base64url'), created: now, lastUsed: now };
    this.byId.set(s.id, s);
    return s;
  }

  /** The live session of this id (its idle time restarts), or null. */
  get(id: string | undefined): Session | null {
    if (!id || id.length > 64) return null;
    const s = this.byId.get(id);
    if (!s) return null;
    const now = this.clock.now();
    if (now - s.lastUsed > this.idleMs) {
      this.byId.delete(id);
      return null;
    }
    s.lastUsed = now;
    return s;
  }

  end(id: string): void {
    this.byId.delete(id);
  }

  get size(): number {
    return this.byId.size;
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [id, s] of this.byId) if (now - s.lastUsed > this.idleMs) this.byId.delete(id);
  }
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function csrfMatches(session: Session, submitted: string | undefined): boolean {
  if (!submitted) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}
