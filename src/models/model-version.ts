import { createHash } from 'node:crypto';
import { existsSync, openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelRef } from './model-ref.js';

/** The folder of a rosetta-mini model that holds its generator (src/generate/mini). */
const GENERATOR_DIR = 'generator';

/**
 * A version string for a model: the pinned revision for hub models; for a local directory, a hash of
 * its configs and of each ONNX file's size and first megabyte, so retrained weights change it while
 * a copy or a fresh clone of the same files does not. The version names the vectors (a store keeps only
 * vectors of the version it searches with), so a rosetta-mini `generator/` is left out: it draws from the
 * space and changes no vector, and adding or retraining one must not orphan a collection's vectors.
 */
export function modelVersion(ref: ModelRef): string {
  if (ref.kind === 'hub') return `${ref.id}@${ref.revision}`;
  const hash = createHash('sha256');
  const visit = (dir: string, depth: number) => {
    if (!existsSync(dir) || depth > 3) return;
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const s = statSync(path);
      if (s.isDirectory()) {
        if (!(depth === 0 && name === GENERATOR_DIR)) visit(path, depth + 1);
        continue;
      }
      if (!/\.(json|onnx|onnx_data)$/.test(name)) continue;
      hash.update(`${path.slice(ref.dir.length)}:${s.size}\n`);
      const fd = openSync(path, 'r');
      const buf = Buffer.alloc(Math.min(s.size, 1 << 20));
      readSync(fd, buf, 0, buf.length, 0);
      closeSync(fd);
      hash.update(buf);
    }
  };
  visit(ref.dir, 0);
  return hash.digest('hex').slice(0, 16);
}
