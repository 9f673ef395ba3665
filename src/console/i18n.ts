/** The console's languages: Danish and English, chosen by the browser, switchable (cookie `lang`). */
export type Lang = 'en' | 'da';
export const LANGS: readonly Lang[] = ['en', 'da'];

const en = {
  title: 'carehub console',
  disclaimer: 'Not a certified medical device. The devices\' own alarms remain primary.',
  noLogin: 'Demo: no login on this loopback console.',
  readOnly: 'Read-only: you can watch, not change.',
  alarms: 'Alarms',
  noAlarms: 'No active alarms',
  devices: 'Devices',
  hub: 'Hub',
  priority: 'Priority',
  condition: 'Condition',
  device: 'Device',
  text: 'Text',
  since: 'Since',
  state: 'State',
  acknowledge: 'Acknowledge',
  acknowledged: 'acknowledged',
  latched: 'latched',
  pauseAudio: 'Pause audio',
  audioPausedFor: 'Audio paused for {s} s',
  alarmTest: 'Alarm test',
  alarmTestDone: 'Alarm test sounded: {p}',
  kind: 'Kind',
  link: 'Link',
  battery: 'Battery',
  lastSeen: 'Last seen',
  lastReadings: 'Last readings',
  rejected: 'Rejected frames',
  never: 'never',
  uplink: 'Uplink',
  backlog: 'Backlog',
  clock: 'Clock',
  synced: 'synchronised',
  unsynced: 'NOT synchronised',
  storage: 'Storage',
  live: 'live',
  offline: 'connection lost, retrying',
  login: 'Log in',
  logout: 'Log out',
  password: 'Password',
  wrongPassword: 'Wrong password.',
  tooMany: 'Too many failed attempts. Try again in {s} s.',
  noPassword: 'No console password is set on this hub: run carehub console-password.',
  trends: 'Trends',
  hour: '1 hour',
  day: '24 hours',
  week: '7 days',
  noData: 'No stored readings in this period.',
  timeInRange: 'Time in range {lo}-{hi}: {pct} %',
  limits: 'alarm limits',
  back: 'Overview',
  language: 'Language',
  role: 'Role',
  technician: 'technician',
  viewer: 'read-only',
  failed: 'Failed: {e}',
};

export type Strings = typeof en;

const da: Strings = {
  title: 'carehub-konsol',
  disclaimer: 'Ikke et certificeret medicinsk udstyr. Apparaternes egne alarmer er fortsat de primære.',
  noLogin: 'Demo: intet login på denne lokale konsol.',
  readOnly: 'Skrivebeskyttet: du kan se, ikke ændre.',
  alarms: 'Alarmer',
  noAlarms: 'Ingen aktive alarmer',
  devices: 'Apparater',
  hub: 'Hub',
  priority: 'Prioritet',
  condition: 'Tilstand',
  device: 'Apparat',
  text: 'Tekst',
  since: 'Siden',
  state: 'Status',
  acknowledge: 'Kvittér',
  acknowledged: 'kvitteret',
  latched: 'fastholdt',
  pauseAudio: 'Pause lyd',
  audioPausedFor: 'Lyd på pause i {s} s',
  alarmTest: 'Alarmtest',
  alarmTestDone: 'Alarmtest afspillet: {p}',
  kind: 'Type',
  link: 'Forbindelse',
  battery: 'Batteri',
  lastSeen: 'Sidst set',
  lastReadings: 'Seneste målinger',
  rejected: 'Afviste rammer',
  never: 'aldrig',
  uplink: 'Uplink',
  backlog: 'Kø',
  clock: 'Ur',
  synced: 'synkroniseret',
  unsynced: 'IKKE synkroniseret',
  storage: 'Lager',
  live: 'live',
  offline: 'forbindelsen tabt, prøver igen',
  login: 'Log ind',
  logout: 'Log ud',
  password: 'Adgangskode',
  wrongPassword: 'Forkert adgangskode.',
  tooMany: 'For mange mislykkede forsøg. Prøv igen om {s} s.',
  noPassword: 'Der er ikke sat en konsol-adgangskode på denne hub: kør carehub console-password.',
  trends: 'Tendenser',
  hour: '1 time',
  day: '24 timer',
  week: '7 dage',
  noData: 'Ingen gemte målinger i perioden.',
  timeInRange: 'Tid i område {lo}-{hi}: {pct} %',
  limits: 'alarmgrænser',
  back: 'Overblik',
  language: 'Sprog',
  role: 'Rolle',
  technician: 'tekniker',
  viewer: 'skrivebeskyttet',
  failed: 'Mislykkedes: {e}',
};

export const STRINGS: Record<Lang, Strings> = { en, da };

/** The language of a request: the `lang` cookie when set, else the first of Accept-Language we have. */
export function pickLang(acceptLanguage: string | undefined, cookie: string | undefined): Lang {
  if (cookie === 'da' || cookie === 'en') return cookie;
  const ranked = (acceptLanguage ?? '').slice(0, 512).split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? '1');
      return { base: tag.split('-')[0] ?? '', q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) if (r.base === 'da' || r.base === 'en') return r.base;
  return 'en';
}
