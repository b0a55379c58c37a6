import type { Space } from '../../spaces/space.js';
import type { PcmAudio, RgbImage } from '../../types.js';
import type { DatasetIssue } from '../../datasets/types.js';
import { readPairs, type MediaTextPair } from '../../datasets/pairs.js';
import { readImage } from '../../media/image/read-image.js';
import { readAudio } from '../../media/audio/read-audio.js';
import { dot } from '../../vectors/vector-math.js';
import { derangement, seededRandom } from '../../util/random.js';
import { embedAudioWith, embedImagesWith } from '../embed.js';
import { clipScore } from '../../vectors/scores.js';
import { calibrateThreshold, type Calibration } from './calibration.js';
import { batchesOf } from '../../util/batches.js';

export interface ScoredPair extends MediaTextPair {
  cosine: number;
  /** CLIPScore, 2.5 · max(cos, 0). */
  score: number;
}

export interface PairScoringOptions {
  /** Items decoded and embedded per batch (default 32). */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  /** Decoder for images (default: the media module's readImage, as indexing decodes them). */
  loadImage?: (path: string) => Promise<RgbImage>;
  /** Decoder for audio (default: the media module's readAudio at the space's sample rate: WAV, or anything ffmpeg reads). */
  loadAudio?: (path: string) => Promise<PcmAudio>;
}

export interface ScorePairsResult {
  space: string;
  pairs: ScoredPair[];
  issues: DatasetIssue[];
}

interface Embedded {
  pair: MediaTextPair;
  media: Float32Array;
  text: Float32Array;
}

async function embedPairs(
  space: Space,
  pairs: MediaTextPair[],
  source: string,
  options: PairScoringOptions,
): Promise<{ rows: Embedded[]; issues: DatasetIssue[] }> {
  const batchSize = options.batchSize ?? 32;
  const loadImage = options.loadImage ?? ((p: string) => readImage(p));
  const loadAudio = options.loadAudio ?? ((p: string) => readAudio(p, space.audioSampleRate ?? 48_000));
  const rows: Embedded[] = [];
  const issues: DatasetIssue[] = [];
  for (const { items: batch, end } of batchesOf(pairs, batchSize)) {
    for (const modality of ['image', 'audio'] as const) {
      const items = batch.filter((p) => p.modality === modality);
      const decoded: { pair: MediaTextPair; media: RgbImage | PcmAudio }[] = [];
      for (const pair of items) {
        try {
          decoded.push({ pair, media: modality === 'image' ? await loadImage(pair.path) : await loadAudio(pair.path) });
        } catch (err) {
          issues.push({ file: source, row: pair.row, reason: (err as Error).message.split('\n')[0] });
        }
      }
      if (decoded.length === 0) continue;
      const media =
        modality === 'image'
          ? await embedImagesWith(
              space,
              decoded.map((d) => d.media as RgbImage),
            )
          : await embedAudioWith(
              space,
              decoded.map((d) => d.media as PcmAudio),
            );
      const texts = await space.embedTexts(decoded.map((d) => d.pair.text));
      decoded.forEach((d, k) => rows.push({ pair: d.pair, media: media[k], text: texts[k] }));
    }
    options.onProgress?.(end, pairs.length);
  }
  rows.sort((a, b) => a.pair.row - b.pair.row);
  return { rows, issues };
}

async function resolvePairs(input: string | MediaTextPair[]): Promise<{ source: string; pairs: MediaTextPair[]; issues: DatasetIssue[] }> {
  if (typeof input !== 'string') return { source: '(pairs)', pairs: input, issues: [] };
  const read = await readPairs(input);
  return { source: input, pairs: read.pairs, issues: read.issues };
}

const toScored = (r: Embedded): ScoredPair => {
  const cosine = dot(r.media, r.text);
  return { ...r.pair, cosine, score: clipScore(cosine) };
};

/**
 * Batch mode of `score`: CLIPScore for every pair of a JSONL/CSV pairs file (or an array of pairs).
 * Rows that cannot be read or decoded are listed in `issues` and skipped.
 */
export async function scorePairs(
  space: Space,
  input: string | MediaTextPair[],
  options: PairScoringOptions = {},
): Promise<ScorePairsResult> {
  const { source, pairs, issues } = await resolvePairs(input);
  const embedded = await embedPairs(space, pairs, source, options);
  return { space: space.id, pairs: embedded.rows.map(toScored), issues: [...issues, ...embedded.issues] };
}

export interface CheckOptions extends PairScoringOptions {
  /** A fixed CLIPScore threshold; by default it is calibrated on the data (see `Calibration.method`). */
  threshold?: number;
  /** Seed of the derangement used for shuffled pairs (default 0). */
  seed?: number;
}

export interface CheckResult {
  space: string;
  /** Threshold used per modality, and where it came from. */
  thresholds: Partial<Record<'image' | 'audio', { value: number; source: 'given' | 'calibrated' }>>;
  /** Calibration per modality (present when at least two pairs of that modality were scored). */
  calibration: Partial<Record<'image' | 'audio', Calibration>>;
  pairs: (ScoredPair & { flagged: boolean })[];
  /** Flagged pairs, lowest score first. */
  flagged: (ScoredPair & { flagged: boolean })[];
  issues: DatasetIssue[];
}

/**
 * Flags mismatched pairs: each pair's CLIPScore is compared with a threshold calibrated on matched pairs versus
 * the same items with their texts shuffled by a seeded derangement (the threshold maximising balanced
 * accuracy), unless `threshold` is given.
 */
export async function check(space: Space, input: string | MediaTextPair[], options: CheckOptions = {}): Promise<CheckResult> {
  const { source, pairs, issues } = await resolvePairs(input);
  const embedded = await embedPairs(space, pairs, source, options);
  const result: CheckResult = {
    space: space.id,
    thresholds: {},
    calibration: {},
    pairs: [],
    flagged: [],
    issues: [...issues, ...embedded.issues],
  };
  for (const modality of ['image', 'audio'] as const) {
    const rows = embedded.rows.filter((r) => r.pair.modality === modality);
    if (rows.length === 0) continue;
    if (rows.length >= 2) {
      const perm = derangement(rows.length, seededRandom(options.seed ?? 0));
      const matched = rows.map((r) => clipScore(dot(r.media, r.text)));
      const shuffled = rows.map((r, k) => clipScore(dot(r.media, rows[perm[k]].text)));
      result.calibration[modality] = calibrateThreshold(matched, shuffled);
    }
    const threshold = options.threshold ?? result.calibration[modality]?.threshold;
    if (threshold === undefined) {
      result.issues.push({ file: source, reason: `only one ${modality} pair: cannot calibrate a threshold; pass one with threshold` });
      continue;
    }
    result.thresholds[modality] = { value: threshold, source: options.threshold === undefined ? 'calibrated' : 'given' };
    for (const r of rows) {
      const scored = toScored(r);
      result.pairs.push({ ...scored, flagged: scored.score < threshold });
    }
  }
  result.pairs.sort((a, b) => a.row - b.row);
  result.flagged = result.pairs.filter((p) => p.flagged).sort((a, b) => a.score - b.score);
  return result;
}
