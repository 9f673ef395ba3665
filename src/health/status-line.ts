import type { ActiveAlarm } from '../alarms/types.js';
import type { DeviceInfo } from '../hub/device-registry.js';

/**
 * The one-line summary systemd shows in `systemctl status carehub` (STATUS=): counts and link
 * states only, never a reading, a limit or a patient reference, because the journal and
 * `systemctl status` are readable by operators who are not clinicians.
 */
export function statusLine(s: { devices: readonly DeviceInfo[]; alarms: readonly ActiveAlarm[]; backlog: number }): string {
  const connected = s.devices.filter((d) => d.link === 'connected').length;
  const lost = s.devices.filter((d) => d.link === 'lost').length;
  const high = s.alarms.filter((a) => a.priority === 'high').length;
  const technical = s.alarms.filter((a) => a.category === 'technical').length;
  const devices = `devices ${connected}/${s.devices.length} connected${lost ? `, ${lost} lost` : ''}`;
  const alarms = s.alarms.length ? `alarms ${s.alarms.length} active (${high} high, ${technical} technical)` : 'alarms none';
  return `${devices}; ${alarms}; backlog ${s.backlog} unsent`;
}
