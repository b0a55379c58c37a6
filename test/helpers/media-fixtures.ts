/**
 * Synthetic media for tests and benchmarks, built with ffmpeg (and espeak-ng for speech) — nothing is downloaded.
 * Every builder writes one file and returns what it put where, so tests can assert times.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { locateFfmpeg } from '../../src/media/ffmpeg/locate.js';
import { probeMedia } from '../../src/media/ffmpeg/probe.js';

const require = createRequire(import.meta.url);

/** A spoken or shown thing and the media time span it occupies, in seconds. */
export interface TimedSpan {
  text: string;
  t0: number;
  t1: number;
}

function run(command: string, args: string[], timeout = 600_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${String(stderr).slice(-800)}`, { cause: error }));
      else resolve(String(stdout));
    });
  });
}

async function ffmpeg(args: string[]): Promise<void> {
  const { ffmpeg: bin } = await locateFfmpeg();
  await run(bin, ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

/** True when espeak-ng can be run (speech fixtures need it). */
export async function hasEspeak(): Promise<boolean> {
  try {
    await run('espeak-ng', ['--version'], 10_000);
    return true;
  } catch {
    return false;
  }
}

/** The 64-px PNG of an emoji from `emoji-datasource-google`, by its unified code (`1f600`, `1f1e6-1f1e8`). */
export function emojiPng(unified: string): string {
  const root = dirname(require.resolve('emoji-datasource-google/package.json'));
  const file = join(root, 'img', 'google', '64', `${unified.toLowerCase()}.png`);
  if (!existsSync(file)) throw new Error(`No emoji image for ${unified} at ${file}`);
  return file;
}

/** Codec arguments that suit a container, chosen for speed. */
export function codecArgsFor(out: string, hasAudio: boolean): string[] {
  const ext = extname(out).toLowerCase();
  const audio = (codec: string) => (hasAudio ? ['-c:a', codec] : []);
  switch (ext) {
    case '.webm':
      return ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', ...audio('libopus')];
    case '.avi':
      return ['-c:v', 'mpeg4', '-q:v', '5', ...audio('libmp3lame')];
    case '.mkv':
    case '.mov':
    case '.mp4':
    case '.m4v':
      return [
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        ...audio('aac'),
        ...(ext === '.mp4' ? ['-movflags', '+faststart'] : []),
      ];
    default:
      return [];
  }
}

/** Speaks `text` with espeak-ng into a wav; returns its path and length in seconds. */
export async function speak(text: string, out: string, wordsPerMinute = 160): Promise<{ out: string; seconds: number }> {
  await mkdir(dirname(out), { recursive: true });
  await run('espeak-ng', ['-s', String(wordsPerMinute), '-w', out, text]);
  return { out, seconds: (await probeMedia(out)).duration };
}

export interface EmojiShot {
  unified: string;
  name: string;
  t0: number;
  t1: number;
}

export interface EmojiVideoOptions {
  emojis: EmojiShot[];
  /** Output file; the extension picks the container (mp4, webm, mkv, mov, avi). */
  out: string;
  /** Speak each emoji's name `speechDelay` s after its shot starts. Default true (needs espeak-ng). */
  withSpeech?: boolean;
  speechDelay?: number;
  width?: number;
  height?: number;
  fps?: number;
  /** Total length; default the end of the last shot. Uncovered time is black (and silent). */
  duration?: number;
}

/**
 * A video showing known emoji (scaled up, centred on white) in known time ranges, black between them, with an
 * optional spoken track of their names. Returns the shots and the measured spans of each spoken name.
 */
export async function makeEmojiVideo(
  options: EmojiVideoOptions,
): Promise<{ out: string; duration: number; shots: EmojiShot[]; speech: TimedSpan[] }> {
  const { out, withSpeech = true, speechDelay = 0.2, width = 320, height = 240, fps = 10 } = options;
  const shots = [...options.emojis].sort((a, b) => a.t0 - b.t0);
  const duration = options.duration ?? Math.max(...shots.map((s) => s.t1));
  const timeline: ({ kind: 'gap'; t0: number; t1: number } | ({ kind: 'shot' } & EmojiShot))[] = [];
  let cursor = 0;
  for (const shot of shots) {
    if (shot.t0 < cursor - 1e-9 || shot.t1 <= shot.t0)
      throw new Error(`Emoji shots must be ordered and non-overlapping: ${JSON.stringify(shot)}`);
    if (shot.t0 > cursor + 1e-9) timeline.push({ kind: 'gap', t0: cursor, t1: shot.t0 });
    timeline.push({ kind: 'shot', ...shot });
    cursor = shot.t1;
  }
  if (duration > cursor + 1e-9) timeline.push({ kind: 'gap', t0: cursor, t1: duration });

  const work = await mkdtemp(join(tmpdir(), 'rosetta-fixture-'));
  try {
    const inputs: string[] = [];
    const filters: string[] = [];
    const speech: TimedSpan[] = [];
    const side = Math.round(Math.min(width, height) * 0.9);
    let n = 0;
    for (const [i, seg] of timeline.entries()) {
      const dur = (seg.t1 - seg.t0).toFixed(3);
      if (seg.kind === 'shot') {
        inputs.push('-loop', '1', '-framerate', String(fps), '-t', dur, '-i', emojiPng(seg.unified));
        filters.push(
          `color=c=white:s=${width}x${height}:r=${fps}:d=${dur}[bg${i}]`,
          `[${n}:v]scale=${side}:${side}:flags=bicubic[e${i}]`,
          `[bg${i}][e${i}]overlay=(W-w)/2:(H-h)/2:shortest=1,format=yuv420p,setsar=1[v${i}]`,
        );
        n += 1;
      } else {
        filters.push(`color=c=black:s=${width}x${height}:r=${fps}:d=${dur},format=yuv420p,setsar=1[v${i}]`);
      }
      if (!withSpeech) continue;
      if (seg.kind === 'shot') {
        const spoken = await speak(seg.name, join(work, `say${i}.wav`));
        inputs.push('-i', spoken.out);
        const ms = Math.round(speechDelay * 1000);
        filters.push(`[${n}:a]aresample=16000,aformat=channel_layouts=mono,adelay=${ms},apad,atrim=0:${dur},asetpts=N/SR/TB[a${i}]`);
        speech.push({ text: seg.name, t0: seg.t0 + speechDelay, t1: Math.min(seg.t1, seg.t0 + speechDelay + spoken.seconds) });
        n += 1;
      } else {
        filters.push(`anullsrc=r=16000:cl=mono,atrim=0:${dur}[a${i}]`);
      }
    }
    const pads = timeline.map((_, i) => (withSpeech ? `[v${i}][a${i}]` : `[v${i}]`)).join('');
    filters.push(`${pads}concat=n=${timeline.length}:v=1:a=${withSpeech ? 1 : 0}${withSpeech ? '[v][a]' : '[v]'}`);
    await mkdir(dirname(out), { recursive: true });
    const script = join(work, 'graph.txt');
    await writeFile(script, filters.join(';\n'));
    await ffmpeg([
      ...inputs,
      '-filter_complex_script',
      script,
      '-map',
      '[v]',
      ...(withSpeech ? ['-map', '[a]'] : []),
      ...codecArgsFor(out, withSpeech),
      '-r',
      String(fps),
      out,
    ]);
    return { out, duration, shots, speech };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * A mono recording with words (or phrases) spoken at known start times and silence elsewhere.
 * The extension picks the format (wav, mp3, flac, ogg, m4a). Returns the measured span of each utterance.
 */
export async function makeSpeechAudio(options: {
  words: { text: string; t: number }[];
  out: string;
  duration?: number;
  sampleRate?: number;
}): Promise<{ out: string; duration: number; speech: TimedSpan[] }> {
  const { out, sampleRate = 16_000 } = options;
  const words = [...options.words].sort((a, b) => a.t - b.t);
  const work = await mkdtemp(join(tmpdir(), 'rosetta-fixture-'));
  try {
    const inputs: string[] = [];
    const filters: string[] = [];
    const speech: TimedSpan[] = [];
    let end = 0;
    for (const [i, word] of words.entries()) {
      const spoken = await speak(word.text, join(work, `w${i}.wav`));
      inputs.push('-i', spoken.out);
      const ms = Math.round(word.t * 1000);
      filters.push(`[${i}:a]aresample=${sampleRate},aformat=channel_layouts=mono,adelay=${ms}[a${i}]`);
      speech.push({ text: word.text, t0: word.t, t1: word.t + spoken.seconds });
      end = Math.max(end, word.t + spoken.seconds);
    }
    const duration = options.duration ?? Math.ceil(end + 0.5);
    // amix without normalisation would need ffmpeg ≥ 5; words do not overlap, so scaling by the count is undone here.
    filters.push(
      `${words.map((_, i) => `[a${i}]`).join('')}amix=inputs=${words.length}:duration=longest:dropout_transition=0,` +
        `volume=${words.length},apad,atrim=0:${duration}[out]`,
    );
    const script = join(work, 'graph.txt');
    await writeFile(script, filters.join(';\n'));
    await mkdir(dirname(out), { recursive: true });
    await ffmpeg([...inputs, '-filter_complex_script', script, '-map', '[out]', '-ar', String(sampleRate), '-ac', '1', out]);
    return { out, duration, speech };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A sine tone (audio only, or with a test pattern when `video` is set); the extension picks the container. */
export async function makeTone(options: {
  out: string;
  seconds: number;
  frequency?: number;
  video?: boolean;
  sampleRate?: number;
}): Promise<string> {
  const { out, seconds, frequency = 440, video = false, sampleRate = 44_100 } = options;
  await mkdir(dirname(out), { recursive: true });
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${frequency}:sample_rate=${sampleRate}:duration=${seconds}`,
    ...(video ? ['-f', 'lavfi', '-i', `testsrc2=size=160x120:rate=10:duration=${seconds}`] : []),
    ...(video ? codecArgsFor(out, true) : []),
    '-t',
    String(seconds),
    out,
  ]);
  return out;
}

/**
 * A long synthetic video for benchmarks (a moving test pattern that cuts to a new pattern every `cutEvery` s,
 * plus a tone), encoded cheaply: 320×240, x264 ultrafast. One hour takes about a minute to write.
 */
export async function makeLongVideo(options: {
  out: string;
  seconds: number;
  fps?: number;
  cutEvery?: number;
  width?: number;
  height?: number;
}): Promise<string> {
  const { out, seconds, fps = 25, cutEvery = 30, width = 320, height = 240 } = options;
  await mkdir(dirname(out), { recursive: true });
  // The hue jumps every `cutEvery` seconds so the scene detector has real cuts to find.
  const video = `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds},hue=h=floor(t/${cutEvery})*77`;
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    video,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=330:sample_rate=44100:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-g',
    String(fps * 10),
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-movflags',
    '+faststart',
    out,
  ]);
  return out;
}

/** Files that are broken in the ways ingest must survive, built in `dir`. */
export async function makeBadMedia(dir: string): Promise<{
  zeroByte: string;
  garbage: string;
  truncated: string;
  videoOnly: string;
  audioOnly: string;
  emptyAudio: string;
  unknownCodec: string;
}> {
  await mkdir(dir, { recursive: true });
  const zeroByte = join(dir, 'zero.mp4');
  await writeFile(zeroByte, new Uint8Array(0));
  const garbage = join(dir, 'garbage.mp3');
  const noise = new Uint8Array(64 * 1024);
  for (let i = 0; i < noise.length; i += 1) noise[i] = (i * 2654435761) >>> 24; // deterministic, not a media header
  await writeFile(garbage, noise);
  // mp4 without faststart keeps its index (moov) at the end: cutting the file in half loses it.
  const whole = join(dir, 'whole.mp4');
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=160x120:rate=10:duration=4',
    '-f',
    'lavfi',
    '-i',
    'sine=duration=4',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    whole,
  ]);
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(whole);
  const truncated = join(dir, 'truncated.mp4');
  await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await rm(whole);
  const videoOnly = join(dir, 'video-only.mp4');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10:duration=2', ...codecArgsFor(videoOnly, false), videoOnly]);
  const audioOnly = await makeTone({ out: join(dir, 'audio-only.m4a'), seconds: 2 });
  const emptyAudio = join(dir, 'empty-audio.wav');
  await writeFile(emptyAudio, wavHeader(0, 16_000, 1, 1));
  // A wav whose format tag (0x7fff) names no codec ffmpeg knows.
  const unknownCodec = join(dir, 'unknown-codec.wav');
  const payload = new Uint8Array(16_000);
  await writeFile(unknownCodec, Buffer.concat([wavHeader(payload.length, 16_000, 1, 0x7fff), payload]));
  return { zeroByte, garbage, truncated, videoOnly, audioOnly, emptyAudio, unknownCodec };
}

/** A 44-byte RIFF/WAVE header for `dataBytes` of 16-bit samples with the given format tag (1 = PCM). */
function wavHeader(dataBytes: number, sampleRate: number, channels: number, formatTag: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(formatTag, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/**
 * Writes a tiny CLAP-layout model (Transformers.js files: config, tokenizer, ClapFeatureExtractor config,
 * onnx/text_model.onnx and onnx/audio_model.onnx) with hand-set weights and a 2-d space: the text "low" and
 * low-pitched sound point one way, "high" and high-pitched sound the other. 16 kHz, 2-second windows.
 */
export async function buildTinyClap(dir: string): Promise<string> {
  const { GraphBuilder } = await import('../../src/onnx/graph-builder.js');
  const MELS = 8;
  const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'low', 'high', 'sound', 'a'];
  await mkdir(join(dir, 'onnx'), { recursive: true });
  const json = (name: string, value: object) => writeFile(join(dir, name), JSON.stringify(value, null, 2));

  // Text tower: embedding lookup, mean over the tokens the mask keeps, projection.
  const text = new GraphBuilder('tiny_clap_text');
  const ids = text.input('input_ids', 'int64', ['batch', 'seq']);
  const mask = text.input('attention_mask', 'int64', ['batch', 'seq']);
  const table = new Float32Array(vocab.length * 2);
  table.set([1, 0], vocab.indexOf('low') * 2);
  table.set([0, 1], vocab.indexOf('high') * 2);
  table.set([0.1, 0.1], vocab.indexOf('sound') * 2);
  const emb = text.initializer('text.embeddings', { type: 'float32', dims: [vocab.length, 2], data: table });
  const tokens = text.op1('Gather', [emb, ids], { axis: 0 });
  const m = text.op1('Unsqueeze', [text.op1('Cast', [mask], { to: 1 }), text.constInt64([2])]);
  const summed = text.op1('ReduceSum', [text.op1('Mul', [tokens, m]), text.constInt64([1])], { keepdims: 0 });
  const count = text.op1('Max', [text.op1('ReduceSum', [m, text.constInt64([1])], { keepdims: 0 }), text.constFloat([1])]);
  const pooled = text.op1('Div', [summed, count]);
  text.op1('MatMul', [pooled, text.constFloat([1, 0, 0, 1], [2, 2])], {}, 'text_embeds');
  text.output('text_embeds', 'float32', ['batch', 2]);
  await writeFile(join(dir, 'onnx', 'text_model.onnx'), text.toBytes());

  // Audio tower: log-mel features [batch, 1, time, mels] → mean over time → low bands minus high bands.
  const audio = new GraphBuilder('tiny_clap_audio');
  const features = audio.input('input_features', 'float32', ['batch', 1, 'time', MELS]);
  const mean = audio.op1('ReduceMean', [features], { axes: [1, 2], keepdims: 0 });
  const w = new Float32Array(MELS * 2);
  for (let f = 0; f < MELS; f += 1) {
    const low = f < MELS / 2 ? 1 : -1;
    w[f * 2] = low;
    w[f * 2 + 1] = -low;
  }
  audio.op1('MatMul', [mean, audio.constFloat(w, [MELS, 2])], {}, 'audio_embeds');
  audio.output('audio_embeds', 'float32', ['batch', 2]);
  await writeFile(join(dir, 'onnx', 'audio_model.onnx'), audio.toBytes());

  await json('config.json', {
    model_type: 'clap',
    projection_dim: 2,
    logit_scale_init_value: 10,
    text_config: { model_type: 'clap_text_model', vocab_size: vocab.length, hidden_size: 2 },
    audio_config: { model_type: 'clap_audio_model', num_mel_bins: MELS },
    'transformers.js_config': { dtype: 'fp32' },
  });
  await json('preprocessor_config.json', {
    feature_extractor_type: 'ClapFeatureExtractor',
    feature_size: MELS,
    sampling_rate: 16_000,
    hop_length: 160,
    fft_window_size: 512,
    nb_frequency_bins: 257,
    frequency_min: 50,
    frequency_max: 8000,
    max_length_s: 2,
    nb_max_samples: 32_000,
    truncation: 'rand_trunc',
    padding: 'repeatpad',
    return_attention_mask: false,
  });
  const special = (w: string) => ({
    id: vocab.indexOf(w),
    content: w,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  await json('tokenizer.json', {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((v, i) => [v, i])),
    },
  });
  await json('tokenizer_config.json', {
    tokenizer_class: 'BertTokenizer',
    model_max_length: 32,
    do_lower_case: true,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
  });
  return dir;
}
