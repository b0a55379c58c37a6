export {
  decodeAudioWindows,
  decodeAudio,
  type AudioWindow,
  type DecodeAudioWindowsOptions,
  type DecodeAudioOptions,
} from './decode-audio.js';
export { readAudio, isPcmAudio, type ReadAudioOptions } from './read-audio.js';
export { encodeWav, decodeWav, durationOf } from './wav.js';
export { resample, type ResampleOptions } from './resample.js';
export { WindowBuffer } from './window-buffer.js';
