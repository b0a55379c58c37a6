import { readFile } from 'node:fs/promises';
import { invalidArgument } from '../util/validate.js';
import type { ModalityModule } from './modality.js';

/** Text: valid UTF-8 without NUL bytes, indexed as chunks. */
export const text = {
  name: 'text',
  label: 'text',
  formats: 'text (UTF-8 .txt/.md)',
  segmentKinds: ['text-chunk'],
  detectOrder: 100,
  detect: (bytes, sniffed) => (!sniffed && looksLikeUtf8Text(bytes) ? 'text/plain' : undefined),
  decodesTo: 'text',
  decode: async (file) => (file.bytes ?? (await readFile(file.path))).toString('utf8'),
  query: {
    encode: async (space, input) => {
      if (typeof input !== 'string') throw invalidArgument('text', 'a string', input);
      return (await space.embedTexts([input]))[0];
    },
  },
} as const satisfies ModalityModule;

/** Whether the first 64 kB are UTF-8 without NUL bytes (a multi-byte character cut at the sample's end is fine). */
export function looksLikeUtf8Text(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 64 * 1024);
  if (sample.includes(0)) return false;
  try {
    // Cut at a whole character: a multi-byte sequence may straddle the sample's end.
    let end = sample.byteLength;
    if (end < bytes.byteLength) while (end > 0 && (sample[end - 1] & 0xc0) === 0x80) end -= 1;
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end === sample.byteLength ? end : Math.max(0, end - 1)));
    return true;
  } catch {
    return false;
  }
}
