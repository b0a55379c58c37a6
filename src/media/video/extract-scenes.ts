import type { RgbImage } from '../../types.js';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { expectNumberIn, expectPositiveInt } from '../../util/validate.js';
import { locateFfmpeg } from '../ffmpeg/locate.js';
import { probeMedia } from '../ffmpeg/probe.js';
import { MediaProcess } from '../ffmpeg/process.js';
import type { StreamDecodeOptions } from '../ffmpeg/stream-options.js';
import { FrameMetadataLog, type SelectedFrame } from './frame-metadata.js';

export interface Keyframe {
  /** Media time of the frame, in seconds from the start. */
  t: number;
  image: RgbImage;
}

/** A span of video between two cuts (or a piece of a long shot), with the frames sampled inside it. */
export interface VideoScene {
  index: number;
  t0: number;
  t1: number;
  /** True when the scene begins at a detected cut (or the start); false when it continues a shot longer than maxSceneSeconds. */
  startsAtCut: boolean;
  /** The frame at the cut, then one at least every `sampleEverySeconds`. Never empty. */
  keyframes: Keyframe[];
}

/** `onProgress` is called after each sampled frame. */
export interface ExtractScenesOptions extends StreamDecodeOptions {
  /**
   * Scene-change score (0–1, ffmpeg's `scene`, computed on yuv420p as ffmpeg's own CLI does) above which a frame
   * starts a new scene. Default 0.2: hard cuts between similar-looking shots score 0.23–0.33 here, camera motion
   * stays under 0.1; raise it (0.3–0.4) for shaky or noisy footage.
   */
  threshold?: number;
  /** Longest gap between sampled frames: a static shot still gets a frame this often. Default 2 s. */
  sampleEverySeconds?: number;
  /** A shot longer than this is split into scenes of at most this length (plus one frame), bounding memory. Default 30 s. */
  maxSceneSeconds?: number;
  /** Frames are scaled in ffmpeg so their short side is this many pixels (never upscaled). Default 224. */
  shortSide?: number;
}

/**
 * Streams a video's scenes: ffmpeg decodes once, scores scene changes with its `select` filter, keeps the frames
 * at cuts plus one every `sampleEverySeconds`, scales them (short side `shortSide`) and writes RGB on a pipe; the
 * frames' times come from `metadata=print` on stderr. Scenes are yielded as soon as the next one starts, so at most
 * maxSceneSeconds / sampleEverySeconds + 1 frames are held. Scenes tile [0, duration] without gaps.
 * @example for await (const scene of extractScenes('film.mp4')) index(scene.t0, scene.t1, scene.keyframes);
 */
export async function* extractScenes(file: string, options: ExtractScenesOptions = {}): AsyncGenerator<VideoScene> {
  const threshold = expectNumberIn('threshold', options.threshold ?? 0.2, 0, 1);
  const every = expectNumberIn('sampleEverySeconds', options.sampleEverySeconds ?? 2, 0.04, 3600);
  const maxScene = expectNumberIn('maxSceneSeconds', options.maxSceneSeconds ?? 30, every, 86_400);
  const shortSide = expectPositiveInt('shortSide', options.shortSide ?? 224, 4096);
  const probe = options.probe ?? (await probeMedia(file, { signal: options.signal }));
  const video = probe.streams.video;
  if (!video) {
    throw new RosettaError(
      ErrorCodes.MEDIA_NO_STREAM,
      `${file} has no video track (streams: ${probe.streams.audio ? `audio ${probe.streams.audio.codec}` : 'none'})`,
      { file, hint: 'index it as audio only (its windows), or pick a file with pictures' },
    );
  }
  if (!video.width || !video.height) {
    throw new RosettaError(ErrorCodes.MEDIA_CORRUPT, `${file}: its video stream has no frame size (${video.codec})`, {
      file,
      hint: 'check it plays; re-encode it with ffmpeg',
    });
  }
  const { width, height } = frameSize(video.width, video.height, shortSide);
  const frameBytes = width * height * 3;

  const engine = await locateFfmpeg();
  const log = new FrameMetadataLog();
  const select = `isnan(prev_selected_t)+gt(scene,${threshold})+gte(t-prev_selected_t,${every})`;
  const args = [
    '-nostdin',
    '-hide_banner',
    '-nostats',
    '-loglevel',
    'info',
    '-i',
    file,
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    // Scene scores are computed on yuv420p: left free, format negotiation would convert every decoded frame to
    // rgb24 before `select` (3× the CPU); only the kept frames are converted, at the end.
    '-vf',
    `scale=${width}:${height}:flags=bilinear,format=yuv420p,select='${select}',metadata=print,format=rgb24`,
    ...((engine.major ?? 0) >= 5 ? ['-fps_mode', 'passthrough'] : ['-vsync', '0']),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
  const proc = new MediaProcess(engine.ffmpeg, args, {
    file,
    signal: options.signal,
    stallTimeoutMs: options.stallTimeoutMs,
    timeoutMs: options.timeoutMs,
    onStderrLine: (line) => log.accept(line),
  });

  const builder = new SceneBuilder(threshold, maxScene, every);
  const pending: Uint8Array[] = [];
  let frame = new Uint8Array(frameBytes);
  let filled = 0;
  const drain = function* (): Generator<VideoScene> {
    while (pending.length) {
      const meta: SelectedFrame | undefined = log.take();
      if (!meta) {
        if (pending.length > 256)
          throw new RosettaError(ErrorCodes.MEDIA_CORRUPT, `ffmpeg wrote frames of ${file} without their timestamps`, { file });
        return;
      }
      const t = Math.max(0, meta.t - probe.startTime);
      const image: RgbImage = { data: pending.shift()!, width, height, channels: 3 };
      const closed = builder.add(t, meta.score ?? 0, image);
      options.onProgress?.(t);
      if (closed) yield closed;
    }
  };

  for await (const chunk of proc.chunks()) {
    for (let offset = 0; offset < chunk.length;) {
      const take = Math.min(frameBytes - filled, chunk.length - offset);
      frame.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === frameBytes) {
        pending.push(frame);
        frame = new Uint8Array(frameBytes);
        filled = 0;
      }
    }
    yield* drain();
  }
  log.end();
  yield* drain();
  const last = builder.finish(Math.max(0, probe.duration - probe.startTime), video.fps);
  if (!last) {
    throw new RosettaError(ErrorCodes.MEDIA_EMPTY, `${file} has a video track but ffmpeg decoded no frames from it`, {
      file,
      hint: 'the video is empty or cut off; check it plays, or re-encode it',
    });
  }
  options.onProgress?.(last.t1);
  yield last;
}

/** Output size: short side `shortSide` (never upscaled), aspect kept, long side at most 4× the short side. */
export function frameSize(w: number, h: number, shortSide: number): { width: number; height: number } {
  const scale = Math.min(1, shortSide / Math.min(w, h));
  const short = Math.max(1, Math.round(Math.min(w, h) * scale));
  const long = Math.max(1, Math.min(4 * short, Math.round(Math.max(w, h) * scale)));
  return w >= h ? { width: long, height: short } : { width: short, height: long };
}

/** Groups sampled frames into scenes: a new scene at each cut and whenever a shot passes maxSceneSeconds. */
class SceneBuilder {
  private current: VideoScene | undefined;
  private index = 0;
  private lastT = 0;

  constructor(
    private readonly threshold: number,
    private readonly maxSceneSeconds: number,
    private readonly every: number,
  ) {}

  add(t: number, score: number, image: RgbImage): VideoScene | undefined {
    this.lastT = Math.max(this.lastT, t);
    const cut = score > this.threshold;
    // Split before the next sample (≤ `every` away) would carry the scene past maxSceneSeconds.
    if (this.current && !cut && t + this.every - this.current.t0 <= this.maxSceneSeconds + 1e-6) {
      this.current.keyframes.push({ t, image });
      return undefined;
    }
    const closed = this.current;
    if (closed) closed.t1 = t;
    this.current = { index: this.index++, t0: closed ? t : 0, t1: t, startsAtCut: !closed || cut, keyframes: [{ t, image }] };
    return closed;
  }

  finish(duration: number, fps: number): VideoScene | undefined {
    if (!this.current) return undefined;
    this.current.t1 = Math.max(duration, this.lastT + (fps > 0 ? 1 / fps : 0));
    return this.current;
  }
}
