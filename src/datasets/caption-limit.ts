/**
 * Captions are bounded: a caption is a sentence or a paragraph about a picture (LAION's are under 1,000
 * characters, and a text tower reads its first 77 tokens), so anything longer is cut, at a word boundary,
 * to MAX_CAPTION_CHARS. A 65 MB caption was once stored whole in a segment and in the item's metadata,
 * and indexing four of them took 1.65 GB.
 */
export const MAX_CAPTION_CHARS = 2000;

export interface BoundedCaption {
  text: string;
  /** The caption's length in bytes of UTF-8 when it was cut (absent when it was kept whole). */
  truncatedFrom?: number;
}

/** The caption cut to `max` characters at the last space (or other word break) before it, with an ellipsis. */
export function boundCaption(caption: string, max = MAX_CAPTION_CHARS): BoundedCaption {
  if (caption.length <= max) return { text: caption };
  let cut = caption.slice(0, max);
  const lastBreak = cut.search(/\s\S*$/);
  // No break in the last fifth (one very long word): cut where the limit falls, not inside a surrogate pair.
  if (lastBreak > max * 0.8) cut = cut.slice(0, lastBreak);
  else if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return { text: `${cut.trimEnd()}…`, truncatedFrom: Buffer.byteLength(caption) };
}
