import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { SearchFilter, VectorStore } from '../store/vector-store.js';
import { segmentKinds } from '../modalities/index.js';
import type { SegmentKind } from '../types.js';
import type { RankedList } from './fuse.js';

/**
 * How much a line that holds every word of the query counts in the fusion: as much as two lists agreeing, so it
 * outranks the top of any single vector list; a line holding under half of the query's words does not.
 */
export const WORDS_IN_PICTURES_WEIGHT = 2;

/**
 * Every segment kind but OCR lines (from the modality registry, so a registered modality's kinds are in):
 * what vector and keyword lists rank while OCR lines have their own list.
 */
export function kindsButOcr(): SegmentKind[] {
  return segmentKinds().filter((k) => k !== 'ocr');
}

/** Words as compared here: letters and digits, lower case, accents folded (`Straße` → `strasse`, `Café` → `cafe`). */
export function wordsOf(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** The share of the query's distinct words that the line holds, 0–1. */
export function wordCoverage(queryWords: readonly string[], line: string): number {
  const distinct = [...new Set(queryWords)];
  if (distinct.length === 0) return 0;
  const held = new Set(wordsOf(line));
  return distinct.filter((w) => held.has(w)).length / distinct.length;
}

/**
 * The words-in-pictures list: lines read in pictures and video keyframes (`index --ocr`) that hold the query's
 * words, found by the keyword index, ranked by the share of the query's words they hold (then BM25), each
 * weighted by that share × WORDS_IN_PICTURES_WEIGHT in the rank fusion. OCR lines take part in search only
 * this way, not by the cosine of their text vectors: text–text cosines run higher than text–image ones, so a
 * picture with any text would outrank pictures without text for an unrelated query.
 * Undefined when the store has no keyword index (Milvus): search then ranks OCR lines by cosine, as before.
 */
export async function wordsInPicturesList(
  store: VectorStore,
  text: string,
  k: number,
  filter: SearchFilter,
): Promise<(RankedList & { itemOf: Map<string, string> }) | undefined> {
  let hits;
  try {
    hits = await store.searchText(text, { k, filter: { ...filter, kinds: ['ocr'] } });
  } catch (error) {
    if (RosettaError.is(error) && error.code === ErrorCodes.UNSUPPORTED) return undefined;
    throw error;
  }
  const words = wordsOf(text);
  // The lines' text comes with the hits where the store gives it; only the others are read (none when no line matched).
  const lines = new Map(hits.flatMap((h) => (h.text !== undefined ? [[h.segmentId, h.text] as const] : [])));
  const unread = hits.filter((h) => h.text === undefined).map((h) => h.segmentId);
  if (unread.length) for (const s of await store.getSegments(unread)) lines.set(s.id, s.text ?? '');
  const ranked = hits
    .map((h, bm25Rank) => ({ key: h.segmentId, coverage: wordCoverage(words, lines.get(h.segmentId) ?? ''), bm25Rank }))
    .filter((h) => h.coverage > 0)
    .sort((a, b) => b.coverage - a.coverage || a.bm25Rank - b.bm25Rank);
  return {
    source: 'words in pictures',
    hits: ranked.map((h) => ({ key: h.key, score: h.coverage, weight: WORDS_IN_PICTURES_WEIGHT * h.coverage })),
    itemOf: new Map(hits.map((h) => [h.segmentId, h.itemHash])),
  };
}
