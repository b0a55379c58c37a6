import type { MediaInput, Modality, SegmentKind } from '../types.js';
import type { SearchFilter } from '../store/vector-store.js';

/** What to look for: words, a reference image or sound, or a weighted mix of them. */
export interface QueryParts {
  text?: string;
  image?: MediaInput;
  audio?: MediaInput;
  /** Relative weight of each part in a composed query (default 1 each). */
  weights?: { text?: number; image?: number; audio?: number };
}

export type SearchQuery = string | QueryParts;

export type FusionMethod = 'rrf' | 'max-score';

export interface SearchOptions {
  /** Results wanted (default 10). */
  k?: number;
  filter?: SearchFilter;
  /** Shorthand for filter.modality. */
  in?: Modality[];
  /** Only these space ids (default: every space that can encode the whole query). */
  spaces?: string[];
  /** How results from several spaces merge: reciprocal rank fusion (default) or the best cosine. */
  fusion?: FusionMethod;
  /**
   * Also rank segment text (captions, chunks, transcripts) by keywords, fused with the vectors. Words read in
   * pictures (`index --ocr`) take part with or without it, as their own list.
   */
  hybrid?: boolean;
  /** Apply the collection's trained adapters to text queries (default true when one exists). */
  adapter?: boolean;
  /**
   * Only moments where someone speaks: audio/video hits are kept when they overlap the speech regions found by
   * `index --speech` (items not read for speech are left out). Default false.
   */
  speech?: boolean;
  /** Merge hits in one audio/video item closer than this many seconds into one moment (default 1). */
  momentGapSeconds?: number;
}

export interface SearchResult {
  rank: number;
  /** The fused score: RRF with several lists, else the cosine similarity. */
  score: number;
  /** Best cosine similarity among the spaces that found it. */
  similarity: number;
  path: string;
  locations: string[];
  modality: Modality;
  kind: SegmentKind;
  itemHash: string;
  segmentId: string;
  t0?: number;
  t1?: number;
  text?: string;
  /** The space that ranked it highest, and every space that found it. */
  space: string;
  spaces: string[];
  /** `path#t=12.5,18.0` for moments (a media-fragment URI), else the path. */
  ref: string;
  tags: string[];
  /**
   * For a hit on text read in a picture (`kind: 'ocr'`, from `index --ocr`): where that line is, in pixels
   * of the picture (or of the video frame) that is `width` × `height`.
   */
  box?: { corners: [number, number][]; bounds: [number, number, number, number]; width?: number; height?: number; t?: number };
}
