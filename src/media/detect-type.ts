import type { Modality } from '../types.js';

export interface DetectedType {
  modality: Modality;
  mime: string;
}

const IMAGE_MIMES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/tiff', 'image/heic', 'image/heif', 'image/bmp']);

/**
 * Detects what a file is from its bytes, never its extension. Text is valid UTF-8 without NUL bytes.
 * Returns undefined for anything Rosetta cannot index (the caller reports it as unsupported).
 */
export async function detectType(bytes: Uint8Array): Promise<DetectedType | undefined> {
  if (bytes.byteLength === 0) return undefined;
  const { fileTypeFromBuffer } = await import('file-type'); // loaded on first use, not at package start-up
  const ft = await fileTypeFromBuffer(bytes);
  if (ft) {
    if (IMAGE_MIMES.has(ft.mime)) return { modality: 'image', mime: ft.mime };
    if (ft.mime.startsWith('video/') || ft.mime === 'application/x-matroska') return { modality: 'video', mime: ft.mime };
    if (ft.mime.startsWith('audio/')) return { modality: 'audio', mime: ft.mime };
    return undefined;
  }
  const signature = imageSignature(bytes);
  if (signature) return { modality: 'image', mime: signature };
  if (looksLikeUtf8Text(bytes)) return { modality: 'text', mime: 'text/plain' };
  return undefined;
}

function looksLikeUtf8Text(bytes: Uint8Array): boolean {
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

/** A file that starts like an image but that file-type rejects is a damaged image, not an unknown type. */
function imageSignature(b: Uint8Array): string | undefined {
  const starts = (...sig: number[]) => sig.every((v, i) => b[i] === v);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  return undefined;
}
