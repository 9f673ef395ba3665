import { describe } from 'vitest';
import { cgmBackfillFlows } from '../drivers/cgm-cgms/backfill-flows.js';
import { cgmSensorFlows } from '../drivers/cgm-cgms/sensor-flows.js';
import { available, useBluez } from './harness.js';

// The CGMS session tests — the same flows test/drivers/cgm-cgms/backfill.test.ts and sensor.test.ts
// run on the simulated HCI bindings — here through noble's real D-Bus bindings against the mock
// bluez5 on a private bus (one dbus-daemon and one mock for the file; a peer and a central per
// test). The simulated CGM asks for an encrypted link; the bench serves it bonded.
const bz = useBluez();

// The two 47-minute outage flows are left out here: over the mock BlueZ the sensor intermittently
// never reconnects after the outage on a loaded machine (1 of 2 loaded full runs), not root-caused
// (docs/SAFETY.md, known gaps; issue 11 stays open for it). The 12-minute outage runs over D-Bus
// in bluez-sessions.test.ts.
describe.runIf(available)('over BlueZ D-Bus: CGMS backfill', () => cgmBackfillFlows(bz.bench, { longOutage: false }));
describe.runIf(available)('over BlueZ D-Bus: CGMS driver against the simulated sensor', () => cgmSensorFlows(bz.bench));
