export { parseModelRef, loadPath, MINI_MODEL_DIR, type ModelRef } from './model-ref.js';
export { DEFAULT_MODELS, KNOWN_MODELS } from './registry.js';
export { resolveRuntime, type ModelRuntimeOptions, type ResolvedRuntime } from './runtime-options.js';
export { availableDevices, checkDevice } from './devices.js';
export { loadPretrained } from './load-pretrained.js';
export { modelVersion } from './model-version.js';
