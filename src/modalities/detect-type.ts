import type { DetectedType } from './modality.js';
import { detectionOrder } from './registry.js';

/**
 * file-type, loaded on first use (not at package start-up) and kept: an `import()` per file costs more CPU than
 * the detection itself (it goes through the module loader, and its hooks under tsx, every time).
 */
let fileType: Promise<typeof import('file-type')> | undefined;

/**
 * Detects what a file is from its bytes, never its extension: file-type reads the magic bytes, then each
 * modality is asked in its detection order (images, video, audio, …, text last).
 * Returns undefined for anything Rosetta cannot index (the caller reports it as unsupported).
 */
export async function detectType(bytes: Uint8Array): Promise<DetectedType | undefined> {
  if (bytes.byteLength === 0) return undefined;
  const { fileTypeFromBuffer } = await (fileType ??= import('file-type'));
  const ft = await fileTypeFromBuffer(bytes);
  const sniffed = ft ? { mime: ft.mime, ext: ft.ext } : undefined;
  for (const m of detectionOrder()) {
    const mime = m.detect(bytes, sniffed);
    if (mime) return { modality: m.name, mime };
  }
  return undefined;
}
