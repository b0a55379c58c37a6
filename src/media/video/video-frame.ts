import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { locateFfmpeg } from '../ffmpeg/locate.js';
import { runMediaProgram } from '../ffmpeg/process.js';

export interface VideoFrameOptions {
  /** Width of the frame, pixels (height follows the aspect ratio). Default 320. */
  width?: number;
  /** Longest the decode may run, ms. Default 15 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * One frame of a video at `t` seconds as JPEG bytes, through ffmpeg (a media child: time-limited, reaped).
 * A missing ffmpeg is FFMPEG_MISSING with the install commands; a file ffmpeg cannot read, or with no frame
 * at `t`, is MEDIA_CORRUPT keeping ffmpeg's failure as its cause.
 */
export async function videoFrame(path: string, t: number, options: VideoFrameOptions = {}): Promise<Buffer> {
  const { ffmpeg } = await locateFfmpeg();
  const at = Math.max(0, t);
  const args = [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-ss',
    String(at),
    '-i',
    path,
    '-frames:v',
    '1',
    '-vf',
    `scale=${options.width ?? 320}:-2`,
    '-f',
    'image2pipe',
    '-vcodec',
    'mjpeg',
    'pipe:1',
  ];
  let out: Buffer;
  try {
    out = await runMediaProgram(ffmpeg, args, { file: path, timeoutMs: options.timeoutMs ?? 15_000, signal: options.signal });
  } catch (cause) {
    // ffmpeg vanished since it was found, a time-out, an abort: already coded, and said as they are.
    if (RosettaError.is(cause) && cause.code !== ErrorCodes.MEDIA_CORRUPT) throw cause;
    throw new RosettaError(ErrorCodes.MEDIA_CORRUPT, `No frame could be read at ${at}s of ${path}: ${(cause as Error).message}`, {
      file: path,
      cause,
    });
  }
  if (out.length === 0) {
    throw new RosettaError(ErrorCodes.MEDIA_CORRUPT, `${path} has no frame at ${at}s`, {
      file: path,
      hint: 'ask for a time inside the video',
    });
  }
  return out;
}
