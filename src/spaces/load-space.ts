import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { parseModelRef, type ModelRef } from '../models/model-ref.js';
import { modelVersion } from '../models/model-version.js';
import type { ResolvedRuntime } from '../models/runtime-options.js';
import { ClipSpace, type ClipFamily } from './clip-space.js';
import { CompositeSpace } from './composite-space.js';
import { isSentenceModelDir, SentenceSpace } from './sentence-space.js';
import type { Space } from './space.js';

/** What a collection stores about each of its spaces. */
export interface SpaceSpec {
  /** Table-safe id; defaults from the model family (`clip`, `siglip`, `clap`, `mini`). */
  id?: string;
  /** Model reference: alias (`mini`), directory, or hub id[@revision]. */
  model: string;
}

type Family = ClipFamily | 'clap' | 'rosetta-mini' | 'sentence';

function familyOf(ref: ModelRef): Family {
  if (ref.kind === 'local') {
    if (existsSync(join(ref.dir, 'rosetta.json'))) return 'rosetta-mini';
    if (isSentenceModelDir(ref.dir)) return 'sentence';
    const configPath = join(ref.dir, 'config.json');
    if (ref.label === 'minilm' && !existsSync(configPath)) {
      throw new RosettaError(ErrorCodes.MODEL_NOT_FOUND, `all-MiniLM-L6-v2 is not installed: ${ref.dir} has no config.json`, {
        model: ref.label,
        file: configPath,
        hint:
          'run the set-up that installs and converts it: `npm run setup:system` (or `bash scripts/install-python-deps.sh`); ' +
          'ROSETTA_REGISTRY_MODELS_DIR moves where it is written',
      });
    }
    if (!existsSync(configPath)) {
      throw new RosettaError(ErrorCodes.MODEL_NOT_FOUND, `No model at ${ref.dir}: config.json is missing`, {
        model: ref.label,
        file: configPath,
        hint: 'point --model at a model directory (config.json, tokenizer, onnx/…), a hub id, or `mini`',
      });
    }
    const type = String(JSON.parse(readFileSync(configPath, 'utf8')).model_type ?? '');
    if (type === 'clip' || type === 'siglip' || type === 'clap') return type;
    throw new RosettaError(
      ErrorCodes.SPACE_UNKNOWN,
      `Model ${ref.dir} has model_type '${type}', which is not an embedding space Rosetta knows`,
      {
        model: ref.label,
        hint: 'use a CLIP, SigLIP or CLAP model, or a sentence-transformers encoder (config.json + 1_Pooling/ + onnx/model.onnx, e.g. --model minilm)',
      },
    );
  }
  if (/siglip/i.test(ref.id)) return 'siglip';
  if (/clap/i.test(ref.id)) return 'clap';
  return 'clip';
}

export function defaultSpaceId(model: string): string {
  const ref = parseModelRef(model);
  return idOf(ref, familyOf(ref));
}

/** `mini`, `minilm` for all-MiniLM models, `sentence` for other sentence encoders, else the family. */
function idOf(ref: ModelRef, family: Family): string {
  if (family === 'rosetta-mini') return 'mini';
  if (family === 'sentence')
    return /minilm/i.test(ref.label) || /minilm/i.test(ref.kind === 'local' ? basename(ref.dir) : '') ? 'minilm' : 'sentence';
  return family;
}

/** Loads a space from its spec. Towers load lazily, on first use. */
export async function loadSpace(spec: SpaceSpec, runtime: ResolvedRuntime): Promise<Space> {
  const ref = parseModelRef(spec.model);
  const family = familyOf(ref);
  const id = spec.id ?? idOf(ref, family);
  if (!/^[a-z0-9_]+$/.test(id))
    throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, `Space id '${id}' must be lowercase letters, digits or _`, { setting: 'spaces' });
  if (family === 'clap') {
    return clapSpace(spec.model, id, runtime);
  }
  if (family === 'sentence') return new SentenceSpace(id, ref as ModelRef & { kind: 'local' }, runtime);
  if (family !== 'rosetta-mini') return new ClipSpace({ id, ref, runtime, family });
  if (ref.kind !== 'local')
    throw new RosettaError(ErrorCodes.MODEL_NOT_FOUND, 'the mini model must be a local directory', { model: ref.label });
  const manifest = JSON.parse(readFileSync(join(ref.dir, 'rosetta.json'), 'utf8')) as { dim: number; logitScale?: number };
  const version = modelVersion(ref);
  const clipRef = parseModelRef(join(ref.dir, 'clip'));
  const image = new ClipSpace({ id, ref: clipRef, runtime, family: 'clip', version, dim: manifest.dim, logitScale: manifest.logitScale });
  const clapDir = join(ref.dir, 'clap');
  const audio = existsSync(join(clapDir, 'config.json')) ? await clapSpace(clapDir, id, runtime) : undefined;
  return new CompositeSpace(id, ref.label, version, manifest.dim, image, image, audio);
}

/** CLAP loads on demand: collections without audio never import it. */
async function clapSpace(model: string, id: string, runtime: ResolvedRuntime): Promise<Space> {
  const { loadClapSpace } = await import('./clap-space.js');
  return loadClapSpace({
    model,
    id,
    device: runtime.device,
    dtype: runtime.dtype,
    batchSize: runtime.batchSize,
    offline: runtime.offline,
    cacheDir: runtime.cacheDir,
  });
}
