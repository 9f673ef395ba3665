import { describe } from 'vitest';
import { cgmBackfillFlows } from '../drivers/cgm-cgms/backfill-flows.js';
import { cgmSensorFlows } from '../drivers/cgm-cgms/sensor-flows.js';
import { available, useBluez } from './harness.js';

// The CGMS session tests — the same flows test/drivers/cgm-cgms/backfill.test.ts and sensor.test.ts
// run on the simulated HCI bindings — here through noble's real D-Bus bindings against the mock
// bluez5 on a private bus (one dbus-daemon and one mock for the file; a peer and a central per
// test). The simulated CGM asks for an encrypted link; the bench serves it bonded.
const bz = useBluez();

// The 47-minute outage flows run here too: meanwhile the watchdog power-cycles the adapter through
// BlueZ again and again, and connect attempts race the hub's connect timeout. They once ended with
// the sensor never reconnecting (issue 11): noble's D-Bus bindings completed an attempt the hub had
// given up on (src/transport/ble/bluez-connect-guard.ts, test/bluez/bluez-connect-races.test.ts),
// and the mock peer, unlike BlueZ, kept the link up through the power-off (sim-bluez-peer.ts).
describe.runIf(available)('over BlueZ D-Bus: CGMS backfill', () => cgmBackfillFlows(bz.bench));
describe.runIf(available)('over BlueZ D-Bus: CGMS driver against the simulated sensor', () => cgmSensorFlows(bz.bench));
