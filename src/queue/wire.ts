import type { PendingCommit } from '../ingest/index-paths.js';
import type { VectorRecord } from '../store/vector-store.js';

/** A pending commit as JSON for a commit job: vectors as base64 little-endian float32. */
export type WireCommit = Omit<PendingCommit, 'commit'> & {
  commit: Omit<PendingCommit['commit'], 'vectors'> & { vectors: Record<string, { segmentId: string; itemHash: string; vector: string }[]> };
};

export function toWire(p: PendingCommit): WireCommit {
  const vectors = Object.fromEntries(
    Object.entries(p.commit.vectors).map(([space, list]) => [
      space,
      list.map((v) => ({
        segmentId: v.segmentId,
        itemHash: v.itemHash,
        vector: Buffer.from(v.vector.buffer, v.vector.byteOffset, v.vector.byteLength).toString('base64'),
      })),
    ]),
  );
  return { ...p, commit: { ...p.commit, vectors } };
}

export function fromWire(w: WireCommit): PendingCommit {
  const vectors: Record<string, VectorRecord[]> = Object.fromEntries(
    Object.entries(w.commit.vectors).map(([space, list]) => [
      space,
      list.map((v) => {
        const bytes = Buffer.from(v.vector, 'base64');
        // Copy into an aligned buffer: a Float32Array view needs a 4-byte-aligned offset.
        return { segmentId: v.segmentId, itemHash: v.itemHash, vector: new Float32Array(new Uint8Array(bytes).buffer) };
      }),
    ]),
  );
  return { ...w, commit: { ...w.commit, vectors } };
}
