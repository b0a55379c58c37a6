import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Cuts a stream of float samples into overlapping windows in bounded memory: it holds one window's worth of
 * samples plus the bytes of one incomplete sample, whatever the stream's length.
 */
export class WindowBuffer {
  private readonly buffer: Float32Array;
  private filled = 0;
  /** Index (in samples since the start) of buffer[0]. */
  private start = 0;
  private emitted = false;
  private carry = Buffer.alloc(0);

  constructor(
    readonly windowSamples: number,
    readonly hopSamples: number,
  ) {
    this.buffer = new Float32Array(windowSamples);
  }

  /** Samples received so far. */
  get total(): number {
    return this.start + this.filled;
  }

  /** Adds little-endian f32 bytes; returns the full windows completed by them, each as [startSample, samples]. */
  push(bytes: Buffer): [number, Float32Array][] {
    const data = this.carry.length ? Buffer.concat([this.carry, bytes]) : bytes;
    const whole = data.length - (data.length % 4);
    this.carry = Buffer.from(data.subarray(whole));
    const out: [number, Float32Array][] = [];
    for (let offset = 0; offset < whole;) {
      const take = Math.min(this.windowSamples - this.filled, (whole - offset) / 4);
      if (LITTLE_ENDIAN) {
        // A byte copy into the float array's memory: ffmpeg's f32le is the machine's own layout here.
        new Uint8Array(this.buffer.buffer, this.filled * 4, take * 4).set(data.subarray(offset, offset + take * 4));
      } else {
        for (let i = 0; i < take; i += 1) this.buffer[this.filled + i] = data.readFloatLE(offset + i * 4);
      }
      this.filled += take;
      offset += take * 4;
      if (this.filled === this.windowSamples) {
        out.push([this.start, this.buffer.slice()]);
        this.emitted = true;
        this.advance();
      }
    }
    return out;
  }

  /**
   * The last, shorter window: the samples not yet covered by an emitted window, kept unpadded (t1 is the true end
   * of the audio; audio models pad to their own length). Undefined when every sample is already in a window.
   */
  flush(): [number, Float32Array] | undefined {
    const overlap = this.windowSamples - Math.min(this.hopSamples, this.windowSamples);
    if (this.filled === 0 || (this.emitted && this.filled <= overlap)) return undefined;
    return [this.start, this.buffer.slice(0, this.filled)];
  }

  private advance(): void {
    const hop = Math.min(this.hopSamples, this.windowSamples);
    this.buffer.copyWithin(0, hop, this.windowSamples);
    this.filled = this.windowSamples - hop;
    this.start += hop;
  }
}
