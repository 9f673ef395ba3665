import { defaultProtocol, type DeviceConfig, type Protocol } from '../config/schema.js';
import type { DeviceKind } from '../core/reading.js';
import { HTEST, ifNoneExist, MDC_SYSTEM, stableUuid, type Json } from './fhir-coding.js';

/**
 * The Device resources of a `fhir` Bundle: the hub as the PHD IG's gateway (PhgDevice) and each
 * sensor (PhdDevice), built from the identity the hub has of it: its carehub id, BLE address or
 * serial port, kind and protocol. The drivers do not read the Device Information Service
 * (0x180A) or equivalent, so manufacturer, model, serial number and firmware of a REAL device are
 * not known and are left out; such a Device does not claim the PhdDevice profile (which needs
 * manufacturer and model). A simulated device is carehub's own simulator: its manufacturer,
 * model and software version are known and stated, and it is marked HTEST.
 */

export const PHD_DEVICE_PROFILE = 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdDevice';
export const PHG_DEVICE_PROFILE = 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhgDevice';
export const CONTINUA_ID_SYSTEM = 'http://terminology.hl7.org/CodeSystem/ContinuaDeviceIdentifiers';
export const BT_MAC_SYSTEM = 'http://hl7.org/fhir/sid/eui-48/bluetooth';
const MDC_ID_PROD_SPEC_SW = { system: MDC_SYSTEM, code: '531975', display: 'MDC_ID_PROD_SPEC_SW' };

/** The device identity the encoder gets from the configuration. */
export type DeviceIdentity = Pick<DeviceConfig, 'id' | 'kind' | 'transport' | 'protocol' | 'address' | 'path' | 'simulate' | 'name'>;

/** The 11073-10101 specialization a device's data is mapped to (PHD IG DeviceTypes11073MDC). */
const SPECIALIZATION: Record<Protocol, { code: string; display: string; version: string }> = {
  plxs: { code: '528388', display: 'MDC_DEV_SPEC_PROFILE_PULS_OXIM', version: 'Bluetooth PLXS 1.0' },
  berrymed: { code: '528388', display: 'MDC_DEV_SPEC_PROFILE_PULS_OXIM', version: 'proprietary protocol mapped by the hub' },
  cgms: { code: '528409', display: 'MDC_DEV_SPEC_PROFILE_CGM', version: 'Bluetooth CGMS 1.0.1' },
  medibus: { code: '528457', display: 'MDC_DEV_SPEC_PROFILE_GENERIC', version: 'MEDIBUS mapped by the hub' },
  bps: { code: '528391', display: 'MDC_DEV_SPEC_PROFILE_BP', version: 'Bluetooth BLS 1.0' },
  wss: { code: '528399', display: 'MDC_DEV_SPEC_PROFILE_SCALE', version: 'Bluetooth WSP 1.0' },
  gls: { code: '528401', display: 'MDC_DEV_SPEC_PROFILE_GLUCOSE', version: 'Bluetooth GLP 1.0' },
};

export interface BundleEntry {
  fullUrl: string;
  resource: Json;
  request: { method: 'POST'; url: string; ifNoneExist: string };
}

/** Identifier system of carehub device ids (unique per hub). */
export function deviceIdSystem(hub: string): string {
  return `urn:carehub:hub:${hub}:device`;
}
export const HUB_ID_SYSTEM = 'urn:carehub:hub';
const SERIAL_PORT_SYSTEM = 'urn:carehub:serial-port';

/** EUI-48 as the PHD IG writes it: bytes separated by dashes, capitals. */
function eui48(address: string): string {
  const hex = address.replace(/[^0-9A-Fa-f]/g, '').toUpperCase();
  return hex.match(/../g)?.join('-') ?? hex;
}

export class DeviceDirectory {
  private readonly byId = new Map<string, DeviceIdentity>();
  readonly gatewayUrl: string;

  constructor(private readonly hub: string, private readonly version: string, devices: readonly DeviceIdentity[]) {
    for (const d of devices) this.byId.set(d.id, d);
    this.gatewayUrl = stableUuid(`device|${hub}`);
  }

  /** True for devices served by the built-in simulator (their data is marked HTEST). */
  simulated(id: string): boolean {
    return this.byId.get(id)?.simulate !== undefined;
  }

  deviceUrl(id: string): string {
    return stableUuid(`device|${this.hub}|${id}`);
  }

  /**
   * The device part of the PHD IG's conditional-create identifier: the transport address in
   * capitals without separators (12 hex digits for EUI-48) when known, else hub and device id.
   */
  deviceKey(id: string): string {
    const a = this.byId.get(id)?.address;
    return a ? a.replace(/[^0-9A-Fa-f]/g, '').toUpperCase() : `${this.hub}.${id}`;
  }

  gateway(kinds: Iterable<string>): BundleEntry {
    const protocols = new Set<Protocol>();
    for (const d of this.byId.values()) protocols.add(d.protocol ?? defaultProtocol(d.kind));
    for (const k of kinds) if (k === 'cgm' || k === 'oximeter' || k === 'ventilator') protocols.add(defaultProtocol(k));
    const specs = new Map([...protocols].map((p) => [SPECIALIZATION[p].code, SPECIALIZATION[p]]));
    const identifier = { type: { text: 'carehub hub id' }, system: HUB_ID_SYSTEM, value: this.hub };
    return {
      fullUrl: this.gatewayUrl,
      resource: {
        resourceType: 'Device',
        meta: { profile: [PHG_DEVICE_PROFILE] },
        identifier: [identifier],
        manufacturer: 'carehub',
        modelNumber: 'carehub hub',
        deviceName: [{ name: `carehub hub ${this.hub}`, type: 'user-friendly-name' }],
        type: { coding: [{ system: MDC_SYSTEM, code: '531981', display: 'MDC_MOC_VMS_MDS_AHD' }], text: 'MDC_MOC_VMS_MDS_AHD' },
        specialization: [...specs.values()].map((s) => ({ systemType: { coding: [{ system: MDC_SYSTEM, code: s.code, display: s.display }] }, version: s.version })),
        version: [{ type: { coding: [MDC_ID_PROD_SPEC_SW] }, value: this.version }],
      },
      request: { method: 'POST', url: 'Device', ifNoneExist: ifNoneExist(HUB_ID_SYSTEM, this.hub) },
    };
  }

  /** The sensor's Device entry; a device no longer configured is described by its id and kind only. */
  sensor(id: string, kind: DeviceKind): BundleEntry {
    const d = this.byId.get(id);
    const protocol = d?.protocol ?? defaultProtocol(kind);
    const spec = SPECIALIZATION[protocol];
    const identifier: Json[] = [{ type: { text: 'carehub device id' }, system: deviceIdSystem(this.hub), value: id }];
    if (d?.address) identifier.push({ type: { coding: [{ system: CONTINUA_ID_SYSTEM, code: 'BTMAC' }] }, system: BT_MAC_SYSTEM, value: eui48(d.address) });
    if (d?.path && !d.simulate) identifier.push({ type: { text: 'serial port' }, system: SERIAL_PORT_SYSTEM, value: d.path });
    const resource: Json = {
      resourceType: 'Device',
      identifier,
      deviceName: [{ name: d?.name ?? id, type: 'user-friendly-name' }],
      type: { coding: [{ system: MDC_SYSTEM, code: '65573', display: 'MDC_MOC_VMS_MDS_SIMP' }], text: 'MDC_MOC_VMS_MDS_SIMP' },
      specialization: [{ systemType: { coding: [{ system: MDC_SYSTEM, code: spec.code, display: spec.display }] }, version: spec.version }],
    };
    if (d?.simulate !== undefined) {
      // carehub's own simulator: these facts are known; a real device's are not read (see above).
      resource.meta = { profile: [PHD_DEVICE_PROFILE], security: [HTEST] };
      resource.manufacturer = 'carehub';
      resource.modelNumber = `${protocol} simulator (${d.simulate})`;
      resource.version = [{ type: { coding: [MDC_ID_PROD_SPEC_SW] }, value: this.version }];
    }
    return {
      fullUrl: this.deviceUrl(id),
      resource,
      request: { method: 'POST', url: 'Device', ifNoneExist: ifNoneExist(deviceIdSystem(this.hub), id) },
    };
  }
}
