/**
 * A hostile-media set made by the tests: files whose headers lie about their size (decompression bombs in PNG,
 * JPEG and WebP, a WAV claiming 4 GB), a GIF of 10,000 frames, an hour of black video and a large text.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { locateFfmpeg } from '../../src/media/ffmpeg/locate.js';
import { colourImage } from '../helpers/images.js';
import { textOfSize } from './texts.js';

const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const pngChunk = (type: string, data: Buffer) =>
  Buffer.concat([u32be(data.length), Buffer.from(type, 'latin1'), data, u32be(crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])))]);

/** A valid PNG header claiming width × height RGB pixels, with one compressed row of data (a few hundred bytes). */
export function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.concat([u32be(width), u32be(height), Buffer.from([8, 2, 0, 0, 0])]);
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(1 + 3 * 64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A small real JPEG whose frame header (SOF) now claims width × height. */
export async function jpegBomb(width: number, height: number): Promise<Buffer> {
  const jpeg = Buffer.from(await colourImage('red', { width: 16, height: 16, format: 'jpeg' }));
  for (let i = 2; i < jpeg.length - 9; i += 1) {
    if (jpeg[i] === 0xff && jpeg[i + 1] >= 0xc0 && jpeg[i + 1] <= 0xc2) {
      jpeg.writeUInt16BE(height, i + 5);
      jpeg.writeUInt16BE(width, i + 7);
      return jpeg;
    }
  }
  throw new Error('no SOF marker in the generated JPEG');
}

/** A small real lossy WebP whose VP8 frame header now claims width × height (at most 16383 each). */
export async function webpBomb(width: number, height: number): Promise<Buffer> {
  const webp = Buffer.from(
    await sharp({ create: { width: 16, height: 16, channels: 3, background: '#f00' } })
      .webp({ lossless: false })
      .toBuffer(),
  );
  const at = webp.indexOf(Buffer.from([0x9d, 0x01, 0x2a]));
  if (at < 0 || webp.toString('latin1', 12, 16) !== 'VP8 ') throw new Error('not a simple lossy WebP');
  webp.writeUInt16LE(width & 0x3fff, at + 3);
  webp.writeUInt16LE(height & 0x3fff, at + 5);
  return webp;
}

/** An animated GIF of `frames` copies of one small frame (every frame its own image block). */
export async function manyFrameGif(frames: number): Promise<Buffer> {
  const one = Buffer.from(
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0f0' } })
      .gif()
      .toBuffer(),
  );
  const start = one.indexOf(0x2c, 13 + 3 * 2 ** ((one[10] & 7) + 1)); // image descriptor, after the global colour table
  const head = one.subarray(0, start);
  const block = one.subarray(start, one.length - 1); // descriptor and image data, without the trailer
  const control = Buffer.from([0x21, 0xf9, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00]); // 10 ms per frame
  const loop = Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0'), 0x03, 0x01, 0x00, 0x00, 0x00]);
  return Buffer.concat([head, loop, ...Array.from({ length: frames }, () => Buffer.concat([control, block])), Buffer.from([0x3b])]);
}

/** A WAV whose header claims ~4 GB of 16-bit mono samples; one second of silence follows. */
export function lyingWav(): Buffer {
  const rate = 16_000;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(0xffffffff - 8, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(0xfffffff0, 40);
  return Buffer.concat([header, Buffer.alloc(rate * 2)]);
}

/** An hour of black video, 1 frame a second at 32×32 (small on disk, long to walk through). */
export async function blackHour(out: string, seconds = 3600): Promise<void> {
  const { ffmpeg } = await locateFfmpeg();
  await promisify(execFile)(ffmpeg, [
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `color=c=black:s=32x32:r=1:d=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '600',
    '-pix_fmt',
    'yuv420p',
    out,
  ]);
}

/** Writes the whole set into `dir`; returns the expected outcome of indexing each file. */
export async function writeHostileSet(dir: string): Promise<Record<string, { outcome: 'added' | 'failed'; code?: string }>> {
  writeFileSync(join(dir, 'bomb.png'), pngBomb(100_000, 100_000));
  writeFileSync(join(dir, 'bomb.jpg'), await jpegBomb(65_000, 65_000));
  writeFileSync(join(dir, 'bomb.webp'), await webpBomb(16_383, 16_383));
  writeFileSync(join(dir, 'frames.gif'), await manyFrameGif(10_000));
  writeFileSync(join(dir, 'claims-4gb.wav'), lyingWav());
  await blackHour(join(dir, 'black-hour.mp4'));
  writeFileSync(join(dir, 'huge.txt'), textOfSize(2 * 1024 * 1024, 3));
  return {
    'bomb.png': { outcome: 'failed', code: 'ROSETTA_ERR_MEDIA_TOO_LARGE' },
    'bomb.jpg': { outcome: 'failed', code: 'ROSETTA_ERR_MEDIA_TOO_LARGE' },
    'bomb.webp': { outcome: 'failed', code: 'ROSETTA_ERR_MEDIA_TOO_LARGE' },
    'frames.gif': { outcome: 'added' },
    'claims-4gb.wav': { outcome: 'added' },
    'black-hour.mp4': { outcome: 'added' },
    'huge.txt': { outcome: 'added' },
  };
}
