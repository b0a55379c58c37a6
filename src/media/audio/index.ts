export { decodeAudioWindows, decodeAudio, type AudioWindow, type DecodeAudioWindowsOptions, type DecodeAudioOptions } from './decode-audio.js';
export { WindowBuffer } from './window-buffer.js';
