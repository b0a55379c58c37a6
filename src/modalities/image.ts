import { readImage } from '../media/image/read-image.js';
import type { ModalityModule } from './modality.js';

const IMAGE_MIMES = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/avif',
  'image/tiff',
  'image/heic',
  'image/heif',
  'image/bmp',
]);

/** Pictures: one `image` segment each, plus the captions and OCR lines later stages attach. */
export const image = {
  name: 'image',
  label: 'images',
  formats: 'images (jpg, png, webp, gif, avif, tiff)',
  segmentKinds: ['image', 'caption', 'ocr'],
  detectOrder: 10,
  // A file that starts like an image but that file-type rejects is a damaged image, not an unknown type.
  detect: (bytes, sniffed) => (sniffed ? (IMAGE_MIMES.has(sniffed.mime) ? sniffed.mime : undefined) : imageSignature(bytes)),
  decodesTo: 'image',
  decode: (file, { maxPixels }) => readImage(file.bytes ? { bytes: file.bytes, name: file.path } : file.path, { maxPixels }),
  query: { encode: async (space, input) => (await space.embedImages([await readImage(input, { parameter: 'image' })]))[0] },
  tagTemplate: 'a photo of a {}',
} as const satisfies ModalityModule;

function imageSignature(b: Uint8Array): string | undefined {
  const starts = (...sig: number[]) => sig.every((v, i) => b[i] === v);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  return undefined;
}
