import { stat } from 'node:fs/promises';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { locateFfmpeg } from './locate.js';
import { runMediaProgram, type MediaProcessOptions } from './process.js';

export interface VideoStreamInfo {
  /** ffprobe's codec name (`h264`, `vp9`…), `unknown` when it cannot name it. */
  codec: string;
  /** Displayed size: already swapped for a 90°/270° rotation, as ffmpeg's autorotation outputs it. */
  width: number;
  height: number;
  /** Average frame rate; 0 when unknown. */
  fps: number;
  /** Rotation from the display matrix, in degrees (0, 90, 180, 270). */
  rotation: number;
}

export interface AudioStreamInfo {
  codec: string;
  sampleRate: number;
  channels: number;
}

/** What ffprobe says about a file. Cover art (an attached picture in an mp3/m4a) does not count as video. */
export interface MediaProbe {
  file: string;
  /** Seconds; 0 when the container does not say (e.g. a raw stream). */
  duration: number;
  /** Container start time in seconds (frame timestamps begin here; usually 0, e.g. 1.4 in MPEG-TS). */
  startTime: number;
  /** Container format names, e.g. `mov,mp4,m4a,3gp,3g2,mj2`, `wav`, `matroska,webm`. */
  format: string;
  streams: { video?: VideoStreamInfo; audio?: AudioStreamInfo };
}

export type ProbeOptions = Pick<MediaProcessOptions, 'signal' | 'timeoutMs' | 'stallTimeoutMs'>;

interface RawStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
}

/**
 * Probes a media file with ffprobe: duration, container and the first video and audio streams.
 * Fails with MEDIA_UNREADABLE (missing), MEDIA_EMPTY (zero bytes), MEDIA_CORRUPT (not media), MEDIA_TIMEOUT (hang; 20 s default).
 * @example const { duration, streams } = await probeMedia('talk.mp4'); if (!streams.audio) …
 */
export async function probeMedia(file: string, options: ProbeOptions = {}): Promise<MediaProbe> {
  await checkReadableFile(file);
  const engine = await locateFfmpeg();
  const out = await runMediaProgram(engine.ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '--', file], {
    file,
    timeoutMs: options.timeoutMs ?? 20_000,
    stallTimeoutMs: options.stallTimeoutMs ?? 0,
    signal: options.signal,
  });
  let json: { format?: { format_name?: string; duration?: string; start_time?: string }; streams?: RawStream[] };
  try {
    json = JSON.parse(out.toString('utf8'));
  } catch (cause) {
    throw new RosettaError(ErrorCodes.MEDIA_CORRUPT, `ffprobe returned unreadable output for ${file}`, { file, cause });
  }
  const streams = json.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const a = streams.find((s) => s.codec_type === 'audio');
  if (!v && !a) {
    throw new RosettaError(
      ErrorCodes.MEDIA_NO_STREAM,
      `${file} has neither an audio nor a video stream (format: ${json.format?.format_name ?? 'unknown'})`,
      { file, hint: 'check it is an audio or video file; images and subtitles are read by other readers' },
    );
  }
  const durations = [json.format?.duration, v?.duration, a?.duration].map(Number).filter((d) => Number.isFinite(d) && d > 0);
  const startTime = Number(json.format?.start_time);
  const result: MediaProbe = {
    file,
    duration: durations[0] ?? 0,
    startTime: Number.isFinite(startTime) ? startTime : 0,
    format: json.format?.format_name ?? 'unknown',
    streams: {},
  };
  if (v) {
    const rotation =
      ((Math.round(Number(v.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? v.tags?.rotate ?? 0)) % 360) + 360) % 360;
    const swap = rotation === 90 || rotation === 270;
    result.streams.video = {
      codec: v.codec_name ?? 'unknown',
      width: (swap ? v.height : v.width) ?? 0,
      height: (swap ? v.width : v.height) ?? 0,
      fps: rate(v.avg_frame_rate) || rate(v.r_frame_rate),
      rotation,
    };
  }
  if (a) result.streams.audio = { codec: a.codec_name ?? 'unknown', sampleRate: Number(a.sample_rate) || 0, channels: a.channels ?? 0 };
  return result;
}

/** Rejects a missing, unreadable or zero-byte regular file before any process starts. FIFOs and devices pass through. */
export async function checkReadableFile(file: string): Promise<void> {
  let info;
  try {
    info = await stat(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new RosettaError(
      ErrorCodes.MEDIA_UNREADABLE,
      `Cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(cause))}`,
      { file, cause, hint: 'check the path and permissions' },
    );
  }
  if (info.isDirectory())
    throw new RosettaError(ErrorCodes.MEDIA_UNREADABLE, `${file} is a directory, not a media file`, { file, hint: 'pass a file' });
  if (info.isFile() && info.size === 0) {
    throw new RosettaError(ErrorCodes.MEDIA_EMPTY, `${file} is empty (0 bytes)`, {
      file,
      hint: 'the file was not fully written or downloaded; fetch it again',
    });
  }
}

function rate(text: string | undefined): number {
  if (!text) return 0;
  const [n, d] = text.split('/').map(Number);
  const value = d ? n / d : n;
  return Number.isFinite(value) ? value : 0;
}
