import { describe } from 'vitest';
import { bpsSessionFlows } from '../drivers/bp-bps/session-flows.js';
import { glsSessionFlows } from '../drivers/glucose-gls/session-flows.js';
import { berrymedSessionFlows } from '../drivers/oximeter-berrymed/session-flows.js';
import { plxsSessionFlows } from '../drivers/oximeter-plxs/session-flows.js';
import { wssSessionFlows } from '../drivers/weight-wss/session-flows.js';
import { available, useBluez } from './harness.js';

// The session tests of the BLE drivers — the same flows each driver's session.test.ts runs on
// the simulated HCI bindings — here through noble's real D-Bus bindings against the mock bluez5
// on a private bus (one dbus-daemon and one mock for the file; a peer and a central per test).
const bz = useBluez();

describe.runIf(available)('over BlueZ D-Bus: BerryMed session', () => berrymedSessionFlows(bz.bench));
describe.runIf(available)('over BlueZ D-Bus: PLXS session', () => plxsSessionFlows(bz.bench));
describe.runIf(available)('over BlueZ D-Bus: BPS session', () => bpsSessionFlows(bz.bench));
describe.runIf(available)('over BlueZ D-Bus: WSS session', () => wssSessionFlows(bz.bench));
describe.runIf(available)('over BlueZ D-Bus: GLS session (RACP)', () => glsSessionFlows(bz.bench));
