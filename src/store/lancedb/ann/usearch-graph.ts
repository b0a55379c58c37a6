import { createRequire } from 'node:module';
import type { Index, Matches, ScalarKind } from 'usearch';
import { toNativeKeys } from './row-keys.js';
import type { AnnSettings } from './settings.js';

// usearch's CommonJS build, not its ES module: the ES build finds its native library from a global `__dirname`
// when one exists, and `node -e` defines one ('.'), so importing the package from `node -e` overflowed the stack.
const usearch = createRequire(import.meta.url)('usearch') as typeof import('usearch').default;

/** Cosine distance (1 − cos), the same scale LanceDB's `_distance` uses, so a score is 1 − distance either way. */
const METRIC = usearch.MetricKind.Cos;

/** Inserts per native call: big enough to use every thread, small enough to yield between chunks. */
export const ADD_CHUNK = 2048;

export interface GraphHits {
  keys: number[];
  distances: Float32Array;
}

/** A thin wrapper over one usearch HNSW index: number keys in, number keys out, the settings applied in one place. */
export class UsearchGraph {
  private constructor(
    private readonly native: Index,
    readonly dim: number,
  ) {}

  static create(dim: number, s: AnnSettings): UsearchGraph {
    return new UsearchGraph(
      new usearch.Index({
        dimensions: dim,
        metric: METRIC,
        quantization: s.quantization as ScalarKind,
        connectivity: s.connectivity,
        expansion_add: s.expansionAdd,
        expansion_search: s.expansionSearch,
        multi: false,
      }),
      dim,
    );
  }

  /**
   * Loads a saved index. usearch takes dimensions, metric and quantization from the file and
   * `expansion_search` from the settings, so the dimension is checked here.
   */
  static load(path: string, dim: number, s: AnnSettings): UsearchGraph {
    const graph = UsearchGraph.create(dim, s);
    graph.native.load(path);
    if (graph.native.dimensions() !== dim)
      throw new Error(`index file ${path} holds ${graph.native.dimensions()}-d vectors, the table ${dim}-d`);
    return graph;
  }

  get size(): number {
    return this.native.size();
  }

  /** Adds vectors (`keys.length × dim` floats); blocking, on `threads` native threads. */
  add(keys: ArrayLike<number>, vectors: Float32Array, threads: number): void {
    if (keys.length === 0) return;
    this.native.add(toNativeKeys(keys), vectors, threads);
  }

  remove(keys: ArrayLike<number>): void {
    if (keys.length) this.native.remove(toNativeKeys(keys));
  }

  contains(keys: ArrayLike<number>): boolean[] {
    if (!keys.length) return [];
    return this.native.contains(toNativeKeys(keys)) as boolean[];
  }

  /** The `wanted` nearest keys, on the calling thread (a search is ~1 ms; threads would cost more to start). */
  search(query: Float32Array, wanted: number): GraphHits {
    if (this.size === 0) return { keys: [], distances: new Float32Array(0) };
    const m = this.native.search(query, wanted, 1);
    return { keys: Array.from(m.keys, Number), distances: m.distances };
  }

  save(path: string): void {
    this.native.save(path);
  }
}

/** usearch's exact search reads a typed array's whole buffer from its start: views are copied first. */
const own = (a: Float32Array) => (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice());

/** Exact top-`k` over a block of `n × dim` vectors (SIMD, one thread): offsets into the block and cosine distances. */
export function exactNearest(
  block: Float32Array,
  dim: number,
  query: Float32Array,
  k: number,
): { offsets: number[]; distances: Float32Array } {
  const n = block.length / dim;
  if (n === 0) return { offsets: [], distances: new Float32Array(0) };
  const m = usearch.exactSearch(own(block), own(query), dim, Math.min(k, n), METRIC, 1) as Matches;
  return { offsets: Array.from(m.keys, Number), distances: m.distances };
}
