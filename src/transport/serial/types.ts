/**
 * The serial transport port: bytes in, bytes out, close. A SerialLink can be a real TTY,
 * a `tcp://` socket (ser2net and other serial-over-IP adapters), a pseudo-terminal, or an
 * in-memory double in tests. Sessions depend on this interface only.
 */
export interface SerialLink {
  /** What was opened: a device path or a tcp:// URL. */
  readonly path: string;
  /** True until the link closed (by us or because the port went away). */
  readonly isOpen: boolean;
  /** Bytes received. One listener; a later call replaces it. */
  onData(cb: (chunk: Uint8Array) => void): void;
  /** The link closed. `reason` is null for our own close(), else why it went away. */
  onClose(cb: (reason: string | null) => void): void;
  /** Queue bytes for sending. Never throws for a closed link: resolves false instead. */
  write(bytes: Uint8Array): Promise<boolean>;
  close(): Promise<void>;
}

export interface SerialSettings {
  baud: number;
  parity: 'none' | 'even' | 'odd';
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}

export const DEFAULT_SERIAL_SETTINGS: SerialSettings = { baud: 19200, parity: 'even', dataBits: 8, stopBits: 1 };

/** Opens a link or explains why not (no throw). */
export type OpenResult = { ok: true; link: SerialLink } | { ok: false; reason: string };
export type SerialOpener = (path: string, settings: SerialSettings) => Promise<OpenResult>;
