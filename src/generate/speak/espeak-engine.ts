import { spawn } from 'node:child_process';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { PcmAudio } from '../../types.js';
import { abortedError, throwIfAborted } from '../abort.js';
import type { SpeechCallOptions, SpeechEngine } from '../engine.js';
import { ESPEAK_ENGINE } from '../registry.js';
import { decodeWav } from '../../media/audio/wav.js';

/** Voices are names like `en`, `en-us`, `fr`, `de+f3` (see `espeak-ng --voices`); nothing shell-like. */
const VOICE = /^[A-Za-z0-9_+-]{1,40}$/;

/**
 * espeak-ng (Debian package `espeak-ng`) as the light offline speech engine: formant synthesis, robotic but
 * instant and in ~100 languages. Text goes through stdin, so no text is ever parsed as an option.
 */
export class EspeakEngine implements SpeechEngine {
  readonly provider = ESPEAK_ENGINE;
  readonly modelId = ESPEAK_ENGINE;
  readonly supports = { voice: true, language: true, rate: true };
  constructor(private readonly command = process.env.ROSETTA_ESPEAK ?? 'espeak-ng') {}

  doSpeak(text: string, options: SpeechCallOptions): Promise<PcmAudio> {
    throwIfAborted(options.signal, 'speech');
    const voice = options.voice ?? options.language ?? 'en';
    if (!VOICE.test(voice)) {
      return Promise.reject(
        new RosettaError(
          ErrorCodes.INVALID_ARGUMENT,
          `Expected an espeak-ng voice name (letters, digits, -, +) for voice but received '${voice}'`,
          { setting: 'voice', hint: 'list voices with `espeak-ng --voices`' },
        ),
      );
    }
    const args = ['--stdout', '-v', voice, '-b', '1'];
    if (options.rate !== undefined) args.push('-s', String(Math.round(options.rate)));
    return new Promise<PcmAudio>((resolve, reject) => {
      const child = spawn(this.command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let err = '';
      const onAbort = () => {
        child.kill('SIGKILL');
        reject(abortedError('speech', options.signal));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
      });
      child.on('error', (cause: NodeJS.ErrnoException) => {
        options.signal?.removeEventListener('abort', onAbort);
        reject(
          cause.code === 'ENOENT'
            ? new RosettaError(ErrorCodes.ENGINE_MISSING, `The speech engine ${this.command} is not installed`, {
                setting: 'engine',
                cause,
                hint:
                  'install it (Debian/Ubuntu: `sudo apt-get install espeak-ng`; macOS: `brew install espeak-ng`), set ROSETTA_ESPEAK to its path, ' +
                  'or use a neural model such as Xenova/mms-tts-eng',
              })
            : cause,
        );
      });
      child.on('close', (code) => {
        options.signal?.removeEventListener('abort', onAbort);
        if (options.signal?.aborted) return;
        if (code !== 0) {
          const unknownVoice = /voice|language/i.test(err);
          reject(
            new RosettaError(
              unknownVoice ? ErrorCodes.INVALID_ARGUMENT : ErrorCodes.ENGINE_MISSING,
              `espeak-ng failed (exit ${code}): ${err.trim().split('\n')[0] || 'no message'}`,
              {
                setting: unknownVoice ? 'voice' : 'engine',
                hint: unknownVoice ? 'list voices with `espeak-ng --voices`' : 'run `espeak-ng --version` to check the install',
              },
            ),
          );
          return;
        }
        try {
          resolve(decodeWav(Buffer.concat(out), 'espeak-ng output'));
        } catch (e) {
          reject(e);
        }
      });
      child.stdin.on('error', () => {
        /* reported through close */
      });
      child.stdin.end(text);
    });
  }
}
