import { availableParallelism } from 'node:os';
import { expectOneOf, expectPositiveInt, invalidArgument } from '../../../util/validate.js';

/** How vectors are held inside the graph. f16 halves memory and build time at no measured recall cost on unit vectors. */
export type AnnQuantization = 'f32' | 'f16' | 'i8';
export const ANN_QUANTIZATIONS: readonly AnnQuantization[] = ['f32', 'f16', 'i8'];

/**
 * The in-process ANN index (usearch HNSW) kept beside each LanceDB vector table. Figures behind the
 * defaults: BENCHMARKS.md, "Vector search at a million".
 */
export interface AnnSettings {
  /** Scalar type of the vectors inside the graph. Default f16. */
  quantization: AnnQuantization;
  /** HNSW neighbours per node (M). Default 16. */
  connectivity: number;
  /** Candidate list while inserting (efConstruction): the main build-cost knob. Default 64. */
  expansionAdd: number;
  /** Candidate list while searching (ef); a search for more than this many hits widens it to the count asked. Default 128. */
  expansionSearch: number;
  /** Threads for building; searches use one thread each. Default: every core. */
  threads: number;
  /**
   * A filter that allows at most this many rows is answered by an exact scan of them (their vectors are
   * cached with the filter); above it the graph's candidates are restricted to the allowed rows. Default 20,000.
   */
  exactFilterRows: number;
  /**
   * A table with more vector components than this (rows × dim) is indexed in a worker thread, which keeps
   * searches answering meanwhile but costs ~50 MB to start; a smaller one on the calling thread (at most a
   * few seconds). Default 4,000,000 (8k rows of 512-d).
   */
  workerBuildFloats: number;
}

export const DEFAULT_ANN: Readonly<AnnSettings> = Object.freeze({
  quantization: 'f16',
  connectivity: 16,
  expansionAdd: 64,
  expansionSearch: 128,
  threads: availableParallelism(),
  exactFilterRows: 20_000,
  workerBuildFloats: 4_000_000,
});

/** Checks user-given settings at the door and layers them over the defaults. */
export function resolveAnnSettings(given: Partial<AnnSettings> | undefined): AnnSettings {
  if (given !== undefined && (typeof given !== 'object' || given === null))
    throw invalidArgument('ann', 'an object of ANN settings or false', given);
  const s = { ...DEFAULT_ANN, ...given };
  expectOneOf('ann.quantization', s.quantization, ANN_QUANTIZATIONS);
  expectPositiveInt('ann.connectivity', s.connectivity, 256);
  expectPositiveInt('ann.expansionAdd', s.expansionAdd, 4096);
  expectPositiveInt('ann.expansionSearch', s.expansionSearch, 4096);
  expectPositiveInt('ann.threads', s.threads, 1024);
  expectPositiveInt('ann.exactFilterRows', s.exactFilterRows, 10_000_000);
  expectPositiveInt('ann.workerBuildFloats', s.workerBuildFloats);
  return s;
}
