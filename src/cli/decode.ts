import { CODECS } from '../../drivers/codecs.js';
import type { Codec, CodecOptions } from '../../drivers/shared/codec.js';
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
    const known = [...CODECS.keys()];
    out.write(`${JSON.stringify({ ok: false, reason: 'usage', error: `unknown codec ${codecName}; known: ${known.join(', ')}`, known })}\n`);
    return EXIT_USAGE;
  }
  const quirkProblem = checkQuirks(codec, opts.quirk ?? []);
  if (quirkProblem) {
    out.write(`${JSON.stringify({ ok: false, reason: 'usage', ...quirkProblem })}\n`);
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

/** Every quirk some codec honours, with the codecs that honour it (from the registry). */
export function knownQuirks(): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const c of CODECS.values()) for (const q of c.quirks ?? []) m.set(q, [...(m.get(q) ?? []), c.name]);
  return m;
}

/** A `--quirk` no codec knows, or one this codec does not honour, is bad usage: never ignored. */
function checkQuirks(codec: Codec, quirks: string[]): { error: string; known: string[] } | null {
  const all = knownQuirks();
  const known = [...all.keys()];
  for (const q of quirks) {
    if (!all.has(q)) return { error: `unknown quirk ${q}; known: ${known.join(', ') || '(none)'}`, known };
    if (!(codec.quirks ?? []).includes(q)) {
      return { error: `quirk ${q} does not apply to ${codec.name}; it applies to: ${(all.get(q) ?? []).join(', ')}`, known };
    }
  }
  return null;
}

/** The codec and quirk lists under `carehub decode --help`, built from the registry. */
export function decodeHelpText(): string {
  const names = [...CODECS.keys()];
  const w = Math.max(...names.map((n) => n.length));
  const lines = ['', 'Codecs:'];
  for (const c of CODECS.values()) lines.push(`  ${c.name.padEnd(w)}  ${c.description}`);
  lines.push('', 'Quirks (--quirk):');
  for (const [q, codecs] of knownQuirks()) lines.push(`  ${q}  (${codecs.join(', ')})`);
  lines.push('', 'Prints one JSON object. Exit 0 decoded, 1 rejected ({"ok":false,"reason":...,"at":BYTE}), 2 bad usage.');
  return `${lines.join('\n')}\n`;
}
