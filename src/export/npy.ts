import { writeFileSync } from 'node:fs';

/**
 * Writes rows of float32 as a NumPy `.npy` file (format 1.0, little-endian `<f4`, C order), which numpy,
 * faiss and clip-retrieval's tools load directly.
 */
export function writeNpyFloat32(path: string, rows: Float32Array[], dim: number): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows.length}, ${dim}), }`;
  // Magic (6) + version (2) + length (2) + header + '\n' must be a multiple of 64 bytes.
  header = header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 10 - 1, ' ') + '\n';
  const out = Buffer.alloc(10 + header.length + rows.length * dim * 4);
  out.write('\x93NUMPY', 0, 'latin1');
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  let at = 10 + header.length;
  for (const r of rows) {
    for (let j = 0; j < dim; j += 1) {
      out.writeFloatLE(r[j], at);
      at += 4;
    }
  }
  writeFileSync(path, out);
}
