import { readAudio } from '../media/audio/read-audio.js';
import type { ModalityModule } from './modality.js';

/** Sound: windows the audio tower's length (timed), and the transcript lines Whisper adds. */
export const audio = {
  name: 'audio',
  label: 'audio',
  formats: 'audio',
  segmentKinds: ['audio-window', 'transcript'],
  detectOrder: 30,
  detect: (_bytes, sniffed) => (sniffed?.mime.startsWith('audio/') ? sniffed.mime : undefined),
  decodesTo: 'timed',
  // The whole clip: a space embeds a clip longer than its window as the mean of its windows.
  query: {
    encode: async (space, input) =>
      (await space.embedAudio([await readAudio(input, space.audioSampleRate ?? 48_000, { parameter: 'audio' })]))[0],
  },
  tagTemplate: 'the sound of {}',
} as const satisfies ModalityModule;
