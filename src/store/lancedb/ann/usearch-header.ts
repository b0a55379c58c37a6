import { readSync } from 'node:fs';

/**
 * The layout of a usearch 2.x dense index file, checked field by field against the file's length and what the
 * table says before usearch sees the file (a forged count or dimension once made every open abort the process
 * with `std::bad_alloc`). The file is: [rows u32, bytes per vector u32], the vectors, a 64-byte head ("usearch",
 * version, metric, scalar, key and slot kinds, present/deleted counts, dimensions, multi), then the graph: a
 * 40-byte header (size, connectivity, base connectivity, max level, entry slot), one i16 level per node, and
 * each node's key, level and neighbour lists. Every size is recomputed; the file must be exactly that long.
 */
export interface UsearchFileHeader {
  rows: number;
  present: number;
  dimensions: number;
  connectivity: number;
  bytes: number;
  /** Where the vectors start, and the bytes of each (slot order). */
  matrixAt: number;
  rowBytes: number;
  scalarBytes: number;
  /** Where the nodes start, and each node's size by its level. */
  nodesAt: number;
  levels: Int16Array;
  nodeBase: number;
  nodePerLevel: number;
}

export interface UsearchExpectation {
  dim: number;
  /** Bytes per scalar of the quantization the index was built with (f32 4, f16 2, i8 1). */
  scalarBytes: number;
  connectivity: number;
  /** Vectors the key file holds: the graph must hold exactly these (deleted slots aside). */
  count: number;
}

const MAGIC = 'usearch';
const HEAD_BYTES = 64;
const GRAPH_HEADER_BYTES = 40;
/** usearch's scalar kinds for slot numbers, and their sizes. */
const SLOT_BYTES: Record<number, number> = { 15: 4, 2: 5, 14: 8 };
const SCALAR_KIND: Record<number, number> = { 4: 11, 2: 12, 1: 23 };
const KEY_KIND_U64 = 14;
const METRIC_COS = 'c'.charCodeAt(0);
/** HNSW levels are ~log_M(n): 64 is beyond any table. */
const MAX_LEVEL = 64;

/** Reads and checks the header of the usearch file open at `fd` (`size` bytes); throws an Error saying what is wrong. */
export function checkUsearchFile(fd: number, size: number, want: UsearchExpectation): UsearchFileHeader {
  const read = (offset: number, length: number): Buffer => {
    if (offset + length > size)
      throw new Error(`the file ends at ${size} bytes, before the ${length} bytes at ${offset} its header promises`);
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, offset + got);
      if (n === 0) throw new Error(`the file ended at ${offset + got} bytes`);
      got += n;
    }
    return buf;
  };
  const matrix = read(0, 8);
  const rows = matrix.readUInt32LE(0);
  const rowBytes = matrix.readUInt32LE(4);
  if (rowBytes !== want.dim * want.scalarBytes)
    throw new Error(
      `its vectors are ${rowBytes} bytes each; ${want.dim}-d at ${want.scalarBytes} bytes a number is ${want.dim * want.scalarBytes}`,
    );
  if (rows < want.count) throw new Error(`it holds ${rows} vectors, the key file ${want.count}`);
  const headAt = 8 + rows * rowBytes;
  if (headAt + HEAD_BYTES + GRAPH_HEADER_BYTES > size)
    throw new Error(`its ${rows} vectors of ${rowBytes} bytes do not fit in ${size} bytes`);
  const head = read(headAt, HEAD_BYTES);
  if (head.toString('latin1', 0, 7) !== MAGIC) throw new Error('its head does not start with "usearch"');
  if (head.readUInt16LE(7) !== 2) throw new Error(`it is of usearch format ${head.readUInt16LE(7)}, this version reads 2`);
  if (head[13] !== METRIC_COS) throw new Error(`its metric is '${String.fromCharCode(head[13])}', not cosine`);
  if (head[14] !== SCALAR_KIND[want.scalarBytes])
    throw new Error(`its scalar kind is ${head[14]}, the settings ask for ${SCALAR_KIND[want.scalarBytes]}`);
  if (head[15] !== KEY_KIND_U64) throw new Error(`its key kind is ${head[15]}, not 64-bit`);
  const slotBytes = SLOT_BYTES[head[16]];
  if (!slotBytes) throw new Error(`its slot kind ${head[16]} is unknown`);
  const present = Number(head.readBigUInt64LE(17));
  const deleted = Number(head.readBigUInt64LE(25));
  const dimensions = Number(head.readBigUInt64LE(33));
  if (dimensions !== want.dim) throw new Error(`its head says ${dimensions}-d vectors, the table holds ${want.dim}-d`);
  if (present !== want.count) throw new Error(`its head counts ${present} vectors, the key file ${want.count}`);
  if (present + deleted !== rows) throw new Error(`its head counts ${present} + ${deleted} deleted vectors, its matrix ${rows}`);
  if (head[41] !== 0) throw new Error('it is a multi-key index');
  const graphAt = headAt + HEAD_BYTES;
  const graph = read(graphAt, GRAPH_HEADER_BYTES);
  const nodes = Number(graph.readBigUInt64LE(0));
  const connectivity = Number(graph.readBigUInt64LE(8));
  const connectivityBase = Number(graph.readBigUInt64LE(16));
  const maxLevel = Number(graph.readBigUInt64LE(24));
  const entry = Number(graph.readBigUInt64LE(32));
  if (nodes !== rows) throw new Error(`its graph has ${nodes} nodes, its matrix ${rows} vectors`);
  if (connectivity !== want.connectivity) throw new Error(`its graph has connectivity ${connectivity}, the settings ${want.connectivity}`);
  if (connectivityBase < connectivity || connectivityBase > 4 * connectivity)
    throw new Error(`its base connectivity ${connectivityBase} is out of range`);
  if (maxLevel > MAX_LEVEL) throw new Error(`its graph claims ${maxLevel} levels`);
  if (nodes > 0 && entry >= nodes) throw new Error(`its entry node ${entry} is beyond its ${nodes} nodes`);
  const levelsAt = graphAt + GRAPH_HEADER_BYTES;
  const levels = read(levelsAt, 2 * nodes);
  const base = 10 + connectivityBase * slotBytes + 4;
  const perLevel = connectivity * slotBytes + 4;
  const nodeLevels = new Int16Array(nodes);
  let expected = levelsAt + 2 * nodes;
  for (let i = 0; i < nodes; i++) {
    const level = levels.readInt16LE(2 * i);
    if (level < 0 || level > maxLevel) throw new Error(`node ${i} is on level ${level}, outside 0…${maxLevel}`);
    nodeLevels[i] = level;
    expected += base + perLevel * level;
  }
  if (expected !== size) throw new Error(`its header describes ${expected} bytes, the file has ${size}`);
  return {
    rows,
    present,
    dimensions,
    connectivity,
    bytes: size,
    matrixAt: 8,
    rowBytes,
    scalarBytes: want.scalarBytes,
    nodesAt: levelsAt + 2 * nodes,
    levels: nodeLevels,
    nodeBase: base,
    nodePerLevel: perLevel,
  };
}

/**
 * The vectors the file stores for `keys` (as floats; keys it does not hold are left out): each node starts
 * with its 64-bit key, and node i's vector is row i of the matrix. Reads the nodes in 4 MiB chunks.
 */
export function storedVectors(fd: number, header: UsearchFileHeader, keys: readonly number[]): Map<number, Float32Array> {
  const wanted = new Set(keys);
  const out = new Map<number, Float32Array>();
  const chunk = Buffer.alloc(4 << 20);
  let chunkAt = -1,
    chunkLength = 0;
  const bytesAt = (offset: number, length: number): Buffer => {
    if (offset < chunkAt || offset + length > chunkAt + chunkLength) {
      chunkAt = offset;
      chunkLength = readSync(fd, chunk, 0, Math.min(chunk.length, header.bytes - offset), offset);
    }
    return chunk.subarray(offset - chunkAt, offset - chunkAt + length);
  };
  const slots: [number, number][] = [];
  let at = header.nodesAt;
  for (let i = 0; i < header.levels.length && slots.length < wanted.size; i++) {
    const key = Number(bytesAt(at, 8).readBigUInt64LE(0));
    if (wanted.has(key)) slots.push([key, i]);
    at += header.nodeBase + header.nodePerLevel * header.levels[i];
  }
  const dim = header.dimensions;
  const row = Buffer.alloc(header.rowBytes);
  for (const [key, slot] of slots) {
    readSync(fd, row, 0, row.length, header.matrixAt + slot * header.rowBytes);
    const v = new Float32Array(dim);
    for (let d = 0; d < dim; d++) {
      v[d] =
        header.scalarBytes === 4
          ? row.readFloatLE(4 * d)
          : header.scalarBytes === 2
            ? halfToFloat(row.readUInt16LE(2 * d))
            : row.readInt8(d);
    }
    out.set(key, v);
  }
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Bytes per stored number for each ANN quantization. */
export const SCALAR_BYTES = { f32: 4, f16: 2, i8: 1 } as const;
