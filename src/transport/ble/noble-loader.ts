import { createRequire } from 'node:module';
import type { NobleBindingsLike, NobleConstructor } from './noble-types.js';

/**
 * Loads noble's modules lazily. Never the package main export: that resolves the platform
 * bindings at import time and opens the HCI socket. The HCI bindings are loaded only when asked
 * for, and any failure (native module missing, no adapter, no permission) is returned as an
 * error value so the hub keeps running and reports the adapter as unavailable.
 */
const require = createRequire(import.meta.url);

export function loadNoble(): NobleConstructor {
  return require('@stoprocent/noble/lib/noble.js') as NobleConstructor;
}

export function loadHciBindings(options: Record<string, unknown> = {}): { ok: true; bindings: NobleBindingsLike } | { ok: false; error: string } {
  try {
    const Bindings = require('@stoprocent/noble/lib/hci-socket/bindings.js') as new (o: Record<string, unknown>) => NobleBindingsLike;
    return { ok: true, bindings: new Bindings(options) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
