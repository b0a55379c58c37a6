/** One frame the scene filter let through, as ffmpeg's `metadata=print` logs it. */
export interface SelectedFrame {
  /** Presentation time in seconds, as ffmpeg reports it (container start time not yet removed). */
  t: number;
  /** Scene-change score in [0, 1] against the previous decoded frame; undefined if not logged yet. */
  score?: number;
}

const FRAME_LINE = /\] frame:\s*\d+\s+pts:\s*-?\d+\s+pts_time:\s*(-?[\d.e+-]+)/;
const SCORE_LINE = /\] lavfi\.scene_score=([\d.e+-]+)/;

/**
 * Reads `metadata=print` lines from ffmpeg's stderr. A frame's record is complete once its score line, the next
 * frame's line, or the end of the process has been seen — stdout and stderr are separate pipes, so a frame's pixels
 * may arrive before its log lines and are held until then.
 */
export class FrameMetadataLog {
  private readonly records: SelectedFrame[] = [];
  private ended = false;

  /** Returns true when the line was frame metadata (so it stays out of error messages). */
  accept(line: string): boolean {
    const frame = FRAME_LINE.exec(line);
    if (frame) {
      this.records.push({ t: Number(frame[1]) });
      return true;
    }
    const score = SCORE_LINE.exec(line);
    if (score) {
      const last = this.records[this.records.length - 1];
      if (last && last.score === undefined) last.score = Number(score[1]);
      return true;
    }
    return false;
  }

  end(): void {
    this.ended = true;
  }

  /** The oldest record if it is complete, removed from the log. */
  take(): SelectedFrame | undefined {
    const first = this.records[0];
    if (!first) return undefined;
    if (first.score === undefined && this.records.length < 2 && !this.ended) return undefined;
    return this.records.shift();
  }
}
