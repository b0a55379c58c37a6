/**
 * A WordPiece tokenizer: vocabulary learned from the training text, encoding identical to the
 * `tokenizers` WordPiece model that Transformers.js runs from the exported `tokenizer.json`
 * (BertNormalizer → BertPreTokenizer → greedy longest-match WordPiece with `##` continuations).
 */

export const SPECIAL_TOKENS = { pad: '[PAD]', unk: '[UNK]', bos: '[CLS]', eos: '[SEP]' } as const;
const SPECIALS = [SPECIAL_TOKENS.pad, SPECIAL_TOKENS.unk, SPECIAL_TOKENS.bos, SPECIAL_TOKENS.eos];
const PREFIX = '##';
const PUNCT = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const PRE_TOKEN = new RegExp(`[^\\s${PUNCT}]+|[${PUNCT}]`, 'gu');

// CJK ideographs get spaces around them (one token each); kana stay in words and are split by the vocabulary.
function isCjkIdeograph(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2ebef) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/**
 * The normaliser: drop control/format characters, whitespace → space, isolate CJK ideographs, lowercase.
 * Accents are kept on purpose: NFD accent stripping would also strip Japanese voicing marks (が → か).
 */
export function normalizeText(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.charCodeAt(0);
    if (cp === 0 || cp === 0xfffd) continue;
    if (ch !== '\t' && ch !== '\n' && ch !== '\r' && /^\p{Cc}|\p{Cf}|\p{Co}|\p{Cs}$/u.test(ch)) continue;
    out += /^\s$/.test(ch) ? ' ' : ch;
  }
  let spaced = '';
  // Code units, like the runtime's normaliser, so both treat astral characters alike.
  for (let i = 0; i < out.length; i++) {
    const c = out[i];
    spaced += isCjkIdeograph(c.charCodeAt(0)) ? ` ${c} ` : c;
  }
  return spaced.toLowerCase();
}

/** Splits normalised text into words and single punctuation marks. */
export function preTokenize(normalized: string): string[] {
  return normalized.trim().match(PRE_TOKEN) ?? [];
}

export interface WordPieceOptions {
  /** Target vocabulary size including special tokens (default 6000). */
  vocabSize?: number;
  /** Longest word encoded; longer ones become [UNK] (default 100). */
  maxInputCharsPerWord?: number;
}

/** Learns a vocabulary: every character (word-initial and `##`), then the most frequent merges of adjacent pieces. */
export function learnVocabulary(texts: Iterable<string>, options: WordPieceOptions = {}): string[] {
  const vocabSize = options.vocabSize ?? 6000;
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of preTokenize(normalizeText(t))) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([w, n]) => ({ n, pieces: [...w].map((c, i) => (i ? PREFIX + c : c)) }));
  const vocab = new Set<string>(SPECIALS);
  const alphabet = new Set<string>();
  for (const w of words) for (const p of w.pieces) alphabet.add(p);
  for (const p of [...alphabet].sort()) vocab.add(p);
  while (vocab.size < vocabSize) {
    const pairs = new Map<string, number>();
    for (const w of words) {
      for (let i = 0; i + 1 < w.pieces.length; i++) {
        const key = `${w.pieces[i]}\u0000${w.pieces[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + w.n);
      }
    }
    if (pairs.size === 0) break;
    // Several merges per pass keep learning fast; ties break by the pair text, so the result is deterministic.
    const ranked = [...pairs.entries()].filter(([, n]) => n >= 2).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    if (ranked.length === 0) break;
    const batch = ranked.slice(0, Math.max(1, Math.min(32, vocabSize - vocab.size)));
    const merges = new Map<string, string>();
    for (const [key] of batch) {
      const [a, b] = key.split('\u0000');
      const merged = a + b.slice(PREFIX.length);
      merges.set(key, merged);
      vocab.add(merged);
    }
    for (const w of words) {
      const next: string[] = [];
      for (let i = 0; i < w.pieces.length; i++) {
        const m = i + 1 < w.pieces.length ? merges.get(`${w.pieces[i]}\u0000${w.pieces[i + 1]}`) : undefined;
        if (m) {
          next.push(m);
          i++;
        } else next.push(w.pieces[i]);
      }
      w.pieces = next;
    }
  }
  return [...vocab];
}

/** The trainer's tokenizer; `toTokenizerJson()` writes the same tokenizer for Transformers.js. */
export class WordPieceTokenizer {
  readonly ids: Map<string, number>;
  readonly maxInputCharsPerWord: number;

  constructor(
    readonly vocab: string[],
    readonly modelMaxLength = 32,
    options: WordPieceOptions = {},
  ) {
    this.ids = new Map(vocab.map((t, i) => [t, i]));
    this.maxInputCharsPerWord = options.maxInputCharsPerWord ?? 100;
  }

  get padId(): number {
    return this.ids.get(SPECIAL_TOKENS.pad)!;
  }
  get unkId(): number {
    return this.ids.get(SPECIAL_TOKENS.unk)!;
  }
  get bosId(): number {
    return this.ids.get(SPECIAL_TOKENS.bos)!;
  }
  get eosId(): number {
    return this.ids.get(SPECIAL_TOKENS.eos)!;
  }

  /** Token ids with [CLS] … [SEP], cut to modelMaxLength. */
  encode(text: string): number[] {
    const out = [this.bosId];
    for (const word of preTokenize(normalizeText(text))) out.push(...this.encodeWord(word));
    out.push(this.eosId);
    // Transformers.js truncates after adding the special tokens (a long text loses its [SEP]); do the same.
    return out.slice(0, this.modelMaxLength);
  }

  private encodeWord(word: string): number[] {
    const chars = [...word];
    if (chars.length > this.maxInputCharsPerWord) return [this.unkId];
    const pieces: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found = -1;
      while (start < end) {
        const sub = (start > 0 ? PREFIX : '') + chars.slice(start, end).join('');
        const id = this.ids.get(sub);
        if (id !== undefined) {
          found = id;
          break;
        }
        end--;
      }
      if (found < 0) return [this.unkId];
      pieces.push(found);
      start = end;
    }
    return pieces;
  }

  /** `tokenizer.json` for the `tokenizers` runtime inside Transformers.js. */
  toTokenizerJson(): object {
    const special = (t: string) => ({
      id: this.ids.get(t)!,
      content: t,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    });
    const tok = (t: string) => ({ id: t, ids: [this.ids.get(t)!], tokens: [t] });
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: SPECIALS.map(special),
      normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: false, lowercase: true },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: {
        type: 'TemplateProcessing',
        single: [
          { SpecialToken: { id: SPECIAL_TOKENS.bos, type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: SPECIAL_TOKENS.eos, type_id: 0 } },
        ],
        pair: [
          { SpecialToken: { id: SPECIAL_TOKENS.bos, type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: SPECIAL_TOKENS.eos, type_id: 0 } },
          { Sequence: { id: 'B', type_id: 1 } },
          { SpecialToken: { id: SPECIAL_TOKENS.eos, type_id: 1 } },
        ],
        special_tokens: { [SPECIAL_TOKENS.bos]: tok(SPECIAL_TOKENS.bos), [SPECIAL_TOKENS.eos]: tok(SPECIAL_TOKENS.eos) },
      },
      decoder: { type: 'WordPiece', prefix: PREFIX, cleanup: true },
      model: {
        type: 'WordPiece',
        unk_token: SPECIAL_TOKENS.unk,
        continuing_subword_prefix: PREFIX,
        max_input_chars_per_word: this.maxInputCharsPerWord,
        vocab: Object.fromEntries(this.vocab.map((t, i) => [t, i])),
      },
    };
  }

  /** `tokenizer_config.json`: CLIPTokenizer class so CLIP and CLAP loaders accept it. */
  toTokenizerConfig(): object {
    return {
      tokenizer_class: 'CLIPTokenizer',
      model_max_length: this.modelMaxLength,
      bos_token: SPECIAL_TOKENS.bos,
      eos_token: SPECIAL_TOKENS.eos,
      pad_token: SPECIAL_TOKENS.pad,
      unk_token: SPECIAL_TOKENS.unk,
      do_lower_case: true,
      clean_up_tokenization_spaces: true,
    };
  }
}
