/**
 * Every picture source rosetta-mini v4 trains on: npm packages of openly licensed emoji and icon art,
 * each with its stated licence and attribution (from the package's own `info.json` / package.json; the model
 * README repeats them). Nothing outside this list is ever loaded: a reserved emoji style (kept for an
 * independent check) and art that is not openly licensed (Apple's, Facebook's) are deliberately absent.
 */
export interface PictureSource {
  /** Style name used in splits and reports, e.g. `noto`. */
  style: string;
  /** The npm package holding the pictures. */
  pkg: string;
  /** `emoji`: pictures of emoji (mapped to CLDR concepts); `icon`: named icons (English names). */
  kind: 'emoji' | 'png-emoji' | 'icon';
  licence: string;
  attribution: string;
  /** Icon names to skip (variants that would repeat a picture many times). */
  skip?: RegExp;
}

/** Skin-tone and hair variants: the same concept drawn again with another colour; components are not concepts. */
const VARIANTS =
  /(-|^)(light|medium-light|medium|medium-dark|dark)-skin-tone|-tone[1-5]$|^(light|medium-light|medium|medium-dark|dark)-skin-tone$/;
/** Fluent names its skin-tone variants by a bare suffix (`waving-hand-medium-dark`; the base is `-default`). */
const FLUENT_VARIANTS = /-(light|medium-light|medium|medium-dark|dark)$/;

export const PICTURE_SOURCES: readonly PictureSource[] = [
  {
    style: 'google',
    pkg: 'emoji-datasource-google',
    kind: 'png-emoji',
    licence: 'Apache-2.0',
    attribution: 'Google (Noto Color Emoji), via emoji-datasource by Cal Henderson',
  },
  {
    style: 'noto',
    pkg: '@iconify-json/noto',
    kind: 'emoji',
    licence: 'Apache-2.0',
    attribution: 'Google Inc (Noto Emoji), via Iconify',
    skip: VARIANTS,
  },
  {
    style: 'fluent-emoji',
    pkg: '@iconify-json/fluent-emoji',
    kind: 'emoji',
    licence: 'MIT',
    attribution: 'Microsoft Corporation (Fluent Emoji, 3D), via Iconify',
    skip: FLUENT_VARIANTS,
  },
  {
    style: 'fluent-emoji-flat',
    pkg: '@iconify-json/fluent-emoji-flat',
    kind: 'emoji',
    licence: 'MIT',
    attribution: 'Microsoft Corporation (Fluent Emoji Flat), via Iconify',
    skip: FLUENT_VARIANTS,
  },
  {
    style: 'fluent-emoji-high-contrast',
    pkg: '@iconify-json/fluent-emoji-high-contrast',
    kind: 'emoji',
    licence: 'MIT',
    attribution: 'Microsoft Corporation (Fluent Emoji High Contrast), via Iconify',
    skip: VARIANTS,
  },
  {
    style: 'openmoji',
    pkg: '@iconify-json/openmoji',
    kind: 'emoji',
    licence: 'CC-BY-SA-4.0',
    attribution: 'OpenMoji (HfG Schwäbisch Gmünd), via Iconify',
    skip: VARIANTS,
  },
  {
    style: 'fxemoji',
    pkg: '@iconify-json/fxemoji',
    kind: 'emoji',
    licence: 'Apache-2.0',
    attribution: 'Mozilla (Firefox OS Emoji), via Iconify',
    skip: VARIANTS,
  },
  {
    style: 'emojione',
    pkg: '@iconify-json/emojione',
    kind: 'emoji',
    licence: 'CC-BY-4.0',
    attribution: 'Emoji One (EmojiOne 2, colored), via Iconify',
    skip: VARIANTS,
  },
  {
    style: 'streamline-emojis',
    pkg: '@iconify-json/streamline-emojis',
    kind: 'emoji',
    licence: 'CC-BY-4.0',
    attribution: 'Streamline (Streamline Emojis), via Iconify',
    skip: VARIANTS,
  },
  {
    style: 'game-icons',
    pkg: '@iconify-json/game-icons',
    kind: 'icon',
    licence: 'CC-BY-3.0',
    attribution: 'GameIcons (game-icons.net contributors), via Iconify',
    skip: /^abstract-\d+$/,
  },
  {
    style: 'mdi',
    pkg: '@iconify-json/mdi',
    kind: 'icon',
    licence: 'Apache-2.0',
    attribution: 'Pictogrammers (Material Design Icons), via Iconify',
  },
  {
    style: 'tabler',
    pkg: '@iconify-json/tabler',
    kind: 'icon',
    licence: 'MIT',
    attribution: 'Paweł Kuna (Tabler Icons), via Iconify',
    skip: /-filled$/,
  },
  {
    style: 'ph',
    pkg: '@iconify-json/ph',
    kind: 'icon',
    licence: 'MIT',
    attribution: 'Phosphor Icons, via Iconify',
    skip: /-(thin|light|bold|duotone)$/,
  },
  { style: 'lucide', pkg: '@iconify-json/lucide', kind: 'icon', licence: 'ISC', attribution: 'Lucide Contributors, via Iconify' },
  {
    style: 'healthicons',
    pkg: '@iconify-json/healthicons',
    kind: 'icon',
    licence: 'MIT',
    attribution: 'Resolve to Save Lives (Health Icons), via Iconify',
    skip: /-negative(-outline)?$|-outline$/,
  },
  { style: 'carbon', pkg: '@iconify-json/carbon', kind: 'icon', licence: 'Apache-2.0', attribution: 'IBM (Carbon), via Iconify' },
];

/** The emoji style held out entirely (never trained on): its pictures of training concepts measure an unseen drawing style. */
export const HELD_OUT_STYLE = 'emojione';
