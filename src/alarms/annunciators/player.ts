import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Starting external programs for the annunciators without ever waiting for them: spawn, hand
 * over the bytes, and hear back through a callback when the program ends.
 */
export interface Playback { stop(): void }

/** Plays one WAV; `done` gets null on success, else the reason. Never blocks. */
export type Player = (wav: Buffer, done: (err: Error | null) => void) => Playback;

/** True when `cmd` is an executable file in a PATH directory. */
export function onPath(cmd: string, path = process.env.PATH ?? ''): boolean {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch { /* next */ }
  }
  return false;
}

/** Why the hub cannot play sound, or null when it can (an ALSA card is listed and aplay exists). */
export function audioUnavailable(cardsFile = '/proc/asound/cards'): string | null {
  let cards = '';
  try {
    cards = readFileSync(cardsFile, 'utf8');
  } catch {
    return `no ALSA sound support (${cardsFile} missing)`;
  }
  if (!/^\s*\d+\s*\[/m.test(cards)) return `no sound card listed in ${cardsFile}`;
  if (!onPath('aplay')) return 'aplay not found on PATH (install alsa-utils)';
  return null;
}

/** The ALSA player: `aplay -q [-D device] -` with the WAV on its standard input. */
export function aplayPlayer(device?: string): Player {
  return (wav, done) => {
    const args = ['-q', ...(device ? ['-D', device] : []), '-'];
    let stopped = false;
    let finished = false;
    const finish = (err: Error | null): void => { if (!finished) { finished = true; done(err); } };
    const child = spawn('aplay', args, { stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', (err) => finish(err));
    child.on('exit', (code, signal) => finish(stopped || code === 0 ? null : new Error(`aplay exited with ${code ?? signal}`)));
    child.stdin.on('error', () => { /* the exit status tells */ });
    child.stdin.end(wav);
    return { stop: () => { stopped = true; child.kill('SIGTERM'); } };
  };
}
