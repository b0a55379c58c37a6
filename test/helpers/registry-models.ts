import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { registryModelsDir } from '../../src/models/local-models.js';

/**
 * Models the set-up converts from registry packages (scripts/python/setup.d/30-text-voice-models.sh). Their tests run
 * when the folder is there; CI sets ROSETTA_REQUIRE_REGISTRY_MODELS=1 so a set-up that did not install them fails
 * the run instead of skipping it.
 */
export function registryModel(name: string): { dir: string; skip: string | false } {
  const dir = join(registryModelsDir(), name);
  const present = existsSync(dir);
  if (!present && process.env.ROSETTA_REQUIRE_REGISTRY_MODELS === '1') {
    throw new Error(`${dir} is missing but ROSETTA_REQUIRE_REGISTRY_MODELS=1: run \`bash scripts/install-python-deps.sh\``);
  }
  return { dir, skip: present ? false : `${dir} is not installed (run \`bash scripts/install-python-deps.sh\`)` };
}
