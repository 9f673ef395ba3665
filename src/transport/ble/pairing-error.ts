/**
 * A characteristic refused access because the link is not encrypted/authenticated: the device
 * must be paired (or re-paired after a lost bond). Raised by the connection, handled by the
 * supervisor (`ble_pairing_required`, slow retry) instead of a reconnect loop.
 */
export class PairingRequiredError extends Error {
  constructor(
    /** The host held a bond for the device: the device no longer accepts it (bond lost). */
    readonly bondLost: boolean,
    readonly detail: string,
  ) {
    super(bondLost ? `bond lost (${detail})` : `pairing required (${detail})`);
    this.name = 'PairingRequiredError';
  }
}

const ATT_SECURITY = /ATT error 0x0?(5|8|c|f)\b|insufficient (authentication|authorization|encryption)/i;
const BLUEZ_SECURITY = /org\.bluez\.Error\.(NotPermitted|NotAuthorized|AuthenticationFailed|AuthenticationRejected)/;

/** Does this GATT error mean "secure the link first"? ATT 0x05/0x08/0x0C/0x0F or BlueZ NotPermitted/NotAuthorized. */
export function isSecurityRefusal(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const type = (e as { type?: unknown }).type;
  if (typeof type === 'string' && BLUEZ_SECURITY.test(type)) return true;
  return ATT_SECURITY.test(e.message) || BLUEZ_SECURITY.test(e.message);
}
