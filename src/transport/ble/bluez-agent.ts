import dbus, { type MessageBus } from 'dbus-next';
import { bounded, BLUEZ_CALL_TIMEOUT_MS, call, proxy } from './bluez-bus.js';

export const AGENT_PATH = '/org/carehub/agent';
const AGENT_MANAGER = 'org.bluez.AgentManager1';

/**
 * The hub's org.bluez.Agent1: BlueZ asks it for the passkey a sensor displays (or to confirm a
 * numeric comparison). It answers only with the passkey it was given for this one pairing and
 * refuses everything else (no passkey → Rejected, so BlueZ falls back to Just Works where the
 * device allows it). The passkey lives in memory for the pairing only: never logged or stored.
 */
export interface RegisteredAgent {
  /** Requests BlueZ made (method names only, for diagnostics; never the passkey). */
  readonly requests: string[];
  unregister(): Promise<void>;
}

export async function registerAgent(bus: MessageBus, passkey: number | null): Promise<RegisteredAgent> {
  const requests: string[] = [];
  const reject = (): never => { throw new dbus.DBusError('org.bluez.Error.Rejected', 'carehub has no passkey for this pairing'); };
  class Agent extends dbus.interface.Interface {
    Release(): void { requests.push('Release'); }
    RequestPasskey(_device: string): number { requests.push('RequestPasskey'); return passkey ?? reject(); }
    RequestPinCode(_device: string): string { requests.push('RequestPinCode'); return passkey === null ? reject() : String(passkey).padStart(6, '0'); }
    RequestConfirmation(_device: string, shown: number): void { requests.push('RequestConfirmation'); if (passkey === null || shown !== passkey) reject(); }
    DisplayPasskey(_device: string, _passkey: number, _entered: number): void { requests.push('DisplayPasskey'); }
    DisplayPinCode(_device: string, _pin: string): void { requests.push('DisplayPinCode'); }
    RequestAuthorization(_device: string): void { requests.push('RequestAuthorization'); }
    AuthorizeService(_device: string, _uuid: string): void { requests.push('AuthorizeService'); }
    Cancel(): void { requests.push('Cancel'); }
  }
  Agent.configureMembers({
    methods: {
      Release: { inSignature: '', outSignature: '' },
      RequestPasskey: { inSignature: 'o', outSignature: 'u' },
      RequestPinCode: { inSignature: 'o', outSignature: 's' },
      RequestConfirmation: { inSignature: 'ou', outSignature: '' },
      DisplayPasskey: { inSignature: 'ouq', outSignature: '' },
      DisplayPinCode: { inSignature: 'os', outSignature: '' },
      RequestAuthorization: { inSignature: 'o', outSignature: '' },
      AuthorizeService: { inSignature: 'os', outSignature: '' },
      Cancel: { inSignature: '', outSignature: '' },
    },
  });
  const agentIface = new Agent('org.bluez.Agent1');
  bus.export(AGENT_PATH, agentIface);
  const manager = await proxy(bus, '/org/bluez');
  const capability = passkey === null ? 'NoInputNoOutput' : 'KeyboardOnly';
  await bounded(call(manager, AGENT_MANAGER, 'RegisterAgent', AGENT_PATH, capability), BLUEZ_CALL_TIMEOUT_MS, 'RegisterAgent');
  await bounded(call(manager, AGENT_MANAGER, 'RequestDefaultAgent', AGENT_PATH), BLUEZ_CALL_TIMEOUT_MS, 'RequestDefaultAgent').catch(() => undefined);
  return {
    requests,
    async unregister() {
      await bounded(call(manager, AGENT_MANAGER, 'UnregisterAgent', AGENT_PATH), BLUEZ_CALL_TIMEOUT_MS, 'UnregisterAgent').catch(() => undefined);
      bus.unexport(AGENT_PATH, agentIface);
    },
  };
}

