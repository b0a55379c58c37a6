export { extractScenes, frameSize, type VideoScene, type Keyframe, type ExtractScenesOptions } from './extract-scenes.js';
