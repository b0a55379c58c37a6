import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { decodeAudioWindows } from '../media/audio/index.js';
import { probeMedia } from '../media/ffmpeg/index.js';
import { extractScenes } from '../media/video/extract-scenes.js';
import { meanNormalised } from '../vectors/vector-math.js';
import type { Space } from '../spaces/space.js';
import type { SegmentRecord, VectorRecord } from '../store/vector-store.js';
import { segmentId } from '../store/keys.js';
import type { PcmAudio } from '../types.js';
import type { PreparedFile } from './prepare-file.js';

export interface TimedEncoding {
  segments: SegmentRecord[];
  vectors: Record<string, VectorRecord[]>;
  duration?: number;
  width?: number;
  height?: number;
}

export interface TimedOptions {
  signal?: AbortSignal;
  onMediaProgress?: (mediaSeconds: number, duration?: number) => void;
  /** Audio windows encoded together. */
  audioBatch?: number;
}

/**
 * Encodes audio and video by streaming them: audio windows into every audio space; video scenes
 * (keyframe vectors averaged per scene) into every image space, and the video's own audio track as
 * audio windows of the same item. Memory stays at one batch of windows or one scene.
 */
export async function encodeTimedMedia(p: PreparedFile, spaces: Space[], options: TimedOptions = {}): Promise<TimedEncoding> {
  const path = p.file.path;
  const probe = await probeMedia(path, { signal: options.signal });
  const out: TimedEncoding = {
    segments: [],
    vectors: {},
    duration: probe.duration,
    width: probe.streams.video?.width,
    height: probe.streams.video?.height,
  };
  const audioSpaces = spaces.filter((s) => s.modalities.includes('audio'));
  const imageSpaces = spaces.filter((s) => s.modalities.includes('image'));
  const push = (spaceId: string, rec: VectorRecord) => (out.vectors[spaceId] ??= []).push(rec);

  if (p.type.modality === 'video') {
    if (!probe.streams.video)
      throw new RosettaError(ErrorCodes.MEDIA_NO_STREAM, `${path} has no video stream`, {
        file: path,
        hint: 'index it as audio, or check the file',
      });
    if (imageSpaces.length) {
      for await (const scene of extractScenes(path, {
        signal: options.signal,
        probe,
        onProgress: (t: number) => options.onMediaProgress?.(t, probe.duration),
      })) {
        const id = segmentId(p.hash, 'scene', scene.index);
        out.segments.push({ id, itemHash: p.hash, kind: 'scene', index: scene.index, t0: scene.t0, t1: scene.t1 });
        for (const space of imageSpaces) {
          const vecs = await space.embedImages(scene.keyframes.map((k) => k.image));
          push(space.id, { segmentId: id, itemHash: p.hash, vector: meanNormalised(vecs) });
        }
      }
    }
  }
  const wantsAudio = audioSpaces.length > 0 && (p.type.modality === 'audio' || probe.streams.audio);
  if (p.type.modality === 'audio' && !probe.streams.audio) {
    throw new RosettaError(ErrorCodes.MEDIA_NO_STREAM, `${path} has no audio stream`, {
      file: path,
      hint: 'check the file plays; re-export it',
    });
  }
  if (wantsAudio) {
    for (const space of audioSpaces) {
      let index = 0;
      let batch: { t0: number; t1: number; pcm: PcmAudio }[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const vecs = await space.embedAudio(batch.map((w) => w.pcm));
        batch.forEach((w, i) => {
          const id = segmentId(p.hash, 'audio-window', index);
          if (space === audioSpaces[0]) out.segments.push({ id, itemHash: p.hash, kind: 'audio-window', index, t0: w.t0, t1: w.t1 });
          push(space.id, { segmentId: id, itemHash: p.hash, vector: vecs[i] });
          index += 1;
        });
        batch = [];
      };
      const windowSeconds = space.audioWindowSeconds ?? 10;
      for await (const w of decodeAudioWindows(path, {
        sampleRate: space.audioSampleRate ?? 48_000,
        windowSeconds,
        hopSeconds: windowSeconds / 2,
        signal: options.signal,
        probe,
        onProgress: p.type.modality === 'audio' ? (t) => options.onMediaProgress?.(t, probe.duration) : undefined,
      })) {
        batch.push(w);
        if (batch.length >= (options.audioBatch ?? 8)) await flush();
      }
      await flush();
    }
  }
  if (out.segments.length === 0) {
    throw new RosettaError(
      ErrorCodes.MEDIA_EMPTY,
      `${path} produced nothing to index (${p.type.modality} with no decodable ${p.type.modality === 'video' ? 'frames' : 'samples'}, or no space covers it)`,
      { file: path, hint: p.type.modality === 'audio' ? 'add an audio space (e.g. --model mini or a CLAP model)' : 'check the file plays' },
    );
  }
  return out;
}
