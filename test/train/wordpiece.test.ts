import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { loadEmojiPairs } from '../../src/datasets/emoji-pairs.js';
import { learnVocabulary, WordPieceTokenizer } from '../../src/train/tokenizer/wordpiece.js';

test('the exported tokenizer.json tokenizes exactly like the trainer, in every language', async () => {
  const pairs = loadEmojiPairs();
  const train = pairs.filter((p) => !p.heldOut);
  const texts = train.flatMap((p) => Object.keys(p.labels).flatMap((l) => [p.labels[l], ...p.tags[l]]));
  const tk = new WordPieceTokenizer(learnVocabulary(texts, { vocabSize: 1500 }), 16);
  const dir = mkdtempSync(join(tmpdir(), 'rosetta-wordpiece-'));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tk.toTokenizerJson()));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(tk.toTokenizerConfig()));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'clip' }));
  env.allowRemoteModels = false;
  const hf = await AutoTokenizer.from_pretrained(dir);
  // Held-out labels: text the vocabulary never saw, plus edge cases (accents, CJK, control characters, long input).
  const probes = [
    ...pairs.filter((p) => p.heldOut).flatMap((p) => Object.values(p.labels)),
    'Crème BRÛLÉE!',
    '旗: エジプト',
    'tab\there\u200d',
    'a b c d e f g h i j k l m n o p q r s t u v w',
  ];
  for (const t of probes) {
    const ours = tk.encode(t);
    const theirs = Array.from((hf(t, { truncation: true }) as { input_ids: { data: BigInt64Array } }).input_ids.data, Number);
    assert.deepEqual(ours, theirs, t);
  }
  // Kanji are single tokens; kana words are split into known pieces rather than [UNK].
  const ja = hf.tokenize('犬の顔');
  assert.ok(ja.includes('犬') && ja.includes('顔'));
  assert.ok(!tk.encode('イヌの顔').includes(tk.unkId));
});
