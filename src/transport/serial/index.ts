export type { SerialLink, SerialSettings, SerialOpener, OpenResult } from './types.js';
export { DEFAULT_SERIAL_SETTINGS } from './types.js';
export { openSerialLink, parseTcpUrl } from './open.js';
export { listSerialPorts, type SerialPortInfo } from './list.js';
export { SerialSupervisor, type SupervisorOptions } from './supervisor.js';
export { openPtyPair, type PtyEndpoint } from './pty.js';
