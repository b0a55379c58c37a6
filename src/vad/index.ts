export { detectSpeech, regionsFromProbabilities, type DetectSpeechOptions, type SpeechResult } from './detect-speech.js';
export { SileroVad, sileroVadFile, VAD_FRAME, VAD_SAMPLE_RATE } from './silero-vad.js';
export { SpeechTracker, type SpeechRegion, type SpeechTrackerOptions } from './speech-tracker.js';
