import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { PcmAudio } from '../../types.js';

/**
 * Encodes mono PCM as a RIFF/WAVE file, 16-bit little-endian PCM (format 1): the format every player reads.
 * Samples are clipped to [-1, 1].
 */
export function encodeWav(audio: PcmAudio): Buffer {
  const { samples, sampleRate } = audio;
  const dataBytes = samples.length * 2;
  const out = Buffer.alloc(44 + dataBytes);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28); // byte rate
  out.writeUInt16LE(2, 32); // block align
  out.writeUInt16LE(16, 34); // bits per sample
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i += 1) {
    const s = Math.max(-1, Math.min(1, Number.isFinite(samples[i]) ? samples[i] : 0));
    out.writeInt16LE(Math.round(s < 0 ? s * 32768 : s * 32767), 44 + i * 2);
  }
  return out;
}

/**
 * Decodes a WAV file (PCM 8/16/24/32-bit or float 32/64, any channel count, mixed down to mono).
 * Tolerates the unknown sizes (0 or 0xFFFFFFFF) that programs streaming to a pipe write, e.g. espeak-ng --stdout.
 */
export function decodeWav(bytes: Uint8Array, name = '<buffer>'): PcmAudio {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (why: string) =>
    new RosettaError(ErrorCodes.MEDIA_CORRUPT, `${name} is not a readable WAV file: ${why}`, {
      file: name,
      hint: 'convert it with `ffmpeg -i in -ac 1 out.wav`',
    });
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE')
    throw corrupt('no RIFF/WAVE header');
  let offset = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    let size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16) throw corrupt('fmt chunk too short');
      let format = buf.readUInt16LE(body);
      // WAVE_FORMAT_EXTENSIBLE keeps the real format in its sub-format GUID's first two bytes.
      if (format === 0xfffe && size >= 26) format = buf.readUInt16LE(body + 24);
      fmt = { format, channels: buf.readUInt16LE(body + 2), rate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt) throw corrupt('data before fmt');
      if (size === 0 || size === 0xffffffff || body + size > buf.length) size = buf.length - body;
      return { samples: toMono(buf.subarray(body, body + size), fmt, corrupt), sampleRate: fmt.rate };
    }
    offset = body + size + (size % 2);
  }
  throw corrupt('no data chunk');
}

function toMono(
  data: Buffer,
  fmt: { format: number; channels: number; rate: number; bits: number },
  corrupt: (w: string) => Error,
): Float32Array {
  const { format, channels, bits } = fmt;
  if (channels < 1 || fmt.rate < 1) throw corrupt(`bad header (${channels} channels, ${fmt.rate} Hz)`);
  const width = bits / 8;
  const read: ((o: number) => number) | undefined =
    format === 1
      ? bits === 8
        ? (o) => (data[o] - 128) / 128
        : bits === 16
          ? (o) => data.readInt16LE(o) / 32768
          : bits === 24
            ? (o) => data.readIntLE(o, 3) / 8388608
            : bits === 32
              ? (o) => data.readInt32LE(o) / 2147483648
              : undefined
      : format === 3
        ? bits === 32
          ? (o) => data.readFloatLE(o)
          : bits === 64
            ? (o) => data.readDoubleLE(o)
            : undefined
        : undefined;
  if (!read) throw corrupt(`unsupported sample format ${format} with ${bits} bits`);
  const frames = Math.floor(data.length / (width * channels));
  const out = new Float32Array(frames);
  for (let f = 0; f < frames; f += 1) {
    let sum = 0;
    for (let c = 0; c < channels; c += 1) sum += read((f * channels + c) * width);
    out[f] = sum / channels;
  }
  return out;
}

/** Duration in seconds. */
export function durationOf(audio: PcmAudio): number {
  return audio.samples.length / audio.sampleRate;
}
