import type { MediaProbe } from './probe.js';

/** What every streaming ffmpeg decode (audio windows, video scenes) takes besides its own settings. */
export interface StreamDecodeOptions {
  /** Abort to stop decoding; the ffmpeg child is killed and the iterator throws ABORTED. */
  signal?: AbortSignal;
  /** Called as decoding advances, with the media time reached, in seconds. */
  onProgress?: (mediaSeconds: number) => void;
  /** Kill ffmpeg when it produces nothing for this long (a hang). Default 30 000 ms. */
  stallTimeoutMs?: number;
  /** Hard limit for the whole file, in ms. Default none. */
  timeoutMs?: number;
  /** A probe already made for this file (skips a second ffprobe run). */
  probe?: MediaProbe;
}
