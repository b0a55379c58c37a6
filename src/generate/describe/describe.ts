import type { MediaInput, RgbImage } from '../../types.js';
import { invalidArgument } from '../../util/validate.js';
import { throwIfAborted } from '../abort.js';
import { captionBatch, type CaptionOptions } from '../caption/caption.js';
import type { TranscriptSegment } from '../engine.js';

/** A scene as the video work supplies it: a time range and its keyframe (or an existing caption). */
export interface SceneInput {
  t0: number;
  t1: number;
  keyframe?: RgbImage | MediaInput;
  caption?: string;
}

export interface TimelineEntry {
  t0: number;
  t1: number;
  /** What is seen, when the scene was captioned. */
  caption?: string;
  /** `tags` when the caption came from the zero-shot fallback. */
  captionKind?: 'caption' | 'tags';
  /** What is said during the scene (transcript segments assigned to it, joined). */
  speech: string;
}

export interface DescribeResult {
  timeline: TimelineEntry[];
  /** One line per scene: `[mm:ss–mm:ss] caption — “speech”`. */
  text: string;
}

export interface DescribeOptions extends CaptionOptions {
  /** The transcript of the video's audio (from `transcribe`), if any. */
  transcript?: readonly TranscriptSegment[];
}

function stamp(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
}

function checkRanges(parameter: string, items: ReadonlyArray<{ t0: number; t1: number }>): void {
  items.forEach((item, i) => {
    if (!(Number.isFinite(item?.t0) && Number.isFinite(item?.t1) && item.t0 >= 0 && item.t1 >= item.t0)) {
      throw invalidArgument(`${parameter}[${i}]`, 'a time range with 0 ≤ t0 ≤ t1 (seconds)', item);
    }
  });
}

/**
 * Assembles a timeline from captioned scenes and a transcript. Scenes are sorted by start; each transcript
 * segment goes to the one scene it overlaps most (ties: the earlier), so no speech is told twice; speech
 * outside every scene goes to the nearest scene.
 */
export function assembleTimeline(
  scenes: ReadonlyArray<{ t0: number; t1: number; caption?: string; captionKind?: 'caption' | 'tags' }>,
  transcript: readonly TranscriptSegment[] = [],
): DescribeResult {
  checkRanges('scenes', scenes);
  checkRanges('transcript', transcript);
  const ordered = [...scenes].sort((a, b) => a.t0 - b.t0 || a.t1 - b.t1);
  const speech: string[][] = ordered.map(() => []);
  if (ordered.length > 0) {
    for (const seg of [...transcript].sort((a, b) => a.t0 - b.t0)) {
      const text = seg.text.trim();
      if (!text) continue;
      let best = 0;
      let bestScore = -Infinity;
      ordered.forEach((scene, i) => {
        const overlap = Math.min(scene.t1, seg.t1) - Math.max(scene.t0, seg.t0);
        // Negative overlap is the gap: the nearest scene wins when none overlaps.
        if (overlap > bestScore) {
          bestScore = overlap;
          best = i;
        }
      });
      speech[best].push(text);
    }
  }
  const timeline: TimelineEntry[] = ordered.map((scene, i) => ({
    t0: scene.t0,
    t1: scene.t1,
    ...(scene.caption !== undefined ? { caption: scene.caption.trim() } : {}),
    ...(scene.captionKind ? { captionKind: scene.captionKind } : {}),
    speech: speech[i].join(' '),
  }));
  const text = timeline
    .map((e) => {
      const seen = e.caption ? (e.captionKind === 'tags' ? `[tags: ${e.caption}]` : e.caption) : '(no caption)';
      return `[${stamp(e.t0)}–${stamp(e.t1)}] ${seen}${e.speech ? ` — “${e.speech}”` : ''}`;
    })
    .join('\n');
  return { timeline, text };
}

/**
 * Describes a video from its scenes (time ranges with keyframes, from the video decoder) and its transcript:
 * keyframes without a caption are captioned in one batch, then the timeline is assembled.
 * @example
 * const { text } = await describe(scenes, { transcript: (await transcribe('clip.mp4')).segments });
 */
export async function describe(scenes: readonly SceneInput[], options: DescribeOptions = {}): Promise<DescribeResult> {
  if (!Array.isArray(scenes)) throw invalidArgument('scenes', 'an array of { t0, t1, keyframe?, caption? }', scenes);
  checkRanges('scenes', scenes);
  throwIfAborted(options.signal, 'describing the video');
  const todo = scenes.map((s, i) => ({ s, i })).filter(({ s }) => s.caption === undefined && s.keyframe !== undefined);
  const captions = new Map<number, { text: string; kind: 'caption' | 'tags' }>();
  if (todo.length > 0) {
    const out = await captionBatch(
      todo.map(({ s }) => s.keyframe as RgbImage | MediaInput),
      options,
    );
    todo.forEach(({ i }, j) => captions.set(i, { text: out[j].text, kind: out[j].kind }));
  }
  throwIfAborted(options.signal, 'describing the video');
  return assembleTimeline(
    scenes.map((s, i) => {
      const c = captions.get(i);
      return {
        t0: s.t0,
        t1: s.t1,
        caption: c?.text ?? s.caption,
        captionKind: c?.kind ?? (s.caption !== undefined ? 'caption' : undefined),
      };
    }),
    options.transcript ?? [],
  );
}
