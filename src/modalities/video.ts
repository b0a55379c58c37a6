import type { ModalityModule } from './modality.js';

/**
 * Video: stored as image-space scenes (a keyframe each) plus audio-space windows of its sound track, so any
 * space covering images or audio covers video (`covers` in spaces/space.ts). Not a query part.
 */
export const video = {
  name: 'video',
  label: 'videos',
  formats: 'video',
  segmentKinds: ['scene', 'audio-window', 'transcript', 'caption', 'ocr'],
  detectOrder: 20,
  detect: (_bytes, sniffed) =>
    sniffed && (sniffed.mime.startsWith('video/') || sniffed.mime === 'application/x-matroska') ? sniffed.mime : undefined,
  decodesTo: 'timed',
} as const satisfies ModalityModule;
