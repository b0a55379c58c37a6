export { locateFfmpeg, detectFfmpeg, resetFfmpegCache, type FfmpegEngine } from './locate.js';
export { probeMedia, checkReadableFile, type MediaProbe, type VideoStreamInfo, type AudioStreamInfo, type ProbeOptions } from './probe.js';
export { MediaProcess, runMediaProgram, liveMediaProcesses, type MediaProcessOptions } from './process.js';
export { explainFfmpegFailure } from './media-errors.js';
