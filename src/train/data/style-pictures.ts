import { createRequire } from 'node:module';
import { emojiId, isHeldOut, loadEmojiPairs, DEFAULT_LANGUAGES, type EmojiPair } from '../../datasets/emoji-pairs.js';
import { HELD_OUT_STYLE, PICTURE_SOURCES, type PictureSource } from './picture-sources.js';

const require = createRequire(import.meta.url);

/** One picture of one concept in one drawing style. */
export interface StylePicture {
  style: string;
  /** Icon name in its set (or the emoji id for the PNG emoji). */
  name: string;
  /** Concept key: the emoji id when the picture shows an emoji, else `icon:<name>`. Splits are by concept. */
  concept: string;
  /** The emoji (labels, keywords in every language) when the concept is one. */
  emoji?: EmojiPair;
  /** English words of the icon name (`birthday cake`), plus its aliases. */
  names: string[];
  /** Where the pixels come from: a PNG file, or an SVG document. */
  png?: string;
  svg?: { body: string; left: number; top: number; width: number; height: number };
  /** Kept out of training: the concept is held out (in every style) or the style is. */
  heldOutConcept: boolean;
  heldOutStyle: boolean;
}

interface IconifyIcon {
  body: string;
  left?: number;
  top?: number;
  width?: number;
  height?: number;
  hidden?: boolean;
}
interface IconifySet {
  icons: Record<string, IconifyIcon>;
  aliases?: Record<string, { parent: string }>;
  left?: number;
  top?: number;
  width?: number;
  height?: number;
}

/** `Flag: Japan` → `flag-japan`: the slug Iconify emoji sets use for CLDR names. */
export const slug = (s: string): string =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
const squash = (s: string): string => s.replace(/-/g, '');

/**
 * Name → emoji id, from every openly licensed naming at hand: CLDR labels (slugified), the sets' own
 * codepoint tables, and shortcode lists (which name the older sets' pictures). `squashed` also keys
 * names without hyphens (Firefox OS names are squashed: `alarmclock`).
 */
function emojiNameIndex(pairs: EmojiPair[]): { exact: Map<string, string>; squashed: Map<string, string>; words: Set<string> } {
  const known = new Set(pairs.map((p) => p.id));
  const exact = new Map<string, string>();
  const add = (name: string, id: string) => {
    if (known.has(id) && name && !exact.has(name)) exact.set(name, id);
  };
  for (const p of pairs) add(slug(p.labels.en), p.id);
  for (const pkg of ['@iconify-json/noto', '@iconify-json/fluent-emoji-flat', '@iconify-json/openmoji']) {
    for (const [cp, name] of Object.entries(require(`${pkg}/chars.json`) as Record<string, string>)) add(name, emojiId(cp));
  }
  for (const list of ['cldr', 'joypixels', 'iamcal', 'github', 'emojibase']) {
    for (const [hex, codes] of Object.entries(require(`emojibase-data/en/shortcodes/${list}.json`) as Record<string, string | string[]>)) {
      for (const c of [codes].flat()) add(c.replace(/_/g, '-'), emojiId(hex));
    }
  }
  const squashed = new Map<string, string>();
  for (const [n, id] of exact) if (!squashed.has(squash(n))) squashed.set(squash(n), id);
  const words = new Set([...exact.keys()].flatMap((n) => n.split('-')).filter((w) => w.length >= 3));
  return { exact, squashed, words };
}

const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** The CLDR-style name behind an emoji set's icon name: numbered variants (`-2`), `-default`, `flag-for-x`, `digit-five`. */
function emojiName(name: string): string {
  const n = name
    .replace(/-\d$/, '')
    .replace(/-default$/, '')
    .replace(/^flag-for-/, 'flag-');
  const digit = /^digit-([a-z]+)$/.exec(n);
  return digit && DIGITS.includes(digit[1]) ? `keycap-${DIGITS.indexOf(digit[1])}` : n;
}

/**
 * Splits a squashed name (`alarmclock`) into known words (`alarm clock`): the fewest words of three letters or
 * more from the CLDR-style names that cover it exactly; a name with no such cover stays whole.
 */
export function splitSquashed(name: string, words: Set<string>): string {
  const n = name.length;
  const best: { cost: number; prev: number }[] = [{ cost: 0, prev: -1 }];
  for (let j = 1; j <= n; j++) {
    best[j] = { cost: Infinity, prev: -1 };
    for (let i = Math.max(0, j - 24); i <= j - 3; i++)
      if (best[i].cost + 1 < best[j].cost && words.has(name.slice(i, j))) best[j] = { cost: best[i].cost + 1, prev: i };
  }
  if (!Number.isFinite(best[n].cost)) return name;
  const parts: string[] = [];
  for (let j = n; j > 0; j = best[j].prev) parts.unshift(name.slice(best[j].prev, j));
  return parts.join(' ');
}

function iconifyPictures(src: PictureSource, index: ReturnType<typeof emojiNameIndex>, byId: Map<string, EmojiPair>): StylePicture[] {
  const set = require(`${src.pkg}/icons.json`) as IconifySet;
  const aliasesOf = new Map<string, string[]>();
  for (const [alias, a] of Object.entries(set.aliases ?? {})) {
    const l = aliasesOf.get(a.parent) ?? [];
    l.push(alias);
    aliasesOf.set(a.parent, l);
  }
  const out: StylePicture[] = [];
  for (const name of Object.keys(set.icons).sort()) {
    const icon = set.icons[name];
    if (icon.hidden || src.skip?.test(name)) continue;
    // Numbered variants of one concept in a set (`birthday-cake-2`) share the concept of the plain name.
    const base = src.kind === 'emoji' ? emojiName(name) : name;
    const id = index.exact.get(base) ?? (src.kind === 'emoji' ? index.squashed.get(squash(base)) : undefined);
    const emoji = id ? byId.get(id) : undefined;
    const concept = emoji ? emoji.id : `icon:${base}`;
    const words = !emoji && src.kind === 'emoji' && !base.includes('-') ? splitSquashed(base, index.words) : base.replace(/-/g, ' ');
    out.push({
      style: src.style,
      name,
      concept,
      emoji,
      names: [words, ...(aliasesOf.get(name) ?? []).map((n) => n.replace(/-/g, ' '))],
      svg: {
        body: icon.body,
        left: icon.left ?? set.left ?? 0,
        top: icon.top ?? set.top ?? 0,
        width: icon.width ?? set.width ?? 16,
        height: icon.height ?? set.height ?? 16,
      },
      heldOutConcept: isHeldOut(concept),
      heldOutStyle: src.style === HELD_OUT_STYLE,
    });
  }
  return out;
}

/** Installed version of a source package (part of the raster cache key). */
export function sourceVersion(src: PictureSource): string {
  return (require(`${src.pkg}/package.json`) as { version: string }).version;
}

/**
 * Every picture of every source in PICTURE_SOURCES, in a fixed order (sources as listed, names sorted).
 * Emoji are held out by the v3 rule (SHA-256 of the id, 18 %), so the unseen-concept split of the Google
 * pictures is the one v3 was measured on; icons by the same rule over `icon:<name>`; an icon named like an
 * emoji shares its concept, and so its split.
 */
export function loadStylePictures(options: { languages?: readonly string[]; styles?: readonly string[] } = {}): StylePicture[] {
  const pairs = loadEmojiPairs({ languages: options.languages ?? DEFAULT_LANGUAGES });
  const byId = new Map(pairs.map((p) => [p.id, p]));
  const index = emojiNameIndex(pairs);
  const out: StylePicture[] = [];
  for (const src of PICTURE_SOURCES) {
    if (options.styles && !options.styles.includes(src.style)) continue;
    if (src.kind === 'png-emoji') {
      for (const p of pairs)
        out.push({
          style: src.style,
          name: p.id,
          concept: p.id,
          emoji: p,
          names: [p.labels.en],
          png: p.imagePath,
          heldOutConcept: p.heldOut,
          heldOutStyle: src.style === HELD_OUT_STYLE,
        });
    } else {
      out.push(...iconifyPictures(src, index, byId));
    }
  }
  return out;
}
