import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { RgbImage } from '../../types.js';
import { expectPositiveInt, invalidArgument } from '../../util/validate.js';
import { locateFfmpeg } from '../ffmpeg/locate.js';
import { runMediaProgram } from '../ffmpeg/process.js';

export interface WriteVideoOptions {
  /** Frames per second. Default 8. */
  fps?: number;
  /** Side of the square output in pixels (even), frames enlarged with nearest-neighbour. Default: the frames' own size. */
  size?: number;
  signal?: AbortSignal;
}

/**
 * Writes RGB frames (all one size) as an H.264 MP4 (yuv420p, playable everywhere) with the project's ffmpeg: the
 * frames go through PNG files in a temporary folder, removed afterwards. Falls back to MPEG-4 Part 2 when this
 * ffmpeg has no libx264.
 */
export async function writeVideo(
  frames: RgbImage[],
  out: string,
  options: WriteVideoOptions = {},
): Promise<{ file: string; frames: number; fps: number; codec: string }> {
  if (!Array.isArray(frames) || frames.length === 0) throw invalidArgument('frames', 'at least one frame', frames);
  const fps = expectPositiveInt('fps', options.fps ?? 8, 120);
  const { width, height } = frames[0];
  if (frames.some((f) => f.width !== width || f.height !== height))
    throw invalidArgument('frames', `frames of one size (${width}×${height})`, 'frames of several sizes');
  const side = options.size;
  if (side !== undefined && (!Number.isInteger(side) || side < 16 || side % 2))
    throw invalidArgument('size', 'an even number of pixels ≥ 16', side);
  if (side === undefined && (width % 2 || height % 2))
    throw invalidArgument('frames', 'even width and height (yuv420p), or a size', `${width}×${height}`);
  const { ffmpeg } = await locateFfmpeg();
  const dir = await mkdtemp(join(tmpdir(), 'rosetta-video-'));
  try {
    await Promise.all(
      frames.map(async (f, i) => {
        let img = sharp(Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength), { raw: { width, height, channels: 3 } });
        if (side !== undefined) img = img.resize(side, side, { kernel: 'nearest' });
        await writeFile(join(dir, `f${String(i).padStart(5, '0')}.png`), await img.png().toBuffer());
      }),
    );
    const args = (codec: string) => [
      '-hide_banner',
      '-nostdin',
      '-y',
      '-framerate',
      String(fps),
      '-i',
      join(dir, 'f%05d.png'),
      '-c:v',
      codec,
      '-pix_fmt',
      'yuv420p',
      ...(codec === 'libx264' ? ['-crf', '18'] : ['-q:v', '2']),
      '-movflags',
      '+faststart',
      '-progress',
      'pipe:1',
      '-nostats',
      out,
    ];
    for (const codec of ['libx264', 'mpeg4']) {
      try {
        await runMediaProgram(ffmpeg, args(codec), { file: out, stallTimeoutMs: 120_000, signal: options.signal });
        return { file: out, frames: frames.length, fps, codec };
      } catch (error) {
        if (codec === 'mpeg4' || (RosettaError.is(error) && error.code === ErrorCodes.ABORTED)) throw error;
      }
    }
    throw new RosettaError(ErrorCodes.INTERNAL, `ffmpeg wrote no video to ${out}`, { file: out });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
