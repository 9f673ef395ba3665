import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

/**
 * Namespaced JSON logging (pino). A logger is passed in, never global. Namespaces follow the
 * layers: `store`, `uplink:mqtt`, `driver:oxi-1:session`, `alarms`, ... Levels can be set per
 * namespace prefix. Never log patient values or secrets: log ids, counts and states.
 */
export interface Logger {
  child(ns: string): Logger;
  trace(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  fatal(obj: object | string, msg?: string): void;
}

export interface LogOptions {
  level?: LevelWithSilent;
  /** Per-namespace levels, e.g. { 'uplink': 'debug' } applies to `uplink:*` too. */
  levels?: Record<string, LevelWithSilent>;
  /** Destination file descriptor or stream; default stderr (stdout is for command output). */
  destination?: number | NodeJS.WritableStream;
}

class PinoAdapter implements Logger {
  constructor(private readonly p: PinoLogger, private readonly ns: string, private readonly opts: LogOptions) {}
  child(ns: string): Logger {
    const full = this.ns ? `${this.ns}:${ns}` : ns;
    const level = levelFor(full, this.opts);
    return new PinoAdapter(this.p.child({ ns: full }, { level }), full, this.opts);
  }
  trace(o: object | string, m?: string): void { call(this.p, 'trace', o, m); }
  debug(o: object | string, m?: string): void { call(this.p, 'debug', o, m); }
  info(o: object | string, m?: string): void { call(this.p, 'info', o, m); }
  warn(o: object | string, m?: string): void { call(this.p, 'warn', o, m); }
  error(o: object | string, m?: string): void { call(this.p, 'error', o, m); }
  fatal(o: object | string, m?: string): void { call(this.p, 'fatal', o, m); }
}

function call(p: PinoLogger, level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', o: object | string, m?: string): void {
  if (typeof o === 'string') p[level](o);
  else p[level](o, m);
}

function levelFor(ns: string, opts: LogOptions): LevelWithSilent {
  let best = '';
  let level: LevelWithSilent = opts.level ?? 'info';
  for (const [prefix, l] of Object.entries(opts.levels ?? {})) {
    if ((ns === prefix || ns.startsWith(`${prefix}:`)) && prefix.length > best.length) { best = prefix; level = l; }
  }
  return level;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const dest = opts.destination ?? 2;
  const stream = typeof dest === 'number' ? pino.destination({ dest, sync: true }) : dest;
  const p = pino({ level: 'trace', base: { app: 'carehub' }, timestamp: pino.stdTimeFunctions.isoTime }, stream);
  return new PinoAdapter(p.child({}, { level: opts.level ?? 'info' }), '', opts);
}

/** A logger that drops everything (tests, benchmarks, the decode command). */
export function silentLogger(): Logger {
  return createLogger({ level: 'silent' });
}
