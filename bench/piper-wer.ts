/**
 * The Piper voice heard back: speaks 50 sentences with `--engine piper` (en_US-joe-medium, the voice's own noise
 * settings, as users hear it) and transcribes each with Whisper tiny.en converted by the set-up; word error rate
 * over all words after lower-casing and dropping punctuation.
 *   node --import tsx bench/piper-wer.ts [--whisper <model dir>] [--n 50]
 * Default Whisper: models/registry/whisper-tiny.en (the Whisper branch's set-up step writes it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { speak } from '../src/generate/speak/speak.js';
import { transcribe } from '../src/generate/transcribe/transcribe.js';
import { decodeWav } from '../src/media/audio/wav.js';
import { registryModelsDir } from '../src/models/local-models.js';
import { arg, printTable } from './lib.js';

const words = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean);

/** Levenshtein distance over words. */
function edits(ref: string[], hyp: string[]): number {
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= hyp.length; j += 1)
      row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[hyp.length];
}

async function main() {
  const whisper = arg('whisper', join(registryModelsDir(), 'whisper-tiny.en'));
  if (!existsSync(join(whisper, 'config.json'))) throw new Error(`No Whisper at ${whisper}: run the set-up, or pass --whisper <dir>`);
  const n = Number(arg('n', '50'));
  const ref = JSON.parse(readFileSync(new URL('../test/fixtures/piper/reference.json', import.meta.url), 'utf8')) as {
    texts: { text: string }[];
  };
  const texts = ref.texts.slice(0, n).map((t) => t.text);
  let errors = 0;
  let total = 0;
  let seconds = 0;
  const wrong: { said: string; heard: string }[] = [];
  for (const text of texts) {
    const { wav, duration } = await speak(text, { engine: 'piper', offline: true });
    seconds += duration;
    const heard = (await transcribe(decodeWav(wav), { model: whisper, offline: true, speechOnly: false })).text.trim();
    const e = edits(words(text), words(heard));
    errors += e;
    total += words(text).length;
    if (e) wrong.push({ said: text, heard });
  }
  printTable(`Piper en_US-joe-medium → Whisper (${whisper})`, [
    { sentences: texts.length, words: total, 'word errors': errors, WER: errors / total, 'audio s': seconds },
  ]);
  for (const w of wrong) console.log(`- said: ${w.said}\n  heard: ${w.heard}`);
}

await main();
