/** The four modalities Rosetta ships; each is a module in src/modalities/ (names, kinds, detection, decoding, queries). */
export type Modality = 'text' | 'image' | 'audio' | 'video';

/** What a segment is within its item; each modality module lists the kinds its items hold. */
export type SegmentKind = 'image' | 'text-chunk' | 'scene' | 'audio-window' | 'transcript' | 'caption' | 'ocr';

/** Decoded RGB pixels (EXIF orientation already applied), as sharp returns them. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

/** Mono PCM samples in [-1, 1] at `sampleRate`. */
export interface PcmAudio {
  samples: Float32Array;
  sampleRate: number;
}

/** A typed input: a path, a Buffer/Uint8Array of file bytes, or an http(s) URL. */
export type MediaInput = string | Uint8Array | URL;

export type Device = 'cpu' | 'cuda' | 'webgpu' | 'auto';
export type DType = 'fp32' | 'fp16' | 'q8';
