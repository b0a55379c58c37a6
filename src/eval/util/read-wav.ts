import { readFile } from 'node:fs/promises';
import type { PcmAudio } from '../../types.js';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';

/**
 * Reads a RIFF WAVE file (PCM 8/16/24/32-bit or IEEE float 32/64) and mixes it down to mono.
 * Enough for evaluation pairs without ffmpeg; other formats go through the media module's decoder.
 */
export async function readWav(path: string): Promise<PcmAudio> {
  const buf = await readFile(path);
  const fail = (why: string) => new RosettaError(ErrorCodes.MEDIA_UNSUPPORTED, `Cannot read ${path} as WAV: ${why}`,
    { file: path, hint: 'convert it with: ffmpeg -i input -ac 1 -ar 48000 output.wav' });
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw fail('not a RIFF/WAVE file');
  let offset = 12;
  let format = 0; let channels = 0; let sampleRate = 0; let bits = 0;
  let dataStart = -1; let dataLength = 0;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = buf.readUInt16LE(body);
      channels = buf.readUInt16LE(body + 2);
      sampleRate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
      if (format === 0xfffe && size >= 26) format = buf.readUInt16LE(body + 24); // WAVE_FORMAT_EXTENSIBLE
    } else if (id === 'data') {
      dataStart = body;
      dataLength = Math.min(size, buf.length - body);
      break;
    }
    offset = body + size + (size % 2);
  }
  if (dataStart < 0 || channels === 0) throw fail('no fmt or data chunk');
  const bytes = bits / 8;
  const frames = Math.floor(dataLength / (bytes * channels));
  const samples = new Float32Array(frames);
  const read = (at: number): number => {
    if (format === 3) return bits === 64 ? buf.readDoubleLE(at) : buf.readFloatLE(at);
    if (format !== 1) throw fail(`unsupported encoding ${format}`);
    if (bits === 8) return (buf.readUInt8(at) - 128) / 128;
    if (bits === 16) return buf.readInt16LE(at) / 32768;
    if (bits === 24) return buf.readIntLE(at, 3) / 8388608;
    if (bits === 32) return buf.readInt32LE(at) / 2147483648;
    throw fail(`unsupported bit depth ${bits}`);
  };
  for (let f = 0; f < frames; f += 1) {
    let s = 0;
    for (let c = 0; c < channels; c += 1) s += read(dataStart + (f * channels + c) * bytes);
    samples[f] = s / channels;
  }
  return { samples, sampleRate };
}
