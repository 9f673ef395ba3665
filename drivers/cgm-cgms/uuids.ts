/** GATT UUIDs of the CGM Service, noble-style (lowercase, 16-bit as 4 hex digits). */
export const CGMS = {
  SERVICE: '181f',
  MEASUREMENT: '2aa7',
  FEATURE: '2aa8',
  STATUS: '2aa9',
  SESSION_START: '2aaa',
  RUN_TIME: '2aab',
  RACP: '2a52',
  SOCP: '2aac',
} as const;
