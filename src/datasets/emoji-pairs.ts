import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { requirePackages } from '../util/require-package.js';

const require = createRequire(import.meta.url);

/** Languages the mini recipe trains on by default (emojibase-data locales). */
export const DEFAULT_LANGUAGES = ['en', 'de', 'fr', 'es', 'ja'] as const;

/** The npm packages the emoji pairs come from: development dependencies, not installed with the library. */
export const EMOJI_DATA = ['emoji-datasource-google', 'emojibase-data'] as const;

/** Share of emoji held entirely out of training (by hash of the codepoint, so the split never moves). */
export const HELD_OUT_PERCENT = 18;

/** One emoji with its picture and its texts in each language. */
export interface EmojiPair {
  /** Codepoint sequence without FE0F, e.g. `1F600` — the emoji's stable id. */
  id: string;
  /** The emoji character itself. */
  emoji: string;
  /** Absolute path of the 64 px PNG (RGBA; transparent pixels are black). */
  imagePath: string;
  /** emojibase group key, e.g. `smileys-emotion`. */
  group: string;
  /** CLDR label per language, e.g. `{ en: 'grinning face', de: 'grinsendes Gesicht' }`. */
  labels: Record<string, string>;
  /** CLDR keywords per language. */
  tags: Record<string, string[]>;
  /** True when the emoji is in the fixed held-out split. */
  heldOut: boolean;
}

export interface LoadEmojiPairsOptions {
  /** emojibase locales to read (default en, de, fr, es, ja). An emoji missing a label in any of them is dropped. */
  languages?: readonly string[];
  /** `train`, `heldOut` or `all` (default). */
  split?: 'train' | 'heldOut' | 'all';
}

interface DatasourceEntry {
  unified: string;
  image: string;
  has_img_google: boolean;
  category: string;
}
interface BaseEntry {
  hexcode: string;
  emoji: string;
  label: string;
  tags?: string[];
  group?: number;
}
interface Messages {
  groups: { key: string; message: string; order: number }[];
}

/** Normalised id: uppercase codepoints joined by '-', variation selector FE0F removed. */
export function emojiId(codepoints: string): string {
  return codepoints
    .toUpperCase()
    .split('-')
    .filter((c) => c !== 'FE0F')
    .join('-');
}

/**
 * The documented split: an emoji is held out when the first 4 bytes of SHA-256 of its id, as an unsigned
 * integer, modulo 100 fall below HELD_OUT_PERCENT. Stable across versions of the data packages.
 */
export function isHeldOut(id: string): boolean {
  const h = createHash('sha256').update(id).digest();
  return h.readUInt32BE(0) % 100 < HELD_OUT_PERCENT;
}

/** Group names per language (e.g. `Tiere & Natur`), keyed by group key; used for zero-shot prompts. */
export function loadGroupNames(languages: readonly string[] = DEFAULT_LANGUAGES): Record<string, Record<string, string>> {
  requirePackages(EMOJI_DATA, 'The emoji data (rosetta train mini, rosetta demo)');
  const out: Record<string, Record<string, string>> = {};
  for (const lang of languages) {
    const messages = require(`emojibase-data/${lang}/messages.json`) as Messages;
    for (const g of messages.groups) (out[g.key] ??= {})[lang] = g.message;
  }
  return out;
}

/**
 * Paired emoji data from the installed npm packages `emoji-datasource-google` (pictures) and
 * `emojibase-data` (CLDR labels and keywords). Components (skin-tone swatches, hair) are left out.
 * Sorted by id, so the order is deterministic.
 */
export function loadEmojiPairs(options: LoadEmojiPairsOptions = {}): EmojiPair[] {
  requirePackages(EMOJI_DATA, 'The emoji data (rosetta train mini, rosetta demo)');
  const languages = options.languages ?? DEFAULT_LANGUAGES;
  const split = options.split ?? 'all';
  const dsRoot = dirname(require.resolve('emoji-datasource-google/package.json'));
  const source = require('emoji-datasource-google/emoji.json') as DatasourceEntry[];
  const groupKeys = (require('emojibase-data/en/messages.json') as Messages).groups.map((g) => g.key);
  const byLang = new Map<string, Map<string, BaseEntry>>();
  for (const lang of languages) {
    const entries = require(`emojibase-data/${lang}/data.json`) as BaseEntry[];
    byLang.set(lang, new Map(entries.map((e) => [emojiId(e.hexcode), e])));
  }
  const pairs: EmojiPair[] = [];
  for (const s of source) {
    if (!s.has_img_google || s.category === 'Component') continue;
    const id = emojiId(s.unified);
    const labels: Record<string, string> = {};
    const tags: Record<string, string[]> = {};
    let base: BaseEntry | undefined;
    for (const lang of languages) {
      const e = byLang.get(lang)!.get(id);
      if (!e || !e.label) break;
      base ??= e;
      labels[lang] = e.label;
      tags[lang] = e.tags ?? [];
    }
    if (!base || Object.keys(labels).length !== languages.length) continue;
    const heldOut = isHeldOut(id);
    if (split === 'train' && heldOut) continue;
    if (split === 'heldOut' && !heldOut) continue;
    pairs.push({
      id,
      emoji: base.emoji,
      imagePath: join(dsRoot, 'img', 'google', '64', s.image),
      group: groupKeys[base.group ?? -1] ?? 'symbols',
      labels,
      tags,
      heldOut,
    });
  }
  pairs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return pairs;
}
