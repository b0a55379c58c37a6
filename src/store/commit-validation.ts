import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { invalidArgument } from '../util/validate.js';
import type { ItemCommit, SegmentRecord } from './vector-store.js';

/**
 * Checks one item's commit before any store writes it: segments belong to the item, every space with vectors is
 * described, each vector names a segment of the commit and has the space's dimension.
 */
export function validateCommit(c: ItemCommit): void {
  const { item, segments, vectors, spaces } = c;
  if (!item || typeof item.hash !== 'string' || !item.hash) throw invalidArgument('item.hash', 'a non-empty string', item?.hash);
  const segIds = new Set<string>();
  for (const s of segments) {
    if (s.itemHash !== item.hash)
      throw invalidArgument(`segments[${s.id}].itemHash`, `'${item.hash}' (the item being committed)`, s.itemHash);
    segIds.add(s.id);
  }
  validateSegmentTimes(segments);
  for (const [spaceId, list] of Object.entries(vectors)) {
    const space = spaces.find((s) => s.spaceId === spaceId);
    if (!space)
      throw invalidArgument(
        'spaces',
        `an entry for space '${spaceId}', which has vectors`,
        spaces.map((s) => s.spaceId),
      );
    for (const v of list) {
      if (!segIds.has(v.segmentId)) throw invalidArgument('vectors.segmentId', 'the id of a segment in this commit', v.segmentId);
      if (v.vector.length !== space.dim)
        throw invalidArgument(`vectors[${v.segmentId}]`, `${space.dim} dimensions (space ${spaceId})`, v.vector.length);
    }
  }
}

/** Segment kinds that never carry a time range: a whole picture, a chunk of a text. Search collapses them by id alone. */
export const UNTIMED_SEGMENT_KINDS: ReadonlySet<string> = new Set(['image', 'text-chunk']);

/** Refuses a time range on a segment of an untimed kind (search relies on their having none). */
export function validateSegmentTimes(segments: SegmentRecord[]): void {
  for (const s of segments) {
    if (UNTIMED_SEGMENT_KINDS.has(s.kind) && (s.t0 !== undefined || s.t1 !== undefined)) {
      throw invalidArgument(
        `segments[${s.id}].t0/t1`,
        `no time range on a '${s.kind}' segment (times belong to scenes, audio windows, transcript, caption and OCR lines)`,
        [s.t0, s.t1],
      );
    }
  }
}

/** Validates a batch of commits: each as above, and each item at most once. */
export function validateCommits(commits: ItemCommit[]): void {
  const seen = new Set<string>();
  for (const c of commits) {
    validateCommit(c);
    if (seen.has(c.item.hash)) throw invalidArgument('commits', 'each item hash at most once per call', c.item.hash);
    seen.add(c.item.hash);
  }
}

/** The error of a store asked for a capability its backend does not have (never a silent empty answer). */
export function unsupported(store: string, capability: string, hint: string): RosettaError {
  return new RosettaError(ErrorCodes.UNSUPPORTED, `The ${store} store cannot do ${capability}`, { setting: 'store', hint });
}
