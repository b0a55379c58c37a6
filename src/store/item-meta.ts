import type { ItemRecord } from './vector-store.js';

/** A point in image pixels, [x, y]. */
type Point = [number, number];

/**
 * Formats of item metadata that one stage writes and another reads: the OCR stage stores each line's box in
 * `meta.ocr`, and search shows where a matched line is; the speech stage stores where people speak in
 * `meta.speech`, and search keeps moments with speech.
 */

/** Where one stored OCR line sits: kept in the item's `meta.ocr.lines[index]`, matching segment `${hash}:ocr:${index}`. */
export interface StoredOcrLine {
  box: [Point, Point, Point, Point];
  bounds: [number, number, number, number];
  confidence: number;
  /** Media time of the keyframe it was read from (video). */
  t?: number;
}

/** The marker an item carries once its text was read; `indexedAt` ties it to the encoding it belongs to. */
export interface ItemOcrMeta {
  model: string;
  indexedAt: number;
  width?: number;
  height?: number;
  lines: StoredOcrLine[];
}

/** The stored box of an `ocr` segment, from its item's metadata. */
export function ocrLineOf(
  item: Pick<ItemRecord, 'meta'>,
  index: number,
): (StoredOcrLine & { width?: number; height?: number }) | undefined {
  const meta = item.meta?.ocr as ItemOcrMeta | undefined;
  const line = meta?.lines?.[index];
  return line ? { ...line, width: meta.width, height: meta.height } : undefined;
}

/** What an audio or video item carries once its speech was found (`meta.speech`): regions in seconds. */
export interface ItemSpeechMeta {
  model: 'silero-vad';
  indexedAt: number;
  regions: { t0: number; t1: number }[];
}

/** Whether a moment [t0, t1] of an item overlaps speech found by the speech stage (false when none was looked for). */
export function overlapsSpeech(item: Pick<ItemRecord, 'meta'>, t0: number, t1: number): boolean {
  const speech = item.meta?.speech as ItemSpeechMeta | undefined;
  return Boolean(speech?.regions?.some((r) => r.t0 < t1 && r.t1 > t0));
}
