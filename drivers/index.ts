import type { Protocol } from '../src/config/schema.js';
import type { DriverDefinition } from './types.js';

/** Driver registry: protocol id → lazy import of its definition (only used drivers load). */
const LOADERS: Record<Protocol, () => Promise<DriverDefinition>> = {
  plxs: async () => (await import('./oximeter-plxs/definition.js')).definition,
  berrymed: async () => (await import('./oximeter-berrymed/definition.js')).definition,
  cgms: async () => (await import('./cgm-cgms/definition.js')).definition,
  medibus: async () => (await import('./ventilator-medibus/definition.js')).definition,
  bps: async () => (await import('./bp-bps/definition.js')).definition,
  wss: async () => (await import('./weight-wss/definition.js')).definition,
  gls: async () => (await import('./glucose-gls/definition.js')).definition,
};

export async function loadDriver(protocol: Protocol): Promise<DriverDefinition> {
  return LOADERS[protocol]();
}

export async function allDrivers(): Promise<DriverDefinition[]> {
  return Promise.all(Object.values(LOADERS).map((l) => l()));
}
