/** A stretch of media time, in seconds, where someone speaks. */
export interface SpeechRegion {
  t0: number;
  t1: number;
}

export interface SpeechTrackerOptions {
  /** Probability at which speech starts. Default 0.7 (tuned on bench/vad.ts's tuning set; Silero's own default is 0.5). */
  threshold?: number;
  /** Probability below which speech may end. Default threshold − 0.05. */
  negativeThreshold?: number;
  /** Speech shorter than this is dropped, in seconds. Default 0.25. */
  minSpeechSeconds?: number;
  /** Silence must last this long to end a region, in seconds. Default 0.3 (a comma pause stays inside its sentence). */
  minSilenceSeconds?: number;
  /**
   * Each region is widened by this much on both sides (without overlapping its neighbours), in seconds.
   * Default 0: Silero's probability already outlasts the speech.
   */
  padSeconds?: number;
}

/**
 * Turns a stream of per-frame speech probabilities into speech regions, with hysteresis (start above
 * `threshold`, end after `minSilenceSeconds` below `negativeThreshold`), as Silero's own post-processing
 * does. Streaming: `push` returns regions as soon as they are final, so memory stays constant.
 */
export class SpeechTracker {
  private readonly threshold: number;
  private readonly negative: number;
  private readonly minSpeech: number;
  private readonly minSilence: number;
  private readonly pad: number;
  private start: number | undefined;
  private silenceFrom: number | undefined;
  private pending: SpeechRegion | undefined;
  private lastEnd = 0;

  constructor(options: SpeechTrackerOptions = {}) {
    this.threshold = options.threshold ?? 0.7;
    this.negative = options.negativeThreshold ?? Math.max(0.01, this.threshold - 0.05);
    this.minSpeech = options.minSpeechSeconds ?? 0.25;
    this.minSilence = options.minSilenceSeconds ?? 0.3;
    this.pad = options.padSeconds ?? 0;
  }

  /** One frame [t, t + dt) with its probability; returns the regions that became final. */
  push(p: number, t: number, dt: number): SpeechRegion[] {
    this.lastEnd = t + dt;
    if (this.start === undefined) {
      if (p >= this.threshold) {
        this.start = t;
        this.silenceFrom = undefined;
      }
      return [];
    }
    if (p >= this.threshold) {
      this.silenceFrom = undefined;
      return [];
    }
    if (p < this.negative) {
      this.silenceFrom ??= t;
      if (t + dt - this.silenceFrom >= this.minSilence) {
        const region = { t0: this.start, t1: this.silenceFrom };
        this.start = undefined;
        this.silenceFrom = undefined;
        return this.accept(region);
      }
    }
    return [];
  }

  /** Ends the stream at `end` seconds (default: the end of the last frame); returns the last regions. */
  finish(end = this.lastEnd): SpeechRegion[] {
    const out = this.start !== undefined ? this.accept({ t0: this.start, t1: this.silenceFrom ?? end }) : [];
    this.start = undefined;
    if (this.pending) {
      out.push({ t0: this.pending.t0, t1: Math.min(end, this.pending.t1 + this.pad) });
      this.pending = undefined;
    }
    return out;
  }

  /** Keeps a region long enough; pads it and releases the previous one now that its right neighbour is known. */
  private accept(region: SpeechRegion): SpeechRegion[] {
    if (region.t1 - region.t0 < this.minSpeech) return [];
    const out: SpeechRegion[] = [];
    const prev = this.pending;
    let t0 = Math.max(0, region.t0 - this.pad);
    if (prev) {
      const gap = region.t0 - prev.t1;
      const prevEnd = gap < 2 * this.pad ? prev.t1 + gap / 2 : prev.t1 + this.pad;
      t0 = Math.max(t0, prevEnd);
      out.push({ t0: prev.t0, t1: prevEnd });
    }
    this.pending = { t0, t1: region.t1 };
    return out;
  }
}
