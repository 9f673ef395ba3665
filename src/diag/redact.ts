/**
 * What a diagnostics bundle may show. It goes to technicians and a backend that are not the
 * patient's clinicians, so: no reading values or alarm limits, no patient references, no key
 * material or credentials. Paths of key files are fine (they say what is configured).
 */
export const REDACTED = '[redacted]';

/** Config keys whose values are replaced: the patient block and anything secret-looking. */
const SECRET_KEY = /(password|passphrase|secret|token|credential(?!sFile)|privatekey)/i;
const PATIENT_KEY = /^(patient|performer|episodeOfCare|basedOn)$/;

/** A deep copy of a config object with patient references and secrets replaced. */
export function redactConfig(v: unknown, key = ''): unknown {
  if (PATIENT_KEY.test(key) || (SECRET_KEY.test(key) && typeof v !== 'boolean')) return v === undefined ? v : REDACTED;
  if (typeof v === 'string' && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v)) return REDACTED;
  if (Array.isArray(v)) return v.map((x) => redactConfig(x));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactConfig(x, k)]));
  return v;
}

/** Log fields that may carry a value, a limit or a patient reference; dropped from log lines. */
const RISKY_FIELD = /^(value|values|limit|limits|reading|readings|payload|patient|subject|performer|last|sample|samples|text|hex|frame|data|body|args)$/i;

/**
 * One journal line for the bundle: a pino JSON line with its risky fields removed (recursively),
 * or null for anything that is not one (free text may contain anything).
 */
export function scrubLogLine(line: string): string | null {
  let o: unknown;
  try { o = JSON.parse(line); } catch { return null; }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return null;
  const scrub = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(scrub);
    if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).filter(([k]) => !RISKY_FIELD.test(k)).map(([k, y]) => [k, scrub(y)]));
    return x;
  };
  return JSON.stringify(scrub(o));
}

interface StatusLike {
  devices?: Array<Record<string, unknown>>;
  alarms?: Array<Record<string, unknown>>;
  [k: string]: unknown;
}

/**
 * A `carehub status` answer without patient data: devices without their last readings, and only
 * the technical alarms (code, priority, since, device, text), never physiological ones.
 */
export function redactStatus(s: unknown): { status: unknown; technicalAlarms: unknown[] } {
  if (!s || typeof s !== 'object') return { status: null, technicalAlarms: [] };
  const st = s as StatusLike;
  const technicalAlarms = (st.alarms ?? [])
    .filter((a) => a.category === 'technical')
    .map((a) => ({ condition: a.condition, priority: a.priority, device: a.device, since: a.since, acknowledged: a.acknowledged, latched: a.latched, text: a.text }));
  const physiological = (st.alarms ?? []).filter((a) => a.category !== 'technical').length;
  const devices = (st.devices ?? []).map((d) => Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'last')));
  const { alarms: _drop, ...rest } = st;
  return { status: { ...rest, devices, alarms: { technical: technicalAlarms.length, physiological } }, technicalAlarms };
}
