import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { MediaInput } from '../types.js';
import { readInput } from './read-input.js';

const isUrl = (s: string) => /^https?:\/\//i.test(s);

/**
 * Runs `work` on a file path for any input: a local path as it is; a Buffer or an http(s) URL written to a
 * temporary file first (ffmpeg needs a seekable file for containers like mp4), removed afterwards.
 */
export async function withLocalFile<T>(input: MediaInput, work: (path: string, name: string) => Promise<T>): Promise<T> {
  if (typeof input === 'string' && !isUrl(input)) return work(input, input);
  const { bytes, name } = await readInput(input);
  const dir = await mkdtemp(join(tmpdir(), 'rosetta-input-'));
  try {
    const file = join(dir, 'input');
    await writeFile(file, bytes);
    return await work(file, name);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A string given where a file is expected must be an http(s) URL or an existing file. Anything else is
 * ambiguous — a mistyped path, or words meant as text — and fails naming both readings instead of guessing.
 */
export async function checkMediaString(input: string, textHint: string): Promise<void> {
  if (isUrl(input)) return;
  const path = resolve(input);
  const found = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  if (found) return;
  throw new RosettaError(
    ErrorCodes.INVALID_ARGUMENT,
    `Cannot tell what '${input}' is: read as a path, there is no file at ${path}; read as text, it is words, not a picture or a sound`,
    { file: input, setting: 'input', hint: `give an existing file, a Buffer or an http(s) URL; ${textHint}` },
  );
}
