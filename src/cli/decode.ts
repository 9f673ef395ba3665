import { CODECS } from '../../drivers/codecs.js';
import type { CodecOptions } from '../../drivers/shared/codec.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit.js';

export interface DecodeOpts {
  crc?: string;
  quirk?: string[];
}

/** Parse hex with optional spaces, colons or 0x prefixes. Returns null when not hex. */
export function parseHex(parts: string[]): Uint8Array | null {
  const s = parts.join('').replace(/0x/gi, '').replace(/[\s:,-]/g, '');
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return null;
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

/** `carehub decode CODEC HEX...`: one JSON object on stdout; never a stack trace. */
export function decodeCommand(codecName: string, hex: string[], opts: DecodeOpts, out: NodeJS.WritableStream = process.stdout): number {
  const codec = CODECS.get(codecName);
  if (!codec) {
    out.write(`${JSON.stringify({ ok: false, reason: 'usage', error: `unknown codec ${codecName}; known: ${[...CODECS.keys()].join(', ')}` })}\n`);
    return EXIT_USAGE;
  }
  if (opts.crc !== undefined && !['mcrf4xx', 'ccitt-false', 'none'].includes(opts.crc)) {
    out.write(`${JSON.stringify({ ok: false, reason: 'usage', error: '--crc must be mcrf4xx, ccitt-false or none' })}\n`);
    return EXIT_USAGE;
  }
  const bytes = parseHex(hex);
  if (!bytes) {
    out.write(`${JSON.stringify({ ok: false, reason: 'usage', error: 'the payload must be hex bytes, e.g. "0F E3 D2 E4"' })}\n`);
    return EXIT_USAGE;
  }
  const codecOpts: CodecOptions = { quirks: opts.quirk ?? [] };
  if (opts.crc) codecOpts.crc = opts.crc as NonNullable<CodecOptions['crc']>;
  let result;
  try {
    result = codec.decode(bytes, codecOpts);
  } catch (err) {
    // A codec must never throw; if one does, it is a bug, reported as a rejection, not a trace.
    out.write(`${JSON.stringify({ ok: false, reason: 'internal', at: 0, error: (err as Error).message })}\n`);
    return EXIT_FAILURE;
  }
  if (!result.ok) {
    out.write(`${JSON.stringify({ ok: false, reason: result.reason, at: result.at })}\n`);
    return EXIT_FAILURE;
  }
  out.write(`${JSON.stringify({ ok: true, codec: codecName, ...result.value })}\n`);
  return EXIT_OK;
}
