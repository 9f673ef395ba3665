import { describe, expect, it } from 'vitest';
import { CODECS } from '../../drivers/codecs.js';
import { runCli } from '../helpers/cli.js';

/** `carehub decode`: help from the codec registry, quirks never ignored, impossible dates refused. */
describe('carehub decode: registry, quirks, dates', () => {
  it('--help lists every registered codec with its description, and the known quirks', () => {
    const r = runCli(['decode', '--help']);
    expect(r.code).toBe(0);
    for (const c of CODECS.values()) expect(r.stdout).toMatch(new RegExp(`^\\s+${c.name}\\s+${c.description.replace(/[()]/g, '\\$&')}$`, 'm'));
    expect(r.stdout).toMatch(/^\s+warning-first\s+\(cgm-measurement\)$/m);
  });

  it('refuses an unknown quirk with exit 2 and the list of known quirks', () => {
    const r = runCli(['decode', 'cgm-measurement', '--quirk', 'nope', '06 00 64 00 06 00']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, reason: 'usage', error: 'unknown quirk nope; known: warning-first', known: ['warning-first'] });
  });

  it('refuses a known quirk on a codec that does not honour it (it would change nothing)', () => {
    const r = runCli(['decode', 'sfloat', '--quirk', 'warning-first', '65 F0']);
    expect(r.code).toBe(2);
    expect((JSON.parse(r.stdout) as { error: string }).error).toBe('quirk warning-first does not apply to sfloat; it applies to: cgm-measurement');
  });

  it('an unknown codec is refused with exit 2 and the known codecs', () => {
    const r = runCli(['decode', 'no-such-codec', '00']);
    expect(r.code).toBe(2);
    expect((JSON.parse(r.stdout) as { known: string[] }).known).toEqual([...CODECS.keys()]);
  });

  it('a spot-check dated 2026-02-31 is rejected: exit 1, reason "date" at the day byte', () => {
    const r = runCli(['decode', 'plx-spot-check', '01 62 00 48 00 EA 07 02 1F 0A 00 00']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, reason: 'date', at: 8 });
    expect(r.stderr).toBe('');
  });
});
