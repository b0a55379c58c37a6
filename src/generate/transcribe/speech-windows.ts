import type { PcmAudio } from '../../types.js';

/** Speech closer than this is decoded as it is, pause included (Whisper wants the context). */
export const JOIN_GAP_S = 1;
/** Each stretch is widened by this much, so a word's first and last sounds are not clipped. */
export const PAD_S = 0.2;
/** Whisper reads 30-second windows: a shorter input costs a whole window anyway. */
export const WHISPER_WINDOW_S = 30;
/** Silence put between stretches packed into one window, so words of two stretches do not run together. */
export const PACK_GAP_S = 0.5;

export interface Span {
  t0: number;
  t1: number;
}

/** One piece of a packed window: file time [t0, t1) lies at [p0, p0 + t1 − t0) of the packed audio. */
export interface PackedPiece extends Span {
  p0: number;
}

/** Speech regions padded by PAD_S, clipped to the file, and joined where less than JOIN_GAP_S apart. */
export function speechSpans(regions: readonly Span[], duration: number): Span[] {
  const spans: Span[] = [];
  for (const r of regions) {
    const t0 = Math.max(0, r.t0 - PAD_S),
      t1 = Math.min(duration, r.t1 + PAD_S);
    const last = spans[spans.length - 1];
    if (last && t0 - last.t1 < JOIN_GAP_S) last.t1 = Math.max(last.t1, t1);
    else spans.push({ t0, t1 });
  }
  return spans;
}

/**
 * Packs consecutive spans into groups that fill one Whisper window (spans, plus PACK_GAP_S of silence between
 * them, up to WHISPER_WINDOW_S): ten short sentences with long silences between cost one window, not ten. A
 * span longer than a window stays alone (the engine reads it in overlapping windows).
 */
export function packSpans(spans: readonly Span[], window = WHISPER_WINDOW_S): PackedPiece[][] {
  const groups: PackedPiece[][] = [];
  let group: PackedPiece[] = [];
  let length = 0;
  for (const s of spans) {
    const d = s.t1 - s.t0;
    const at = group.length ? length + PACK_GAP_S : 0;
    if (group.length && at + d > window) {
      groups.push(group);
      group = [];
      length = 0;
    }
    const p0 = group.length ? length + PACK_GAP_S : 0;
    group.push({ t0: s.t0, t1: s.t1, p0 });
    length = p0 + d;
  }
  if (group.length) groups.push(group);
  return groups;
}

/** The group's pieces of `pcm`, one after another with PACK_GAP_S of silence between them. */
export function packedAudio(pcm: PcmAudio, group: readonly PackedPiece[]): PcmAudio {
  const rate = pcm.sampleRate;
  const last = group[group.length - 1];
  const out = new Float32Array(Math.ceil((last.p0 + last.t1 - last.t0) * rate));
  for (const piece of group) {
    const from = Math.floor(piece.t0 * rate),
      to = Math.min(pcm.samples.length, Math.ceil(piece.t1 * rate));
    const at = Math.floor(piece.p0 * rate);
    out.set(pcm.samples.subarray(from, Math.min(to, from + out.length - at)), at);
  }
  return { samples: out, sampleRate: rate };
}

/**
 * A time of the packed audio back on the file's clock. Monotonic, so segments stay in order: a time in the
 * silence between two pieces goes to the next piece's start (`edge: 'start'`) or the last piece's end (`'end'`).
 */
export function toFileClock(group: readonly PackedPiece[], t: number, edge: 'start' | 'end'): number {
  for (let i = 0; i < group.length; i += 1) {
    const piece = group[i];
    const end = piece.p0 + piece.t1 - piece.t0;
    if (t < piece.p0) return edge === 'start' || i === 0 ? piece.t0 : group[i - 1].t1;
    if (t <= end) return piece.t0 + (t - piece.p0);
  }
  return group[group.length - 1].t1;
}
